/**
 * Fault injection and ticket history through the control API, against the real engine over
 * sockets: what an OC client sees when the OI is slow, down, cut off or garbled.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { controlTicket, inventoryAccess, type Mock, ocClientFor, oiAction } from './protocol.ts';

let mock: Mock;
let writer: MessageWriter;

beforeAll(async () => {
  mock = await startMock();
  writer = new MessageWriter(mock.index);
});
afterAll(() => mock.stop());
beforeEach(async () => {
  await fetch(`${mock.controlUrl}/faults`, { method: 'DELETE' });
});

const credentials = () => ({ login: mock.accounts[0]!.login, password: mock.accounts[0]!.password });
const meta = () =>
  fetch(mock.url, {
    method: 'POST',
    body: writer.metaRequest('getManagedEntityTypes', credentials()),
    headers: { 'content-type': 'text/xml' },
  });
const setFaults = async (faults: unknown[]) => {
  const r = await fetch(`${mock.controlUrl}/faults`, {
    method: 'PUT',
    body: JSON.stringify(faults),
    headers: { 'content-type': 'application/json' },
  });
  expect(r.status).toBe(200);
};

describe('fault injection through the control API', () => {
  it('delays the answers of one operation by latencyMs', async () => {
    await setFaults([{ operation: 'getManagedEntityTypes', latencyMs: 300, times: 1 }]);
    const started = performance.now();
    const r = await meta();
    expect(r.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('answers HTTP 503 the given number of times, then normally', async () => {
    await setFaults([{ operation: '*', httpStatus: 503, times: 2 }]);
    expect((await meta()).status).toBe(503);
    expect((await meta()).status).toBe(503);
    expect((await meta()).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    await setFaults([{ operation: 'getManagedEntityTypes', dropConnection: true, times: 1 }]);
    await expect(meta()).rejects.toThrow();
    expect((await meta()).status).toBe(200);
  });

  it('truncates the answer to half of its XML', async () => {
    const full = await (await meta()).text();
    await setFaults([{ operation: 'getManagedEntityTypes', truncateResponse: true, times: 1 }]);
    const half = await (await meta()).text();
    expect(half).toBe(
      Buffer.from(full)
        .subarray(0, Math.floor(Buffer.byteLength(full) / 2))
        .toString(),
    );
    expect(() => readMessage(half, mock.index)).toThrow();
  });

  it('answers a SOAP Server fault at soapFaultRate 1, and only for the operation named', async () => {
    await setFaults([{ operation: 'getManagedEntityTypes', soapFaultRate: 1 }]);
    const r = await meta();
    expect(r.status).toBe(500);
    const msg = readMessage(await r.text(), mock.index);
    expect(msg.body.kind === 'fault' && msg.body.fault.faultcode).toMatch(/:Server$/);
    const other = await fetch(mock.url, {
      method: 'POST',
      body: writer.metaRequest('getEventTypes', credentials()),
      headers: { 'content-type': 'text/xml' },
    });
    expect(other.status).toBe(200);
  });

  it('counts the exchanges in /counters', async () => {
    const before = (await (await fetch(`${mock.controlUrl}/counters`)).json()) as {
      requests: number;
      byOperation: Record<string, number>;
    };
    await meta();
    const after = (await (await fetch(`${mock.controlUrl}/counters`)).json()) as {
      requests: number;
      byOperation: Record<string, number>;
    };
    expect(after.requests).toBe(before.requests + 1);
    expect(after.byOperation.getManagedEntityTypes).toBe((before.byOperation.getManagedEntityTypes ?? 0) + 1);
  });
});

describe('ticket history through the control API', () => {
  it('keeps every request and response XML of a ticket, in and out', async () => {
    const oc = await ocClientFor(mock);
    const access = inventoryAccess(mock, 0);
    const created = await oc.create(oc.actionValue('oc.create', null, 0, access));
    await mock.engine.settle();
    const action = await fetch(`${mock.controlUrl}/tickets/${created.key}/actions/oi.takeInCharge`, {
      method: 'POST',
      body: '{"supplierName":"Jeanne Martin"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(action.status).toBe(200);
    const { ticket, history } = await controlTicket(mock, created.key!);
    expect(ticket.fields.supplierName).toBe('Jeanne Martin');
    const [create, take] = history;
    expect(create).toMatchObject({
      direction: 'in',
      operation: 'createTroubleTicketByValue',
      transition: 'T1',
      stateAfter: 'QUEUED',
    });
    expect(create!.requestXml).toContain(access.technicalId!);
    expect(create!.responseXml).toContain(created.key);
    expect(take).toMatchObject({ action: 'oi.takeInCharge', transition: 'T5', stateAfter: 'OPENACTIVE' });
    expect(take!.requestXml).toContain('Jeanne Martin');
    const listed = (await (
      await fetch(`${mock.controlUrl}/tickets?technicalId=${access.technicalId}`)
    ).json()) as { tickets: { troubleTicketKey: string }[] };
    expect(listed.tickets.map((t) => t.troubleTicketKey)).toEqual([created.key]);
  });
});

describe('ticket search through the control API', () => {
  it('gives the total a search finds beside the page it returns', async () => {
    await fetch(`${mock.controlUrl}/reset`, { method: 'POST' });
    const oc = await ocClientFor(mock);
    const keys: string[] = [];
    for (const n of [1, 2, 3])
      keys.push((await oc.create(oc.actionValue('oc.create', null, 0, inventoryAccess(mock, n)))).key!);
    await mock.engine.settle();
    expect((await oiAction(mock, keys[0]!, 'oi.takeInCharge')).status).toBe(200);
    const page = async (query: string) =>
      (await (await fetch(`${mock.controlUrl}/tickets?${query}`)).json()) as {
        tickets: { troubleTicketKey: string }[];
        count: number;
        total: number;
      };
    expect(await page('limit=1')).toMatchObject({ count: 1, total: 3 });
    const queued = await page('state=QUEUED&limit=1&offset=1');
    expect(queued).toMatchObject({ count: 1, total: 2 });
    expect(queued.tickets.map((t) => t.troubleTicketKey)).toEqual([keys[1]]);
    expect(await page('state=CLOSED')).toMatchObject({ count: 0, total: 0 });
  });
});

describe('stopping while an injected latency holds a request', () => {
  it('answers that request within the grace period instead of cutting its connection', async () => {
    const own = await startMock();
    const ownWriter = new MessageWriter(own.index);
    let stopped = false;
    try {
      const r = await fetch(`${own.controlUrl}/faults`, {
        method: 'PUT',
        body: JSON.stringify([{ operation: 'getManagedEntityTypes', latencyMs: 60_000, times: 1 }]),
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(200);
      const { login, password } = own.accounts[0]!;
      const held = fetch(own.url, {
        method: 'POST',
        body: ownWriter.metaRequest('getManagedEntityTypes', { login, password }),
        headers: { 'content-type': 'text/xml' },
      });
      // The rule is used up once the request reached it: the latency holds the request from then on.
      while (own.engine.faults().length > 0) await tick();
      const stopping = own.stop().then(() => {
        stopped = true;
      });
      const answer = await held;
      expect(answer.status).toBe(200);
      expect(readMessage(await answer.text(), own.index).body.kind).toBe('metaResponse');
      await stopping;
    } finally {
      if (!stopped) await own.stop();
    }
  });
});

const tick = () => new Promise((r) => setTimeout(r, 20));
