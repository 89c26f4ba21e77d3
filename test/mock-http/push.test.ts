/**
 * Push of the OI's actions to a test OC endpoint over real sockets: a setTroubleTicketByValue per
 * OI action, with the push credentials, retried with backoff after the OC fails twice, and the
 * delivery visible through the control API. With one endpoint per OC account, each OC receives only
 * its own tickets (§1, §3).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../mock-server/engine/options.ts';
import { startMock } from '../../mock-server/index.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { type OcServer, startOc } from '../mock-engine/oc-server.ts';
import { controlTicket, inventoryAccess, type Mock, ocClientFor, oiAction } from './protocol.ts';

const PUSH = { login: 'oi-push', password: 'push-secret' };
let oc: Server;
let received: { status: number; body: string; soapAction?: string }[] = [];
let failuresLeft = 0;
let mock: Mock;

beforeAll(async () => {
  oc = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const soapAction = req.headers.soapaction as string | undefined;
      if (failuresLeft > 0) {
        failuresLeft--;
        received.push({ status: 500, body, ...(soapAction ? { soapAction } : {}) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('OC down');
        return;
      }
      received.push({ status: 200, body, ...(soapAction ? { soapAction } : {}) });
      const msg = readMessage(body, mock.index);
      const key = msg.body.kind === 'setRequest' ? (msg.body.ticket.troubleTicketKey ?? null) : null;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(
        new MessageWriter(mock.index).response('setTroubleTicketByValue', {
          troubleTicketKey: key,
          returnCode: '0',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => oc.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(oc.address() as AddressInfo).port}/oc/services/JVTTroubleTicketSessionWSPort`;
  mock = await startMock({ push: { url, ...PUSH, maxRetries: 4, backoffMs: 20, timeoutMs: 2_000 } });
});
afterAll(async () => {
  await mock.stop();
  await new Promise((resolve) => oc.close(resolve));
});

describe('push to the OC', () => {
  it('delivers an OI action as setTroubleTicketByValue, retrying after the OC fails twice', async () => {
    const client = await ocClientFor(mock);
    const created = await client.create(client.actionValue('oc.create', null, 0, inventoryAccess(mock, 0)));
    await mock.engine.settle();
    received = [];
    failuresLeft = 2;
    expect((await oiAction(mock, created.key!, 'oi.takeInCharge')).status).toBe(200);
    await mock.engine.settle();

    expect(received.map((r) => r.status)).toEqual([500, 500, 200]);
    const msg = readMessage(received[2]!.body, mock.index);
    expect(msg.operation?.name).toBe('setTroubleTicketByValue');
    expect(msg.credentials).toEqual(PUSH);
    expect(msg.body.kind === 'setRequest' && msg.body.ticket).toMatchObject({
      troubleTicketKey: created.key,
      troubleTicketState: 'OPENACTIVE',
      description: 'CASE SOLVING NOTIFICATION',
    });
    // Every attempt carried the same request.
    expect(new Set(received.map((r) => r.body)).size).toBe(1);

    const { deliveries } = await controlTicket(mock, created.key!);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    const listed = (await (await fetch(`${mock.controlUrl}/deliveries?key=${created.key}`)).json()) as {
      deliveries: { status: string; returnCode?: string; responseXml?: string }[];
    };
    expect(listed.deliveries[0]).toMatchObject({ status: 'delivered', returnCode: '0' });
    expect(listed.deliveries[0]!.responseXml).toContain('setTroubleTicketByValueResponse');
  });

  it('pushes the actions of one ticket in order', async () => {
    const client = await ocClientFor(mock);
    const created = await client.create(client.actionValue('oc.create', null, 0, inventoryAccess(mock, 1)));
    await mock.engine.settle();
    received = [];
    failuresLeft = 1;
    for (const action of ['oi.takeInCharge', 'oi.plan', 'oi.information']) {
      expect((await oiAction(mock, created.key!, action)).status).toBe(200);
    }
    await mock.engine.settle();
    const delivered = received.filter((r) => r.status === 200).map((r) => readMessage(r.body, mock.index));
    const versions = delivered.map((m) =>
      m.body.kind === 'setRequest' ? m.body.ticket.lastUpdateVersionNumber : undefined,
    );
    expect(versions).toEqual(['2', '3', '4']);
  });
});

describe('push per OC account', () => {
  const OC1 = DEMO_ACCOUNTS[0]!;
  const OC2 = DEMO_ACCOUNTS[1]!;
  const oneTarget = (url: string, login: string) => ({
    url,
    login,
    password: `${login}-secret`,
    maxRetries: 0,
    timeoutMs: 2_000,
  });
  const ends: OcServer[] = [];
  const mocks: Mock[] = [];
  afterAll(async () => {
    for (const m of mocks) await m.stop();
    for (const o of ends) await o.close();
  });
  const endpoint = async () => {
    const o = await startOc();
    ends.push(o);
    return o;
  };
  const start = async (options: Parameters<typeof startMock>[0]) => {
    const m = await startMock(options);
    mocks.push(m);
    return m;
  };
  /** A ticket of that OC, taken in charge by the OI: one delivery to push. */
  async function takenInCharge(m: Mock, account: (typeof DEMO_ACCOUNTS)[number], n: number): Promise<string> {
    const client = await ocClientFor(m, m.accounts.find((a) => a.login === account.login)!);
    const created = await client.create(client.actionValue('oc.create', null, 0, inventoryAccess(m, n)));
    await m.engine.settle();
    expect((await oiAction(m, created.key!, 'oi.takeInCharge')).status).toBe(200);
    await m.engine.settle();
    return created.key!;
  }

  it("sends each OC's tickets to that OC's own endpoint only, with that endpoint's credentials", async () => {
    const [end1, end2] = [await endpoint(), await endpoint()];
    const m = await start({
      accounts: [
        { ...OC1, push: oneTarget(end1.url, 'oi-to-oc1') },
        { ...OC2, push: oneTarget(end2.url, 'oi-to-oc2') },
      ],
    });
    const k1 = await takenInCharge(m, OC1, 2);
    const k2 = await takenInCharge(m, OC2, 3);

    expect(
      end1.received.map((r) => [r.ticket.troubleTicketKey, r.ticket.serviceProviderID, r.login]),
    ).toEqual([[k1, OC1.siren, 'oi-to-oc1']]);
    expect(
      end2.received.map((r) => [r.ticket.troubleTicketKey, r.ticket.serviceProviderID, r.login]),
    ).toEqual([[k2, OC2.siren, 'oi-to-oc2']]);
    expect(end2.received[0]!.password).toBe('oi-to-oc2-secret');
    for (const key of [k1, k2]) {
      expect((await controlTicket(m, key)).deliveries).toMatchObject([{ status: 'delivered', attempts: 1 }]);
    }
  });

  it("shows each delivery's target URL, not its password, in GET /deliveries and in the ticket", async () => {
    const [own, shared] = [await endpoint(), await endpoint()];
    const m = await start({
      accounts: [{ ...OC1, push: oneTarget(own.url, 'oi-to-oc1') }, OC2],
      push: oneTarget(shared.url, 'oi-shared'),
    });
    const k1 = await takenInCharge(m, OC1, 2);
    const k2 = await takenInCharge(m, OC2, 3);
    const r = await fetch(`${m.controlUrl}/deliveries`);
    const text = await r.text();
    const { deliveries } = JSON.parse(text) as {
      deliveries: { troubleTicketKey: string; targetUrl?: string }[];
    };
    expect(deliveries.map((d) => [d.troubleTicketKey, d.targetUrl])).toEqual([
      [k2, shared.url],
      [k1, own.url],
    ]);
    expect(text).not.toMatch(/oi-to-oc1-secret|oi-shared-secret/);
    expect((await controlTicket(m, k1)).deliveries).toMatchObject([{ targetUrl: own.url }]);
    expect((await controlTicket(m, k2)).deliveries).toMatchObject([{ targetUrl: shared.url }]);
  });

  it('sends an OC without its own endpoint to the top-level push, and nothing for an OC with neither', async () => {
    const [own, shared] = [await endpoint(), await endpoint()];
    // OC1 has its own endpoint, OC2 falls back to `push`.
    const m = await start({
      accounts: [{ ...OC1, push: oneTarget(own.url, 'oi-to-oc1') }, OC2],
      push: oneTarget(shared.url, 'oi-shared'),
    });
    const k1 = await takenInCharge(m, OC1, 2);
    const k2 = await takenInCharge(m, OC2, 3);
    expect(own.received.map((r) => [r.ticket.troubleTicketKey, r.login])).toEqual([[k1, 'oi-to-oc1']]);
    expect(shared.received.map((r) => [r.ticket.troubleTicketKey, r.login])).toEqual([[k2, 'oi-shared']]);

    // Without a top-level push, OC2's tickets are stored and not pushed anywhere.
    const lone = await endpoint();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(s) });
    const m2 = await start({ accounts: [{ ...OC1, push: oneTarget(lone.url, 'oi-to-oc1') }, OC2], logger });
    expect(lines.join('')).toContain(
      'push: accounts[1] (demo-oc-2, siren 421938861) has no push target (neither accounts[1].push nor push)',
    );
    const k3 = await takenInCharge(m2, OC2, 3);
    const k4 = await takenInCharge(m2, OC1, 2);
    expect(lone.received.map((r) => r.ticket.troubleTicketKey)).toEqual([k4]);
    const t3 = await controlTicket(m2, k3);
    expect(t3.deliveries).toEqual([]);
    expect(t3.ticket.state).toBe('OPENACTIVE');
  });
});
