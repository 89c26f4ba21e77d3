/**
 * What an OC request may write into a ticket (§7, §8), the access a ticket is on (resolved through
 * the inventory for ERR04 and get by technicalId, §3/§9), the lastUpdateVersionNumber the OC cannot
 * know (§7, §9), and labels that quote what the OC sent without echoing it in full.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { openSqliteStore } from '../../mock-server/store/index.ts';
import { closureLabel, getProfile, indexProfile } from '../../src/profile/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import {
  create,
  createValue,
  engine,
  getByKey,
  getByTechnicalId,
  INVENTORY,
  index,
  newTicket,
  set,
  setValue,
} from './helpers.ts';
import { ticketRecord } from './store-fixtures.ts';

let e: LocalMockEngine;
afterEach(() => e?.close());

const ticket = (key: string) => e.getTicket(key)!.ticket;

/** Fields of the OI (§7, §8 R7) an OC has no business writing. */
const OI_FIELDS = {
  interactionDateComplete: '2025-01-06T09:30:00Z',
  troubleTicketClosureCode: 'RET01',
  troubleTicketClosureLabel: closureLabel(index.closure.get('RET01')!),
  supplierName: 'HACK',
  supplierResolutionState: 'ACTION TERMINEE',
} satisfies TicketValue;

const info = (key: string, version: number, extra: TicketValue = {}) =>
  setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'QUEUED', version, {
    messageType: 'INFO',
    messageContent: 'Le client est joignable le matin',
    ...extra,
  });

