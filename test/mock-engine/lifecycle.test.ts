/** The life cycle (§7): every transition T1–T11 and the illegal ones, driven through handleSoap and triggerOiAction. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { closureLabel } from '../../src/profile/index.ts';
import { create, createValue, engine, getByKey, index, newTicket, OC1, set, setValue } from './helpers.ts';

const settings = index.settings;
const label = (code: string) => closureLabel(index.closure.get(code)!);

let e: LocalMockEngine;
beforeEach(() => {
  e = engine({ behaviour: { rejectDuplicateAccess: false } });
});
afterEach(() => e.close());

const ticket = (key: string) => e.getTicket(key)!.ticket;

async function openActive(): Promise<string> {
  const key = await newTicket(e);
  const r = await e.triggerOiAction(key, 'oi.takeInCharge');
  expect(r.returnCode).toBe('0');
  return key;
}

async function toBeCanceled(): Promise<string> {
  const key = await openActive();
  const r = await set(e, setValue(key, 'CASE CANCELATION REQUEST', 'OPENACTIVE.TO.BE.CANCELED', 2));
  expect(r.returnCode).toBe('0');
  return key;
}

describe('OC actions (R6) through SOAP', () => {
  it('T1 creates a QUEUED ticket with a new key, the initial version, and its history committed', async () => {
    const r = await create(e);
    expect(r.answer.status).toBe(200);
    expect(r.returnCode).toBe('0');
    expect(r.key).toMatch(/^TT-\d{6}$/);
    const t = ticket(r.key!);
    expect(t.state).toBe('QUEUED');
    expect(t.lastUpdateVersionNumber).toBe(settings.initialVersionNumber);
    expect(t.ocSiren).toBe(OC1.siren);
    const { history } = e.getTicket(r.key!)!;
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      direction: 'in',
      actor: 'OC',
      transition: 'T1',
      returnCode: '0',
      stateAfter: 'QUEUED',
    });
    expect(history[0]!.requestXml).toContain('createTroubleTicketByValueRequest');
    expect(history[0]!.responseXml).toContain(r.key);
  });

  it('T1 keys follow a sequence', async () => {
    const a = await create(e);
    const b = await create(e, createValue({ technicalId: 'FI-1111-0002' }));
    expect(Number(b.key!.slice(3))).toBe(Number(a.key!.slice(3)) + 1);
  });

  it('T2 cancels in QUEUED: closed by the OI with ERR07, interactionDateComplete set, version incremented once', async () => {
    const key = await newTicket(e);
    const r = await set(
      e,
      setValue(key, 'CASE CANCELATION', 'CLOSED', 1, { messageContent: 'Le client a retrouvé le service' }),
    );
    expect(r.returnCode).toBe('0');
    expect(r.key).toBe(key);
    const t = ticket(key);
    expect(t.state).toBe('CLOSED');
    expect(t.fields.troubleTicketClosureCode).toBe('ERR07');
    expect(t.fields.troubleTicketClosureLabel).toBe(label('ERR07'));
    expect(t.fields.interactionDateComplete).toBeTruthy();
    expect(t.fields.messageContent).toBe('Le client a retrouvé le service');
    expect(t.lastUpdateVersionNumber).toBe(settings.initialVersionNumber + 1);
    const g = await getByKey(e, key);
    expect(g.ticket).toMatchObject({ troubleTicketState: 'CLOSED', troubleTicketClosureCode: 'ERR07' });
  });

  it('T3 asks for cancellation in OPENACTIVE: OPENACTIVE.TO.BE.CANCELED, version unchanged', async () => {
    const key = await toBeCanceled();
    const t = ticket(key);
    expect(t.state).toBe('OPENACTIVE.TO.BE.CANCELED');
    expect(t.lastUpdateVersionNumber).toBe(2);
  });

  it.each([
    ['QUEUED', async () => newTicket(e), 1],
    ['OPENACTIVE', openActive, 2],
    ['OPENACTIVE.TO.BE.CANCELED', toBeCanceled, 2],
  ] as const)(
    'T4 informs in %s: state and version unchanged, fields merged',
    async (state, make, version) => {
      const key = await make();
      const r = await set(
        e,
        setValue(key, 'SP CASE INFORMATION NOTIFICATION', state, version, {
          messageType: 'INFO',
          messageContent: 'Client joignable le matin',
          contactPhoneNumber2: '0600000000',
        }),
      );
      expect(r.returnCode).toBe('0');
      const t = ticket(key);
      expect(t.state).toBe(state);
      expect(t.lastUpdateVersionNumber).toBe(version);
      expect(t.fields).toMatchObject({
        messageContent: 'Client joignable le matin',
        contactPhoneNumber2: '0600000000',
      });
    },
  );

  it('T4 changes the appointment (DEMANDE RDV, MANUEL)', async () => {
    const key = await openActive();
    const r = await set(
      e,
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'OPENACTIVE', 2, {
        messageType: 'DEMANDE RDV',
        appointmentMode: 'MANUEL',
        appointmentSuggestion1: '2025-01-08T09:00:00Z',
      }),
    );
    expect(r.returnCode).toBe('0');
    expect(ticket(key).fields.appointmentSuggestion1).toBe('2025-01-08T09:00:00Z');
    expect(e.getTicket(key)!.history.at(-1)).toMatchObject({
      action: 'oc.appointmentChange',
      transition: 'T4',
    });
  });
});

describe('OI actions (R7) through triggerOiAction', () => {
  it('T5 takes in charge: OPENACTIVE, version + 1, supplier fields, history entry', async () => {
    const key = await newTicket(e);
    const r = await e.triggerOiAction(key, 'oi.takeInCharge', { supplierUnit: 'Plateau SAV Lyon' });
    expect(r.returnCode).toBe('0');
    expect(r.ticket).toMatchObject({ state: 'OPENACTIVE', lastUpdateVersionNumber: 2 });
    expect(r.ticket.fields.supplierName).toBeTruthy();
    expect(r.ticket.fields.supplierResolutionState).toBeTruthy();
    expect(r.ticket.fields.supplierUnit).toBe('Plateau SAV Lyon');
    const last = e.getTicket(key)!.history.at(-1)!;
    expect(last).toMatchObject({
      direction: 'push',
      actor: 'OI',
      action: 'oi.takeInCharge',
      transition: 'T5',
    });
    expect(last).toMatchObject({ stateBefore: 'QUEUED', stateAfter: 'OPENACTIVE' });
    expect(last.requestXml).toContain('CASE SOLVING NOTIFICATION');
  });

  it('T6 rejects with an ERR code: CLOSED, label derived from the code, interactionDateComplete', async () => {
    const key = await newTicket(e);
    const r = await e.triggerOiAction(key, 'oi.rejection', { troubleTicketClosureCode: 'ERR03' });
    expect(r.returnCode).toBe('0');
    expect(r.ticket.state).toBe('CLOSED');
    expect(r.ticket.fields.troubleTicketClosureLabel).toBe(label('ERR03'));
    expect(r.ticket.fields.interactionDateComplete).toBeTruthy();
  });

  it('T7 plans: OPENACTIVE with a planned date, version + 1', async () => {
    const key = await openActive();
    const r = await e.triggerOiAction(key, 'oi.plan');
    expect(r.returnCode).toBe('0');
    expect(r.ticket).toMatchObject({ state: 'OPENACTIVE', lastUpdateVersionNumber: 3 });
    expect(r.ticket.fields.supplierResolutionState).toBe('ACTION PLANIFIEE');
    expect(r.ticket.fields.supplierPlannedActionDate).toBeTruthy();
  });

  it.each([
    ['QUEUED', async () => newTicket(e)],
    ['OPENACTIVE', openActive],
    ['OPENACTIVE.TO.BE.CANCELED', toBeCanceled],
  ] as const)('T8 informs in %s: state unchanged, version + 1', async (state, make) => {
    const key = await make();
    const before = ticket(key).lastUpdateVersionNumber;
    const r = await e.triggerOiAction(key, 'oi.information', { messageContent: 'Technicien en route' });
    expect(r.returnCode).toBe('0');
    expect(r.ticket.state).toBe(state);
    expect(r.ticket.lastUpdateVersionNumber).toBe(before + 1);
    expect(r.ticket.fields.messageContent).toBe('Technicien en route');
    expect(e.getTicket(key)!.history.at(-1)!.transition).toBe('T8');
  });

  it('T9 resolves with a RET code: CLOSED, serviceRestoredTime and closure label set', async () => {
    const key = await openActive();
    const r = await e.triggerOiAction(key, 'oi.resolution', { troubleTicketClosureCode: 'RET02' });
    expect(r.returnCode).toBe('0');
    expect(r.ticket.state).toBe('CLOSED');
    expect(r.ticket.fields).toMatchObject({
      troubleTicketClosureCode: 'RET02',
      troubleTicketClosureLabel: label('RET02'),
    });
    expect(r.ticket.fields.serviceRestoredTime).toBeTruthy();
    expect(r.ticket.fields.interactionDateComplete).toBeTruthy();
  });

  it('T9 with STT01 (no fault on the OI side) carries no serviceRestoredTime', async () => {
    const key = await openActive();
    const r = await e.triggerOiAction(key, 'oi.resolution', { troubleTicketClosureCode: 'STT01' });
    expect(r.returnCode).toBe('0');
    expect(r.ticket.fields.serviceRestoredTime).toBeUndefined();
  });

  it('T10 agrees to the cancellation: CLOSED with STT02', async () => {
    const key = await toBeCanceled();
    const r = await e.triggerOiAction(key, 'oi.cancellationAgreement');
    expect(r.returnCode).toBe('0');
    expect(r.ticket.state).toBe('CLOSED');
    expect(r.ticket.fields.troubleTicketClosureLabel).toBe(label('STT02'));
  });

  it('T11 refuses the cancellation: back to OPENACTIVE', async () => {
    const key = await toBeCanceled();
    const r = await e.triggerOiAction(key, 'oi.cancellationRefusal');
    expect(r.returnCode).toBe('0');
    expect(r.ticket.state).toBe('OPENACTIVE');
    expect(e.getTicket(key)!.history.at(-1)!.transition).toBe('T11');
  });

  it('unknown ticket and unknown action are refused with a typed error', async () => {
    const key = await newTicket(e);
    await expect(e.triggerOiAction('TT-999999', 'oi.takeInCharge')).rejects.toMatchObject({
      code: 'unknown-ticket',
    });
    await expect(e.triggerOiAction(key, 'oc.cancel')).rejects.toMatchObject({ code: 'unknown-action' });
  });
});

describe('illegal transitions get returnCode 2 naming the state, and change nothing', () => {
  const closed = async () => {
    const key = await newTicket(e);
    await set(e, setValue(key, 'CASE CANCELATION', 'CLOSED', 1));
    return key;
  };
  const states = { QUEUED: () => newTicket(e), OPENACTIVE: openActive, TBC: toBeCanceled, CLOSED: closed };

  it.each([
    ['CASE CANCELATION', 'CLOSED', 'OPENACTIVE'],
    ['CASE CANCELATION', 'CLOSED', 'TBC'],
    ['CASE CANCELATION REQUEST', 'OPENACTIVE.TO.BE.CANCELED', 'QUEUED'],
    ['CASE CANCELATION REQUEST', 'OPENACTIVE.TO.BE.CANCELED', 'TBC'],
    ['SP CASE INFORMATION NOTIFICATION', 'CLOSED', 'CLOSED'],
    ['CASE CANCELATION', 'CLOSED', 'CLOSED'],
  ] as const)('OC %s → %s from %s', async (description, to, from) => {
    const key = await states[from]();
    const before = ticket(key);
    const r = await set(
      e,
      setValue(key, description, to, before.lastUpdateVersionNumber, {
        messageType: 'INFO',
        messageContent: 'x',
      }),
    );
    expect(r.answer.status).toBe(200);
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(new RegExp(`^${settings.illegalTransitionField}\\b`));
    expect(ticket(key)).toEqual(before);
    expect(e.getTicket(key)!.history.at(-1)).toMatchObject({ returnCode: '2', stateBefore: before.state });
  });

  it('an OC sending an OI action code (CASE SOLVED NOTIFICATION) is refused', async () => {
    const key = await openActive();
    const before = ticket(key);
    const r = await set(
      e,
      setValue(key, 'CASE SOLVED NOTIFICATION', 'CLOSED', 2, {
        troubleTicketClosureCode: 'RET01',
        troubleTicketClosureLabel: label('RET01'),
      }),
    );
    expect(['1', '2']).toContain(r.returnCode);
    expect(ticket(key)).toEqual(before);
  });

  it.each([
    ['oi.takeInCharge', 'OPENACTIVE'],
    ['oi.plan', 'QUEUED'],
    ['oi.resolution', 'QUEUED'],
    ['oi.rejection', 'OPENACTIVE'],
    ['oi.cancellationAgreement', 'OPENACTIVE'],
    ['oi.cancellationRefusal', 'QUEUED'],
    ['oi.information', 'CLOSED'],
    ['oi.takeInCharge', 'CLOSED'],
  ] as const)('OI %s from %s', async (action, from) => {
    const key = await states[from]();
    const before = ticket(key);
    const r = await e.triggerOiAction(key, action);
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(new RegExp(`^${settings.illegalTransitionField}\\b`));
    expect(r.ticket).toEqual(before);
    expect(ticket(key)).toEqual(before);
  });

  it('an OI action whose values the rules refuse is not applied (rejection with a RET code)', async () => {
    const key = await newTicket(e);
    const before = ticket(key);
    const r = await e.triggerOiAction(key, 'oi.rejection', { troubleTicketClosureCode: 'RET01' });
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(/^troubleTicketClosure(Code|Label)\b/);
    expect(ticket(key)).toEqual(before);
  });
});

describe('lastUpdateVersionNumber', () => {
  it('a set carrying a version lower than the ticket’s is refused with code 2 naming it', async () => {
    const key = await openActive();
    const before = ticket(key);
    const r = await set(
      e,
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'OPENACTIVE', 1, {
        messageType: 'INFO',
        messageContent: 'x',
      }),
    );
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(new RegExp(`^${settings.staleVersionField}\\b`));
    expect(ticket(key)).toEqual(before);
  });

  it('the OI increments it at each of its actions; the OC’s sets keep it', async () => {
    const key = await newTicket(e);
    const seen = [ticket(key).lastUpdateVersionNumber];
    await e.triggerOiAction(key, 'oi.takeInCharge');
    seen.push(ticket(key).lastUpdateVersionNumber);
    await set(
      e,
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'OPENACTIVE', 2, {
        messageType: 'INFO',
        messageContent: 'x',
      }),
    );
    seen.push(ticket(key).lastUpdateVersionNumber);
    await e.triggerOiAction(key, 'oi.plan');
    seen.push(ticket(key).lastUpdateVersionNumber);
    expect(seen).toEqual([1, 2, 2, 3]);
  });
});
