/**
 * A profile with one more field, one more value list and one more action (as SAV 3.0 would add):
 * the rules and the examples cover them with no code change.
 */
import { describe, expect, it } from 'vitest';
import { getProfile, indexProfile, type Profile } from '../../src/profile/index.ts';
import { wrongValues } from '../../src/rules/examples.ts';
import { rolesOf } from '../../src/rules/index.ts';
import { errorsOf, example, judge, namesField } from './helpers.ts';

const base = getProfile();
const descList = base.valueLists.find((l) => l.id === rolesOf(indexProfile(base)).description!.list)!;
const ESCALATION = 'SP CASE ESCALATION';

const extended: Profile = {
  ...base,
  id: 'test-extended',
  fields: [
    ...base.fields,
    {
      name: 'PRDMId',
      ns: 'ftth',
      group: 'ftth',
      type: 'string',
      nillable: true,
      maxLength: 12,
      basis: 'decision',
      clause: 'test',
      label: 'PRDM',
    },
    {
      name: 'escalationLevel',
      ns: 'ftth',
      group: 'ftth',
      type: 'integer',
      nillable: true,
      list: 'escalationLevel',
      basis: 'decision',
      clause: 'test',
      label: 'Niveau',
    },
  ],
  valueLists: [
    ...base.valueLists.map((l) => (l === descList ? { ...l, values: [...l.values, ESCALATION] } : l)),
    { id: 'escalationLevel', values: ['1', '2'], mode: 'strict', basis: 'decision', clause: 'test' },
  ],
  transitions: [
    ...base.transitions,
    {
      id: 'T12',
      from: ['OPENACTIVE'],
      to: 'unchanged',
      actor: 'OC',
      description: ESCALATION,
      title: 'Escalade',
      basis: 'decision',
      clause: 'test',
    },
  ],
  actions: [
    ...base.actions.map((a) => (a.id === 'oc.create' ? { ...a, optional: [...a.optional, 'PRDMId'] } : a)),
    {
      id: 'oc.escalation',
      catalogue: 'R6',
      actor: 'OC',
      title: 'Escalade',
      operation: 'setTroubleTicketByValue',
      transitions: ['T12'],
      mandatory: [...base.commonSet.mandatory, 'PRDMId', 'escalationLevel'],
      optional: ['messageContent'],
      basis: 'decision',
      clause: 'test',
    },
  ],
};
const ix = indexProfile(extended);
const { missing, invalid } = extended.returnCodes;

describe('a profile extended with a field, a list and an action', () => {
  const escalation = ix.action.get('oc.escalation')!;

  it('the new action is active and its example is valid, on the wire too', () => {
    expect(ix.activeActions).toContain(escalation);
    const { ticket, ctx } = example(escalation, {}, ix);
    expect(ticket.PRDMId).toBeDefined();
    const r = judge(ticket, escalation.operation, ctx, ix);
    expect(errorsOf(r.wire.findings)).toEqual([]);
    expect(r.wire.action?.id).toBe('oc.escalation');
  });

  it.each(escalation.mandatory)('dropping %s gives returnCode 1 naming it', (field) => {
    const { ticket, ctx } = example(escalation, {}, ix);
    const { [field]: _d, ...rest } = ticket;
    const { answer } = judge(rest, escalation.operation, ctx, ix);
    expect(answer).toMatchObject({ kind: 'returnCode', code: missing });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
  });

  it.each(
    ['PRDMId', 'escalationLevel'].flatMap((name) =>
      wrongValues(ix.field.get(name)!, ix).map((w) => [name, w] as const),
    ),
  )('%s = wrong value gives returnCode 2 naming it', (field, w) => {
    const { ticket, ctx } = example(escalation, {}, ix);
    const { answer } = judge({ ...ticket, [field]: w.value }, escalation.operation, ctx, ix);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
  });

  it('the new optional field of an existing action is checked', () => {
    const create = ix.action.get('oc.create')!;
    const { ticket, ctx } = example(create, { full: true }, ix);
    expect(ticket.PRDMId).toBeDefined();
    const { answer } = judge({ ...ticket, PRDMId: 'x'.repeat(13) }, create.operation, ctx, ix);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
  });
});