describe('an OC request writes only the fields its R6 action lists', () => {
  it('a create carrying OI fields is answered 0; the ticket and a get leave them out', async () => {
    e = engine();
    const r = await create(e, createValue(OI_FIELDS));
    expect(r.returnCode).toBe('0');
    await e.settle();
    const t = ticket(r.key!);
    expect(t.state).toBe('QUEUED');
    for (const field of Object.keys(OI_FIELDS)) expect(t.fields[field], field).toBeUndefined();
    const g = await getByKey(e, r.key!);
    expect(g.returnCode).toBe('0');
    for (const field of Object.keys(OI_FIELDS)) expect(g.ticket![field], field).toBeUndefined();
    expect(g.ticket).toMatchObject({ technicalId: INVENTORY[0]!.technicalId, defectClassId: '1' });
  });

  it('a T4 cannot change the OI fields, the access or the trouble description; it keeps what T4 lists', async () => {
    e = engine();
    const key = await newTicket(e);
    const before = ticket(key).fields;
    const r = await set(
      e,
      info(key, 1, {
        ...OI_FIELDS,
        technicalId: INVENTORY[1]!.technicalId,
        commercialId: INVENTORY[1]!.commercialId,
        troubleDescription: 'Réécrit par le T4',
        contactPhoneNumber1: '0612345678',
      }),
    );
    expect(r.returnCode).toBe('0');
    const t = ticket(key);
    expect(t.state).toBe('QUEUED');
    for (const field of Object.keys(OI_FIELDS)) expect(t.fields[field], field).toBeUndefined();
    expect(t.fields.technicalId).toBe(before.technicalId);
    expect(t.fields.commercialId).toBeUndefined();
    expect(t.fields.troubleDescription).toBe(before.troubleDescription);
    expect(t.fields).toMatchObject({
      messageType: 'INFO',
      messageContent: 'Le client est joignable le matin',
      contactPhoneNumber1: '0612345678',
      description: 'SP CASE INFORMATION NOTIFICATION',
    });
    const g = await getByTechnicalId(e, INVENTORY[0]!.technicalId);
    expect(g.returnCode).toBe('0');
    expect(g.key).toBe(key);
    expect((await getByTechnicalId(e, INVENTORY[1]!.technicalId)).returnCode).toBe('2');
  });

  it('a T4 does not overwrite what the OI wrote (supplierName after T5)', async () => {
    e = engine();
    const key = await newTicket(e);
    expect((await e.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
    const oi = ticket(key).fields;
    const r = await set(
      e,
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'OPENACTIVE', 2, {
        messageType: 'INFO',
        messageContent: 'x',
        supplierName: 'HACK',
        supplierResolutionState: 'ACTION TERMINEE',
      }),
    );
    expect(r.returnCode).toBe('0');
    expect(ticket(key).fields.supplierName).toBe(oi.supplierName);
    expect(ticket(key).fields.supplierResolutionState).toBe(oi.supplierResolutionState);
  });

  it("a T2 cancel: the completion date is the OI's, not the one the OC sent", async () => {
    e = engine();
    const key = await newTicket(e);
    const { interactionDateComplete, supplierName } = OI_FIELDS;
    const r = await set(
      e,
      setValue(key, 'CASE CANCELATION', 'CLOSED', 1, { interactionDateComplete, supplierName }),
    );
    expect(r.returnCode).toBe('0');
    const t = ticket(key);
    expect(t.fields.troubleTicketClosureCode).toBe('ERR07');
    expect(t.fields.interactionDateComplete).not.toBe(OI_FIELDS.interactionDateComplete);
    expect(t.fields.supplierName).toBeUndefined();
  });
});

describe('the access is resolved through the inventory (commercialId or technicalId)', () => {
  const entry = INVENTORY[2]!;
  const byCommercialId = { technicalId: undefined as never, commercialId: entry.commercialId };
  const byPto = { technicalId: entry.technicalId };

  it('ERR04 closes B (technicalId only) when A (commercialId only) is open on that access', async () => {
    e = engine();
    const a = await newTicket(e, byCommercialId);
    const b = await newTicket(e, byPto);
    expect(ticket(a).state).toBe('QUEUED');
    expect(ticket(b).state).toBe('CLOSED');
    expect(ticket(b).fields.troubleTicketClosureCode).toBe('ERR04');
    // The ticket's fields stay as the OC sent them.
    expect(ticket(a).fields.technicalId).toBeUndefined();
    expect(ticket(b).fields.commercialId).toBeUndefined();
  });

  it('ERR04 closes B (commercialId only) when A (technicalId only) is open on that access', async () => {
    e = engine();
    const a = await newTicket(e, byPto);
    const b = await newTicket(e, byCommercialId);
    expect(ticket(a).state).toBe('QUEUED');
    expect(ticket(b).fields.troubleTicketClosureCode).toBe('ERR04');
  });

  it('get by technicalId finds a ticket created with that PTO’s commercialId only', async () => {
    e = engine();
    const a = await newTicket(e, byCommercialId);
    const g = await getByTechnicalId(e, entry.technicalId);
    expect(g.returnCode).toBe('0');
    expect(g.key).toBe(a);
    expect(g.ticket).toMatchObject({ commercialId: entry.commercialId });
    expect(g.ticket!.technicalId).toBeUndefined();
  });

  it('the store finds rows written before the access was resolved (one column set)', () => {
    const store = openSqliteStore();
    try {
      const old = store.insertTicket(
        ticketRecord('TT-1', {
          fields: { commercialId: 'ACC-7' },
          access: { technicalId: null, commercialId: 'ACC-7' },
        }),
      );
      const access = { technicalId: 'FI-7', commercialId: 'ACC-7' };
      expect(store.findByAccess(old.ocSiren, access, true)?.troubleTicketKey).toBe('TT-1');
      expect(store.findOpenOnAccess(old.ocSiren, access, old.id + 1)?.troubleTicketKey).toBe('TT-1');
      expect(store.findOpenOnAccess(old.ocSiren, access, old.id)).toBeUndefined();
      expect(
        store.findByAccess(old.ocSiren, { technicalId: 'FI-8', commercialId: null }, true),
      ).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe('lastUpdateVersionNumber the OI never issued (§7, §9)', () => {
  it('a T4 with 999 on a version-1 ticket is answered 2 naming the field, the value and the version', async () => {
    e = engine();
    const key = await newTicket(e);
    const r = await set(e, info(key, 999));
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(/^lastUpdateVersionNumber : /);
    expect(r.returnLabel).toContain('« 999 »');
    expect(r.returnLabel).toMatch(/\b1\b/);
    expect(r.returnLabel).toContain('[decision]');
    expect(ticket(key).fields.messageType).toBeUndefined();
    // The version the OI issued is still accepted, and the OI's own updates still increment it.
    expect((await set(e, info(key, 1))).returnCode).toBe('0');
    expect((await e.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
    expect(ticket(key).lastUpdateVersionNumber).toBe(2);
  });

  it('a value beyond a double is compared exactly', async () => {
    e = engine();
    const key = await newTicket(e);
    const r = await set(e, info(key, 0, { lastUpdateVersionNumber: '9007199254740993' }));
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(/^lastUpdateVersionNumber : /);
  });

  it('is a profile setting: turned off, the higher version is accepted', async () => {
    e = engine({ index: indexProfile(getProfile(undefined, { rejectUnissuedVersion: false })) });
    const key = await newTicket(e);
    expect((await set(e, info(key, 999))).returnCode).toBe('0');
  });
});

describe('labels quote what the OC sent, shortened', () => {
  const long = 'K'.repeat(500 * 1024);

  it('an unknown troubleTicketKey of 500 KB: get and set answer a short label', async () => {
    e = engine();
    for (const r of [await getByKey(e, long), await set(e, info(long, 1))]) {
      expect(r.returnCode).toBe('2');
      expect(r.returnLabel).toMatch(/^troubleTicketKey : /);
      expect(r.returnLabel).toContain(`« ${'K'.repeat(60)}… »`);
      expect(r.returnLabel!.length).toBeLessThan(300);
      // The response's troubleTicketKey element carries the key; the label does not repeat it.
      expect(r.answer.body.length).toBeLessThan(long.length + 2000);
    }
  });

  it('the identity refusals read as French, apostrophes included', async () => {
    e = engine();
    const r = await create(e, createValue({ supplierID: '397480930' }));
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toContain("« 397480930 » n'est pas le SIREN de cet OI");
  });
});

// The allowed set is derived from the profile: every field a T4 keeps is one oc.information lists.
it('every field a T4 writes is one of the fields its action lists', async () => {
  e = engine();
  const key = await newTicket(e);
  const before = { ...ticket(key).fields };
  const all: TicketValue = {};
  for (const f of index.profile.fields) {
    if (f.type === 'string' && !f.list && !f.siren && !f.required) all[f.name] = 'x';
  }
  delete all[index.settings.unknownKeyField];
  const r = await set(e, info(key, 1, all));
  expect(r.returnCode).toBe('0');
  const declared = index.action.get('oc.information')!;
  const listed = new Set([...declared.mandatory, ...declared.optional]);
  for (const [field, value] of Object.entries(ticket(key).fields)) {
    if (before[field] === value) continue;
    expect(listed.has(field), field).toBe(true);
  }
});
