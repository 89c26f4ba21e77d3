/** Meta operations, unreadable requests, fault injection, logs, counters and reset. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalMockEngine, manualClock } from '../../mock-server/engine/index.ts';
import type { ExchangeLog, FaultInjection } from '../../mock-server/engine/types.ts';
import { call, create, createValue, cred, engine, fault, index, newTicket, OC1, writer } from './helpers.ts';

let e: LocalMockEngine;
afterEach(() => e?.close());

describe('meta operations (R8)', () => {
  it.each(
    index.profile.operations
      .filter((o) => o.kind === 'meta' && !o.meta?.requestChild)
      .map((o) => [o.name, o]),
  )('%s answers the profile’s values', async (_name, op) => {
    e = engine();
    const r = await call(e, writer.metaRequest(op.name, cred(OC1)));
    expect(r.answer.status).toBe(200);
    expect(r.msg.body).toEqual({ kind: 'metaResponse', values: op.meta!.values });
  });

  it('getEventDescriptor is a Client fault: 2.1 publishes no events', async () => {
    e = engine();
    const r = await call(e, writer.metaRequest('getEventDescriptor', cred(OC1), 'ticketClosed'));
    expect(r.answer.status).toBe(500);
    expect(fault(r)).toMatchObject({
      exception: 'getEventDescriptorException',
      choice: 'ossIllegalArgumentException',
    });
    expect(fault(r)!.faultcode).toMatch(/:Client$/);
  });

  it('an unknown event type is named shortened in the fault, however long it was', async () => {
    e = engine();
    const r = await call(e, writer.metaRequest('getEventDescriptor', cred(OC1), 'E'.repeat(500_000)));
    expect(fault(r)!.faultstring).toMatch(/^eventType "E{60}…" is unknown/);
    expect(r.answer.body.length).toBeLessThan(4_000);
  });
});

describe('requests that are not a readable operation', () => {
  it('malformed XML: Client fault, detail from the SOAPAction when it names an operation', async () => {
    e = engine();
    const r = await call(e, '<soapenv:Envelope', '"createTroubleTicketByValue"');
    expect(r.answer.status).toBe(500);
    expect(fault(r)!.faultcode).toMatch(/:Client$/);
    expect(fault(r)!.exception).toBe('createTroubleTicketByValueException');
    const bare = await call(e, 'not xml at all');
    expect(fault(bare)!.exception).toBeUndefined();
  });

  it('SOAP 1.2 gets VersionMismatch', async () => {
    e = engine();
    const r = await call(
      e,
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>',
    );
    expect(fault(r)!.faultcode).toMatch(/:VersionMismatch$/);
  });

  it('a response posted as a request is refused with a Client fault', async () => {
    e = engine();
    const r = await call(
      e,
      writer.response('createTroubleTicketByValue', { troubleTicketKey: 'TT-000001', returnCode: '0' }),
    );
    expect(fault(r)!.faultcode).toMatch(/:Client$/);
    expect(e.counters().tickets).toBe(0);
  });

  it('bad bytes never throw: every answer is a SOAP envelope', async () => {
    e = engine();
    for (const raw of [
      new Uint8Array([0xff, 0xfe, 0, 1]),
      new Uint8Array(0),
      new TextEncoder().encode('<!DOCTYPE x><x/>'),
    ]) {
      const a = await e.handleSoap(raw, {});
      expect(a.status).toBe(500);
      expect(a.body).toContain(':Fault>');
    }
  });
});

describe('fault injection', () => {
  it('httpStatus answers instead of processing, for the next N requests of that operation', async () => {
    e = engine();
    e.setFaults([{ operation: 'createTroubleTicketByValue', httpStatus: 503, times: 1 }]);
    const raw = () => new TextEncoder().encode(writer.createRequest(createValue(), cred(OC1)));
    const first = await e.handleSoap(raw(), {});
    expect(first.status).toBe(503);
    expect(e.counters().tickets).toBe(0);
    const second = await e.handleSoap(raw(), {});
    expect(second.status).toBe(200);
    expect(e.faults()).toEqual([]);
    expect(e.counters().tickets).toBe(1);
  });

  it('soapFaultRate gives a Server fault with remoteException', async () => {
    e = engine({ random: () => 0.1 });
    e.setFaults([{ operation: '*', soapFaultRate: 0.5 }]);
    const r = await create(e);
    expect(fault(r)).toMatchObject({
      choice: 'remoteException',
      exception: 'createTroubleTicketByValueException',
    });
    expect(fault(r)!.faultcode).toMatch(/:Server$/);
    expect(e.counters().tickets).toBe(0);
  });

  it('dropConnection and truncateResponse are processed, then flagged for the transport', async () => {
    e = engine();
    e.setFaults([{ operation: 'createTroubleTicketByValue', dropConnection: true }]);
    const r = await create(e);
    expect(r.answer.inject).toEqual({ dropConnection: true });
    expect(r.returnCode).toBe('0');
    expect(e.counters().tickets).toBe(1);
  });

  it('latency waits on the engine’s clock', async () => {
    const clock = manualClock();
    e = engine({ clock });
    e.setFaults([{ operation: 'getSupportedOptionalOperations', latencyMs: 5_000 }]);
    let done = false;
    const p = call(e, writer.metaRequest('getSupportedOptionalOperations', cred(OC1))).then((x) => {
      done = true;
      return x;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    clock.advance(5_000);
    expect((await p).answer.status).toBe(200);
  });

  it('invalid rules are refused with a message naming the key', () => {
    e = engine();
    expect(() => e.setFaults([{ operation: 'nope' }])).toThrow(/faults\[0\]\.operation/);
    expect(() => e.setFaults([{ operation: '*', soapFaultRate: 2 }])).toThrow(/soapFaultRate/);
  });
});

describe('injected faults in the exchange lines', () => {
  const logged = async (rule: Omit<FaultInjection, 'operation'>, random = 0.1) => {
    const lines: ExchangeLog[] = [];
    e = engine({ logger: (l) => lines.push(l), random: () => random });
    e.setFaults([{ operation: 'createTroubleTicketByValue', ...rule }]);
    const request = new TextEncoder().encode(writer.createRequest(createValue(), cred(OC1)));
    await e.handleSoap(request, {});
    await e.handleSoap(request, {});
    return lines;
  };

  it('an injected HTTP status, SOAP fault or latency is marked, so that it is told from a real one', async () => {
    const [status, after] = await logged({ httpStatus: 503, times: 1 });
    expect(status).toMatchObject({ fault: 'HTTP 503', injected: { httpStatus: 503 } });
    expect(after!.injected).toBeUndefined();
    expect((await logged({ soapFaultRate: 1 }))[0]).toMatchObject({
      fault: 'Server',
      injected: { soapFault: true },
    });
    expect((await logged({ latencyMs: 1, times: 1 }))[0]).toMatchObject({
      returnCode: '0',
      injected: { latencyMs: 1 },
    });
    expect((await logged({ dropConnection: true, times: 1 }))[0]!.injected).toEqual({ dropConnection: true });
  });

  it('a soapFaultRate the draw did not fire leaves the exchange unmarked', async () => {
    const [line] = await logged({ soapFaultRate: 0.5 }, 0.9);
    expect(line).toMatchObject({ returnCode: '0' });
    expect(line!.injected).toBeUndefined();
  });

  it('endLatencies answers the requests an injected latency holds, processed as usual', async () => {
    const clock = manualClock();
    e = engine({ clock });
    e.setFaults([{ operation: 'createTroubleTicketByValue', latencyMs: 60_000 }]);
    const held = create(e);
    await new Promise((r) => setImmediate(r));
    e.endLatencies();
    const r = await held;
    expect(r.returnCode).toBe('0');
    expect((await create(e)).returnCode).toBe('0');
  });
});

describe('logs, counters, reset', () => {
  it('one structured line per exchange with operation, OC, key, returnCode and duration', async () => {
    const lines: ExchangeLog[] = [];
    e = engine({ logger: (l) => lines.push(l) });
    const r = await create(e);
    await call(e, writer.createRequest(createValue(), { login: 'x', password: 'y' }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      operation: 'createTroubleTicketByValue',
      oc: OC1.login,
      troubleTicketKey: r.key,
      returnCode: '0',
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(lines[1]).toMatchObject({ operation: 'createTroubleTicketByValue', fault: 'Client' });
    expect(r.answer.log).toEqual(lines[0]);
  });

  it('with a pino logger, each exchange is one JSON line', async () => {
    const out: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        out.push(String(chunk));
        cb();
      },
    });
    e = engine({ logger: pino({ base: null }, stream) });
    const r = await create(e);
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({
      level: 30,
      operation: 'createTroubleTicketByValue',
      oc: OC1.login,
      troubleTicketKey: r.key,
      returnCode: '0',
    });
  });

  it('counters count requests, faults, operations and return codes', async () => {
    e = engine();
    await create(e);
    await create(e, createValue({ troubleDescription: undefined as never }));
    await call(e, 'garbage');
    const c = e.counters();
    expect(c).toMatchObject({ requests: 3, faults: 1, tickets: 1 });
    expect(c.byReturnCode).toEqual({ '0': 1, '1': 1 });
    expect(c.byOperation.createTroubleTicketByValue).toBe(2);
  });

  it('reset clears tickets and counters but keeps the key sequence', async () => {
    e = engine();
    const before = await newTicket(e);
    e.reset();
    expect(e.counters()).toMatchObject({ requests: 0, tickets: 0 });
    expect(e.listTickets({})).toEqual([]);
    const after = await newTicket(e);
    expect(after).not.toBe(before);
    expect(e.getTicket(before)).toBeUndefined();
  });

  it('stored XML does not keep the OC’s password', async () => {
    e = engine();
    const key = await newTicket(e);
    const xml = e.getTicket(key)!.history[0]!.requestXml;
    expect(xml).not.toContain(OC1.password);
    expect(xml).toContain('***');
  });

  it('listTickets filters by state, OC, technicalId and text', async () => {
    e = engine();
    const a = await newTicket(e, { technicalId: 'FI-1111-0001', troubleDescription: 'Fibre coupée au PBO' });
    const b = await newTicket(e, { technicalId: 'FI-1111-0002' });
    await e.triggerOiAction(b, 'oi.takeInCharge');
    expect(e.listTickets({ state: 'OPENACTIVE' }).map((t) => t.troubleTicketKey)).toEqual([b]);
    expect(e.listTickets({ technicalId: 'FI-1111-0001' }).map((t) => t.troubleTicketKey)).toEqual([a]);
    expect(e.listTickets({ text: 'coupée' }).map((t) => t.troubleTicketKey)).toEqual([a]);
    expect(e.listTickets({ ocSiren: '421938861' })).toEqual([]);
    expect(e.listTickets({ limit: 1 }).map((t) => t.troubleTicketKey)).toEqual([b]);
  });
});
