/** getTroubleTicketByKey (R9) and the OI's asynchronous intake refusals ERR01 / ERR04 (§9). */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { closureLabel } from '../../src/profile/index.ts';
import {
  call,
  create,
  createValue,
  cred,
  engine,
  getByKey,
  getByTechnicalId,
  index,
  newTicket,
  OC1,
  OI_SIREN,
  set,
  setValue,
  writer,
} from './helpers.ts';

let e: LocalMockEngine;
afterEach(() => e?.close());

describe('getTroubleTicketByKey', () => {
  it('by key returns every populated field with the current state and version', async () => {
    e = engine();
    const key = await newTicket(e);
    await e.triggerOiAction(key, 'oi.takeInCharge');
    const r = await getByKey(e, key);
    expect(r.returnCode).toBe('0');
    expect(r.key).toBe(key);
    expect(r.ticket).toMatchObject({
      troubleTicketKey: key,
      troubleTicketState: 'OPENACTIVE',
      lastUpdateVersionNumber: '2',
      technicalId: 'FI-1111-0001',
      defectDescription: 'PAS DE SIGNAL',
    });
    expect(r.ticket!.supplierName).toBeTruthy();
    expect(e.getTicket(key)!.history.at(-1)).toMatchObject({
      operation: 'getTroubleTicketByKey',
      returnCode: '0',
    });
  });

  it('attrNames limits the value to the named fields (key and state always present)', async () => {
    e = engine();
    const key = await newTicket(e);
    const r = await getByKey(e, key, OC1, ['technicalId', 'lastUpdateVersionNumber']);
    expect(r.ticket).toEqual({
      troubleTicketKey: key,
      troubleTicketState: 'QUEUED',
      technicalId: 'FI-1111-0001',
      lastUpdateVersionNumber: '1',
    });
  });

  it('by technicalId returns the open ticket before newer closed ones, else the newest', async () => {
    e = engine({ behaviour: { rejectDuplicateAccess: false } });
    const first = await newTicket(e, { technicalId: 'FI-1111-0002' });
    const second = await newTicket(e, { technicalId: 'FI-1111-0002' });
    await set(e, setValue(second, 'CASE CANCELATION', 'CLOSED', 1));
    expect((await getByTechnicalId(e, 'FI-1111-0002')).key).toBe(first);
    await set(e, setValue(first, 'CASE CANCELATION', 'CLOSED', 1));
    expect((await getByTechnicalId(e, 'FI-1111-0002')).key).toBe(second);
    const third = await newTicket(e, { technicalId: 'FI-1111-0002' });
    const r = await getByTechnicalId(e, 'FI-1111-0002', OC1, ['technicalId']);
    expect(r.key).toBe(third);
    expect(r.ticket).toEqual({
      troubleTicketKey: third,
      troubleTicketState: 'QUEUED',
      technicalId: 'FI-1111-0002',
    });
  });

  it('an unknown key answers code 2 naming it, with nil key and state in the value', async () => {
    e = engine();
    const r = await getByKey(e, 'TT-123456');
    expect(r.answer.status).toBe(200);
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(/^troubleTicketKey\b/);
    expect(r.ticket).toEqual({ troubleTicketKey: null, troubleTicketState: null });
  });

  it('a get naming neither key nor technicalId is answered with code 1', async () => {
    e = engine();
    const r = await call(
      e,
      writer.getRequest({ supplierID: OI_SIREN, serviceProviderID: OC1.siren }, cred(OC1)),
    );
    expect(r.returnCode).toBe('1');
  });
});

describe('intake refusals: created QUEUED, answered 0, then closed by the OI (T6)', () => {
  it('ERR01 when the PTO is not in the inventory', async () => {
    e = engine();
    const r = await create(e, createValue({ technicalId: 'FI-0000-0000' }));
    expect(r.returnCode).toBe('0');
    expect(e.getTicket(r.key!)!.ticket.state).toBe('QUEUED');
    await e.settle();
    const { ticket, history } = e.getTicket(r.key!)!;
    expect(ticket.state).toBe('CLOSED');
    expect(ticket.fields.troubleTicketClosureCode).toBe('ERR01');
    expect(ticket.fields.troubleTicketClosureLabel).toBe(closureLabel(index.closure.get('ERR01')!));
    expect(ticket.lastUpdateVersionNumber).toBe(2);
    expect(history.at(-1)).toMatchObject({ actor: 'OI', action: 'oi.rejection', transition: 'T6' });
  });

  it('ERR01 checks the commercialId when the ticket names no PTO', async () => {
    e = engine();
    const known = await newTicket(e, { technicalId: undefined as never, commercialId: 'ACC-0000000003' });
    const unknown = await newTicket(e, { technicalId: undefined as never, commercialId: 'ACC-9999999999' });
    expect(e.getTicket(known)!.ticket.state).toBe('QUEUED');
    expect(e.getTicket(unknown)!.ticket.fields.troubleTicketClosureCode).toBe('ERR01');
  });

  it('ERR01 for a PTO named with another access’s commercialId; the pair of one entry passes', async () => {
    e = engine();
    const mixed = await newTicket(e, { technicalId: 'FI-1111-0001', commercialId: 'ACC-0000000002' });
    expect(e.getTicket(mixed)!.ticket.fields.troubleTicketClosureCode).toBe('ERR01');
    const pair = await newTicket(e, { technicalId: 'FI-1111-0001', commercialId: 'ACC-0000000001' });
    expect(e.getTicket(pair)!.ticket.state).toBe('QUEUED');
    // The refused pair took no access: the second entry's commercialId alone is still free.
    const second = await newTicket(e, { technicalId: undefined as never, commercialId: 'ACC-0000000002' });
    expect(e.getTicket(second)!.ticket.state).toBe('QUEUED');
  });

  it('ERR04 closes the second open ticket on the same access, not the first', async () => {
    e = engine();
    const first = await create(e, createValue({ technicalId: 'FI-1111-0004' }));
    const second = await create(e, createValue({ technicalId: 'FI-1111-0004' }));
    expect(second.returnCode).toBe('0');
    await e.settle();
    expect(e.getTicket(first.key!)!.ticket.state).toBe('QUEUED');
    const t = e.getTicket(second.key!)!.ticket;
    expect(t.state).toBe('CLOSED');
    expect(t.fields.troubleTicketClosureCode).toBe('ERR04');
    // Once the first is closed, a new ticket on that access is accepted.
    await set(e, setValue(first.key!, 'CASE CANCELATION', 'CLOSED', 1));
    const third = await newTicket(e, { technicalId: 'FI-1111-0004' });
    expect(e.getTicket(third)!.ticket.state).toBe('QUEUED');
  });

  it('another OC’s open ticket on the same access is not a duplicate', async () => {
    e = engine();
    await newTicket(e, { technicalId: 'FI-1111-0003' });
    const { DEMO_ACCOUNTS } = await import('../../mock-server/engine/index.ts');
    const other = await newTicket(e, { technicalId: 'FI-1111-0003' }, DEMO_ACCOUNTS[1]!);
    expect(e.getTicket(other)!.ticket.state).toBe('QUEUED');
  });

  it('with both behaviours off nothing is refused', async () => {
    e = engine({ behaviour: { rejectUnknownPto: false, rejectDuplicateAccess: false } });
    const a = await newTicket(e, { technicalId: 'FI-0000-0000' });
    const b = await newTicket(e, { technicalId: 'FI-0000-0000' });
    expect([e.getTicket(a)!.ticket.state, e.getTicket(b)!.ticket.state]).toEqual(['QUEUED', 'QUEUED']);
  });
});
