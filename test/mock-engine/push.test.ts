/** Push of the OI's actions to a test OC endpoint: order per ticket, retry with backoff, outcomes kept. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine, PushTarget } from '../../mock-server/engine/index.ts';
import type { ExchangeLog } from '../../mock-server/engine/types.ts';
import { engine, newTicket, OC1, OC2 } from './helpers.ts';
import { type OcServer, startOc } from './oc-server.ts';

let e: LocalMockEngine | undefined;
let oc: OcServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await e?.close();
  await oc?.close();
  e = undefined;
  oc = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const target = (url: string, over: Partial<PushTarget> = {}): PushTarget => ({
  url,
  login: 'oi-push',
  password: 'oi-push-secret',
  maxRetries: 3,
  backoffMs: 5,
  timeoutMs: 2_000,
  ...over,
});

async function walk(eng: LocalMockEngine, key: string) {
  for (const [action, fields] of [
    ['oi.takeInCharge', {}],
    ['oi.plan', {}],
    ['oi.information', { messageContent: 'Technicien en route' }],
    ['oi.resolution', { troubleTicketClosureCode: 'RET01' }],
  ] as const) {
    const r = await eng.triggerOiAction(key, action, fields);
    expect(r.returnCode).toBe('0');
  }
}

describe('push to the OC', () => {
  it('delivers every OI action in order, retrying after the OC fails twice', async () => {
    oc = await startOc((n) => (n < 2 ? { status: 500 } : { status: 200, returnCode: '0' }));
    e = engine({ push: target(oc.url) });
    const key = await newTicket(e);
    await walk(e, key);
    await e.settle();
    const versions = oc.received.map((r) => r.ticket.lastUpdateVersionNumber);
    expect(versions).toEqual(['2', '2', '2', '3', '4', '5']);
    expect(oc.received.map((r) => r.ticket.description)).toEqual([
      'CASE SOLVING NOTIFICATION',
      'CASE SOLVING NOTIFICATION',
      'CASE SOLVING NOTIFICATION',
      'CASE SOLVING NOTIFICATION',
      'SU CASE INFORMATION NOTIFICATION',
      'CASE SOLVED NOTIFICATION',
    ]);
    expect(oc.received[0]).toMatchObject({ login: 'oi-push', password: 'oi-push-secret' });
    expect(oc.received[0]!.soapAction).toContain('setTroubleTicketByValue');
    const { deliveries } = e.getTicket(key)!;
    expect(deliveries.map((d) => [d.action, d.status, d.attempts, d.returnCode])).toEqual([
      ['oi.takeInCharge', 'delivered', 3, '0'],
      ['oi.plan', 'delivered', 1, '0'],
      ['oi.information', 'delivered', 1, '0'],
      ['oi.resolution', 'delivered', 1, '0'],
    ]);
    expect(deliveries[0]!.responseXml).toContain('setTroubleTicketByValueResponse');
    expect(deliveries[0]!.requestXml).not.toContain('oi-push-secret');
    expect(e.counters().deliveries).toEqual({ pending: 0, delivered: 4, failed: 0 });
  });

  it('logs each attempt under the OC whose ticket it is, the push login apart', async () => {
    oc = await startOc(() => ({ status: 200, returnCode: '0' }));
    const lines: ExchangeLog[] = [];
    e = engine({ push: target(oc.url), logger: (l) => lines.push(l) });
    const key = await newTicket(e, {}, OC2);
    await e.triggerOiAction(key, 'oi.takeInCharge', {});
    await e.settle();
    const push = lines.find((l) => l.direction === 'push');
    expect(push).toMatchObject({
      oc: OC2.login,
      pushLogin: 'oi-push',
      troubleTicketKey: key,
      returnCode: '0',
    });
  });

  it('an OC answering returnCode 2 fails that delivery without retry; the next one still goes', async () => {
    oc = await startOc((n) => ({ status: 200, returnCode: n === 0 ? '2' : '0' }));
    e = engine({ push: target(oc.url) });
    const key = await newTicket(e);
    await e.triggerOiAction(key, 'oi.takeInCharge');
    await e.triggerOiAction(key, 'oi.plan');
    await e.settle();
    expect(oc.received).toHaveLength(2);
    const [first, second] = e.getTicket(key)!.deliveries;
    expect(first).toMatchObject({ status: 'failed', attempts: 1, returnCode: '2' });
    expect(first!.lastError).toMatch(/returnCode 2/);
    expect(second).toMatchObject({ status: 'delivered', attempts: 1, returnCode: '0' });
    expect(e.deliveries()).toHaveLength(2);
  });

  it('gives up after maxRetries on timeouts and keeps the last error', async () => {
    oc = await startOc(() => 'hang');
    e = engine({ push: target(oc.url, { maxRetries: 1, timeoutMs: 100 }) });
    const key = await newTicket(e);
    await e.triggerOiAction(key, 'oi.takeInCharge');
    await e.settle();
    const [d] = e.getTicket(key)!.deliveries;
    expect(d).toMatchObject({ status: 'failed', attempts: 2 });
    expect(d!.lastError).toMatch(/no answer within 100 ms/);
    expect(oc.received).toHaveLength(2);
  });

  it('pending deliveries resume after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-engine-push-'));
    dirs.push(dir);
    const down = await startOc(() => ({ status: 503 }));
    const first = engine({
      store: { dataDir: dir },
      push: target(down.url, { maxRetries: 10, backoffMs: 60_000 }),
    });
    const key = await newTicket(first);
    await first.triggerOiAction(key, 'oi.takeInCharge');
    await vi_waitFor(() => first.getTicket(key)!.deliveries[0]!.lastError !== undefined);
    await first.close();
    await down.close();

    oc = await startOc();
    e = engine({ store: { dataDir: dir }, push: target(oc.url) });
    await e.settle();
    const [d] = e.getTicket(key)!.deliveries;
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, returnCode: '0' });
    expect(oc.received.map((r) => r.ticket.troubleTicketKey)).toEqual([key]);
  });

  it('an attempt cut by the stop is logged and kept pending with its reason, then sent at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-engine-push-'));
    dirs.push(dir);
    const hanging = await startOc(() => 'hang');
    const lines: ExchangeLog[] = [];
    const first = engine({
      store: { dataDir: dir },
      push: target(hanging.url, { maxRetries: 0, timeoutMs: 60_000 }),
      logger: (l) => lines.push(l),
    });
    const key = await newTicket(first);
    await first.triggerOiAction(key, 'oi.takeInCharge');
    await vi_waitFor(() => hanging.received.length === 1);
    await first.close();
    await hanging.close();
    const cut = lines.filter((l) => l.direction === 'push');
    expect(cut).toEqual([
      expect.objectContaining({
        troubleTicketKey: key,
        attempt: 1,
        error: expect.stringMatching(/cut by the mock stopping/),
      }),
    ]);

    oc = await startOc();
    e = engine({ store: { dataDir: dir }, push: target(oc.url, { maxRetries: 0 }) });
    await e.settle();
    expect(e.getTicket(key)!.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('pushes over HTTPS trusting the given CA', async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    oc = await startOc(undefined, { key: pems.private, cert: pems.cert });
    e = engine({ push: target(oc.url, { ca: pems.cert, maxRetries: 0 }) });
    const key = await newTicket(e);
    await e.triggerOiAction(key, 'oi.takeInCharge');
    await e.settle();
    expect(e.getTicket(key)!.deliveries[0]).toMatchObject({ status: 'delivered' });
  });
});

describe('push per OC', () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'mock-engine-push-oc-'));
    dirs.push(d);
    return d;
  };

  it("pushes each OC's tickets to its account's target; an OC without one gets no delivery", async () => {
    oc = await startOc();
    e = engine({ accounts: [{ ...OC1, push: target(oc.url, { login: 'oi-to-oc1' }) }, OC2] });
    const mine = await newTicket(e, {}, OC1);
    const other = await newTicket(e, { technicalId: 'FI-1111-0002' }, OC2);
    for (const key of [mine, other])
      expect((await e.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
    await e.settle();
    expect(oc.received.map((r) => [r.ticket.troubleTicketKey, r.ticket.serviceProviderID, r.login])).toEqual([
      [mine, OC1.siren, 'oi-to-oc1'],
    ]);
    expect(e.getTicket(other)!.deliveries).toEqual([]);
    expect(e.getTicket(other)!.ticket.state).toBe('OPENACTIVE');
    expect(e.counters().deliveries).toEqual({ pending: 0, delivered: 1, failed: 0 });
  });

  it("a pending delivery whose OC lost its target at restart fails, never sent to another OC's endpoint", async () => {
    const d = dir();
    const down = await startOc(() => ({ status: 503 }));
    const first = engine({
      store: { dataDir: d },
      accounts: [OC1, { ...OC2, push: target(down.url, { maxRetries: 10, backoffMs: 60_000 }) }],
    });
    const key = await newTicket(first, {}, OC2);
    await first.triggerOiAction(key, 'oi.takeInCharge');
    await vi_waitFor(() => first.getTicket(key)!.deliveries[0]!.lastError !== undefined);
    await first.close();
    await down.close();

    // Restarted with an endpoint for OC1 only.
    oc = await startOc();
    e = engine({ store: { dataDir: d }, accounts: [{ ...OC1, push: target(oc.url) }, OC2] });
    await e.settle();
    expect(oc.received).toEqual([]);
    const [delivery] = e.getTicket(key)!.deliveries;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery!.lastError).toBe(
      "not sent: OC 421938861 has no push target (neither its account's push nor push is configured)",
    );
  });
});

async function vi_waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}
