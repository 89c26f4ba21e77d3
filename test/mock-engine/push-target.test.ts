/**
 * Where each delivery goes: the URL of its OC's endpoint (the account's `push`, else the top-level
 * `push`), kept with the delivery, updated when a restart changes the target, never with a password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine, PushTarget } from '../../mock-server/engine/index.ts';
import { engine, newTicket, OC1, OC2 } from './helpers.ts';
import { type OcServer, startOc } from './oc-server.ts';

const engines: LocalMockEngine[] = [];
const ocs: OcServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const o of ocs.splice(0)) await o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const target = (url: string, over: Partial<PushTarget> = {}): PushTarget => ({
  url,
  login: 'oi-push',
  password: 'target-password-0451',
  maxRetries: 0,
  backoffMs: 5,
  timeoutMs: 2_000,
  ...over,
});
const oc = async (...args: Parameters<typeof startOc>) => {
  const o = await startOc(...args);
  ocs.push(o);
  return o;
};
const start = (options: Parameters<typeof engine>[0]) => {
  const e = engine(options);
  engines.push(e);
  return e;
};

async function takenInCharge(e: LocalMockEngine, account = OC1, technicalId = 'FI-1111-0001') {
  const key = await newTicket(e, { technicalId }, account);
  expect((await e.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
  return key;
}

describe("a delivery's target", () => {
  it("names its OC's own endpoint, else the top-level one, in the list and in the ticket", async () => {
    const [own, shared] = [await oc(), await oc()];
    const e = start({
      accounts: [{ ...OC1, push: target(own.url, { login: 'oi-to-oc1' }) }, OC2],
      push: target(shared.url),
    });
    const k1 = await takenInCharge(e, OC1);
    const k2 = await takenInCharge(e, OC2, 'FI-1111-0002');
    await e.settle();
    expect(e.deliveries().map((d) => [d.troubleTicketKey, d.status, d.targetUrl])).toEqual([
      [k2, 'delivered', shared.url],
      [k1, 'delivered', own.url],
    ]);
    expect(e.getTicket(k1)!.deliveries.map((d) => d.targetUrl)).toEqual([own.url]);
    expect(e.getTicket(k2)!.deliveries.map((d) => d.targetUrl)).toEqual([shared.url]);
  });

  it('is shown while the delivery is still pending', async () => {
    const slow = await oc(() => 'hang');
    const e = start({ push: target(slow.url, { timeoutMs: 60_000 }) });
    const key = await takenInCharge(e);
    expect(e.getTicket(key)!.deliveries).toMatchObject([{ status: 'pending', targetUrl: slow.url }]);
  });

  it("masks a password in the URL and never shows the target's password", async () => {
    const o = await oc();
    const withUserinfo = o.url.replace('http://', 'http://oc-user:url-password-7731@');
    const e = start({ push: target(withUserinfo) });
    const key = await takenInCharge(e);
    await e.settle();
    const [d] = e.deliveries();
    expect(d).toMatchObject({ troubleTicketKey: key, status: 'delivered' });
    expect(d!.targetUrl).toBe(o.url.replace('http://', 'http://oc-user:***@'));
    const shown = JSON.stringify([e.deliveries(), e.getTicket(key)]);
    expect(shown).not.toContain('url-password-7731');
    expect(shown).not.toContain('target-password-0451');
  });

  it('follows the target a restart configures, and is dropped when the OC has none left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-engine-push-target-'));
    dirs.push(dir);
    const down = await oc(() => ({ status: 503 }));
    const first = engine({
      store: { dataDir: dir },
      accounts: [
        { ...OC1, push: target(down.url, { maxRetries: 10, backoffMs: 60_000 }) },
        { ...OC2, push: target(down.url, { maxRetries: 10, backoffMs: 60_000 }) },
      ],
    });
    // Created first: settling waits for the pushes, which back off for a minute here.
    const k1 = await newTicket(first, {}, OC1);
    const k2 = await newTicket(first, { technicalId: 'FI-1111-0002' }, OC2);
    for (const key of [k1, k2])
      expect((await first.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
    const failedOnce = () => first.deliveries().every((d) => d.lastError !== undefined);
    while (!failedOnce()) await new Promise((r) => setTimeout(r, 5));
    expect(first.deliveries().map((d) => d.targetUrl)).toEqual([down.url, down.url]);
    await first.close();

    // Restarted: OC1 moved to another endpoint, OC2 has none.
    const moved = await oc();
    const e = start({ store: { dataDir: dir }, accounts: [{ ...OC1, push: target(moved.url) }, OC2] });
    await e.settle();
    expect(e.getTicket(k1)!.deliveries).toMatchObject([
      { status: 'delivered', attempts: 2, targetUrl: moved.url },
    ]);
    const [lost] = e.getTicket(k2)!.deliveries;
    expect(lost).toMatchObject({ status: 'failed' });
    expect(lost!.targetUrl).toBeUndefined();
    expect(lost!.lastError).toMatch(/^not sent: OC 421938861 has no push target/);
  });
});
