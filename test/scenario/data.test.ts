import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { answerFor, checkTicket, luhnValid } from '../../src/rules/index.ts';
import { actionData, makeFaker, seedOf, sirenFields, violationsFor } from '../../src/scenario/data.ts';
import { pathTo } from '../../src/scenario/generated.ts';
import { actionFields } from '../../src/scenario/rulebook.ts';

const index = defaultIndex();
const parties = { ocSiren: '380129866', oiSiren: '343059564' };
const { success, missing, invalid } = index.profile.returnCodes;

/** A ticket of this action for a ticket in the first state it is allowed from. */
function context(actionId: string, seed = 7) {
  const a = index.action.get(actionId)!;
  const t = index.transition.get(a.transitions[0]!)!;
  const state = t.from?.[0];
  const known = state ? { key: 'TT-000001', state, version: 2 } : undefined;
  const ctx = { index, faker: makeFaker(seed), parties, ...(known ? { ticket: known } : {}) };
  const current = known ? { state: known.state, lastUpdateVersionNumber: known.version } : undefined;
  return { a, ctx, current };
}

/** As sent: the writer emits a schema-required element (key, state) as nil when it has no value. */
const check = (
  actionId: string,
  ticket: Record<string, string | null>,
  current?: { state: string; lastUpdateVersionNumber: number },
) => {
  const a = index.action.get(actionId)!;
  const sent = { ...ticket };
  for (const f of index.profile.fields) if (f.required && sent[f.name] === undefined) sent[f.name] = null;
  return checkTicket(sent, a.operation, index, { sender: a.actor, ...(current ? { current } : {}) });
};

describe('generated ticket data', () => {
  it.each(index.activeActions.map((a) => a.id))(
    '%s: valid for the rule engine, identified as that action',
    (id) => {
      const { a, ctx, current } = context(id);
      const ticket = actionData(a, ctx);
      const outcome = check(id, ticket, current);
      expect(outcome.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(outcome.action?.id).toBe(id);
      expect(answerFor(outcome.findings, index)).toEqual({ kind: 'ok' });
    },
  );

  it('is reproducible for a seed and differs between seeds', () => {
    const a = index.action.get('oc.create')!;
    const now = new Date('2025-06-01T10:00:00Z');
    const one = actionData(a, { index, faker: makeFaker(seedOf('scenario.a')), parties, now });
    const again = actionData(a, { index, faker: makeFaker(seedOf('scenario.a')), parties, now });
    const other = actionData(a, { index, faker: makeFaker(seedOf('scenario.b')), parties, now });
    expect(again).toEqual(one);
    expect(other).not.toEqual(one);
  });

  it('puts the OC and OI SIRENs (valid Luhn keys) in their fields, and makes SIRENs from 8 digits', () => {
    const ticket = actionData(index.action.get('oc.create')!, { index, faker: makeFaker(1), parties });
    const { oc, oi } = sirenFields(index);
    expect(ticket[oc!.name]).toBe(parties.ocSiren);
    expect(ticket[oi!.name]).toBe(parties.oiSiren);
    expect(luhnValid(ticket[oc!.name]!)).toBe(true);
  });

  it('honours given values and completes what their conditions require', () => {
    const a = index.action.get('oc.create')!;
    const ticket = actionData(
      a,
      { index, faker: makeFaker(3), parties },
      { set: { appointmentMode: 'AUTO' } },
    );
    expect(ticket.appointmentMode).toBe('AUTO');
    for (const c of a.conditions!.filter(
      (c) => c.when.field === 'appointmentMode' && !('equals' in c.when && c.when.equals !== 'AUTO'),
    )) {
      for (const f of c.require) expect(ticket[f], f).toBeTruthy();
    }
    expect(check('oc.create', ticket).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('derives a consistent closure label from a given closure code', () => {
    const { a, ctx, current } = context('oi.resolution');
    const ticket = actionData(a, ctx, { set: { troubleTicketClosureCode: 'RET04' } });
    expect(ticket.troubleTicketClosureLabel).toBe('RET04#DEFAUT CAUSE PAR UN TIERS IDENTIFIE');
    expect(check('oi.resolution', ticket, current).findings.filter((f) => f.severity === 'error')).toEqual(
      [],
    );
  });

  it('every violation of every field of every action makes the rule engine demand returnCode 2 naming that field', () => {
    let count = 0;
    for (const a of index.activeActions) {
      const { ctx, current } = context(a.id, 11);
      for (const field of actionFields(a)) {
        for (const v of violationsFor(index, field, a)) {
          const ticket = actionData(a, { ...ctx, faker: makeFaker(11) }, { set: { [field]: v.value } });
          const answer = answerFor(check(a.id, ticket, current).findings, index);
          expect(answer, `${a.id} ${field} ${v.kind} ${v.value}`).toMatchObject({
            kind: 'returnCode',
            code: invalid,
          });
          expect(
            (answer as { label: string }).label.startsWith(`${field} `),
            (answer as { label: string }).label,
          ).toBe(true);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(100);
  });

  it('every mandatory field of every action, removed, makes the rule engine demand returnCode 1 naming it', () => {
    for (const a of index.activeActions) {
      const { ctx, current } = context(a.id, 5);
      for (const field of a.mandatory) {
        const ticket = actionData(a, ctx);
        delete ticket[field];
        const answer = answerFor(check(a.id, ticket, current).findings, index);
        expect(answer, `${a.id} without ${field}`).toMatchObject({ kind: 'returnCode', code: missing });
        expect((answer as { label: string }).label.startsWith(`${field} `)).toBe(true);
      }
    }
    expect(success).toBe('0');
  });

  it('finds the shortest happy path to every state', () => {
    for (const s of index.profile.states.filter((s) => !s.legacy)) {
      const path = pathTo(s.name, index);
      expect(path, s.name).toBeDefined();
      expect(path![0]!.id).toBe('oc.create');
    }
    expect(pathTo('OPENACTIVE.TO.BE.CANCELED', index)!.map((a) => a.id)).toEqual([
      'oc.create',
      'oi.takeInCharge',
      'oc.cancellationRequest',
    ]);
  });
});
