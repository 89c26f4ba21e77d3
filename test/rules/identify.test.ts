/**
 * Identification of the action a create/set carries. A receiver (the mock) applies what the rules
 * accept: every accepted message must name its action and transition, from any state.
 */
import { describe, expect, it } from 'vitest';
import { getProfile, indexProfile, type Profile } from '../../src/profile/index.ts';
import { rolesOf } from '../../src/rules/index.ts';
import { example, index, judge, namesField } from './helpers.ts';

const { missing } = index.profile.returnCodes;
const stateField = rolesOf(index).state!.name;

describe('an accepted message identifies its action and transition', () => {
  const cases = index.activeActions.flatMap((a) =>
    a.transitions.flatMap((id) => {
      const t = index.transition.get(id)!;
      return (t.from ?? [null]).map((from) => [a.id, from, t.to] as const);
    }),
  );
  it.each(cases)('%s from %s', (actionId, from, to) => {
    const a = index.action.get(actionId)!;
    const { ticket } = example(a);
    const requested = to === 'unchanged' ? from : to;
    const current = from === null ? {} : { current: { state: from, lastUpdateVersionNumber: 1 } };
    const { answer, wire } = judge({ ...ticket, [stateField]: requested }, a.operation, {
      sender: a.actor,
      ...current,
    });
    expect(answer).toEqual({ kind: 'ok' });
    expect(wire.action?.id).toBe(actionId);
    expect(wire.transition?.to).toBe(to);
  });
});

describe('a set without its action code', () => {
  const base = getProfile();
  const descField = rolesOf(indexProfile(base)).description!.name;
  // A profile where one OC set does not list the action code among its mandatory fields.
  const relaxed: Profile = {
    ...base,
    id: 'test-relaxed-description',
    actions: base.actions.map((a) =>
      a.id === 'oc.information' ? { ...a, mandatory: a.mandatory.filter((f) => f !== descField) } : a,
    ),
  };
  const ix = indexProfile(relaxed);

  it('is refused with returnCode 1 naming the action code, even where an action does not require it', () => {
    const a = ix.action.get('oc.information')!;
    const { ticket, ctx } = example(a, {}, ix);
    const { [descField]: _dropped, ...rest } = ticket;
    const { answer, wire } = judge(rest, a.operation, ctx, ix);
    expect(wire.action).toBeUndefined();
    expect(answer).toMatchObject({ kind: 'returnCode', code: missing });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, descField), answer.label).toBe(true);
    expect(wire.findings.map((f) => f.rule)).toContain('ACTION.UNIDENTIFIED');
  });
});
