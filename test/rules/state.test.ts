/** Transitions against the receiver's knowledge of the ticket (§7), generated from the profile. */
import { describe, expect, it } from 'vitest';
import { getProfile, indexProfile } from '../../src/profile/index.ts';
import { closureCodesOf, rolesOf } from '../../src/rules/index.ts';
import { errorsOf, example, index, judge, namesField } from './helpers.ts';

const { invalid } = index.profile.returnCodes;
const { illegalTransitionField, staleVersionField } = index.settings;
const setActions = index.activeActions.filter((a) =>
  a.transitions.some((t) => index.transition.get(t)!.from),
);

/** States from which some active transition with this action code starts, for this actor. */
function legalFrom(actionId: string): Set<string> {
  const a = index.action.get(actionId)!;
  const codes = new Set(a.transitions.map((t) => index.transition.get(t)!.description));
  return new Set(
    index.activeTransitions
      .filter((t) => codes.has(t.description) && t.actor === a.actor)
      .flatMap((t) => t.from ?? []),
  );
}

const illegal = setActions.flatMap((a) =>
  index.profile.states
    .filter((s) => !legalFrom(a.id).has(s.name))
    .map((s) => [a.id, s.name, !!s.final] as const),
);

describe('transition from the current state', () => {
  it.each(illegal)('%s from %s gives returnCode 2 naming the transition field', (actionId, state, final) => {
    const a = index.action.get(actionId)!;
    const { ticket, ctx } = example(a);
    const current = { state, lastUpdateVersionNumber: ctx.current!.lastUpdateVersionNumber };
    const { answer, wire } = judge(ticket, a.operation, { ...ctx, current });
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode')
      expect(namesField(answer.label, illegalTransitionField), answer.label).toBe(true);
    expect(wire.findings.map((f) => f.rule)).toContain(final ? 'TRANSITION.FINAL' : 'TRANSITION');
  });

  const legal = setActions.flatMap((a) =>
    a.transitions.flatMap((t) => (index.transition.get(t)!.from ?? []).map((s) => [a.id, s] as const)),
  );
  it.each(legal)('%s from %s is allowed', (actionId, state) => {
    const a = index.action.get(actionId)!;
    const { ticket, ctx } = example(a);
    const t = index.transition.get(a.transitions[0]!)!;
    const stateField = rolesOf(index).state!.name;
    const requested = t.to === 'unchanged' ? state : t.to;
    const { answer, wire } = judge({ ...ticket, [stateField]: requested }, a.operation, {
      ...ctx,
      current: { state, lastUpdateVersionNumber: 1 },
    });
    expect(answer).toEqual({ kind: 'ok' });
    expect(wire.action?.id).toBe(actionId);
  });

  it.each(setActions.map((a) => [a.id, a] as const))(
    '%s: a requested state the transition does not reach is refused',
    (_id, a) => {
      const { ticket, ctx } = example(a);
      const stateField = rolesOf(index).state!.name;
      const reached = new Set(
        a.transitions
          .map((t) => index.transition.get(t)!)
          .map((t) => (t.to === 'unchanged' ? ctx.current!.state : t.to)),
      );
      const other = index.profile.states.find((s) => !s.legacy && !reached.has(s.name))!.name;
      const { answer, wire } = judge({ ...ticket, [stateField]: other }, a.operation, ctx);
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, stateField)).toBe(true);
      expect(wire.findings.map((f) => f.rule)).toContain('TARGET.STATE');
    },
  );

  it('an action sent by the wrong actor names the action code', () => {
    const a = setActions.find((x) => x.actor === 'OI')!;
    const { ticket, ctx } = example(a);
    const { answer, wire } = judge(ticket, a.operation, { ...ctx, sender: 'OC' });
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    const descField = rolesOf(index).description!.name;
    if (answer.kind === 'returnCode') expect(namesField(answer.label, descField)).toBe(true);
    expect(wire.findings.map((f) => f.rule)).toContain('ACTION.ACTOR');
  });

  it('an unknown action code names the action code field', () => {
    const a = setActions[0]!;
    const descField = rolesOf(index).description!.name;
    const { ticket, ctx } = example(a);
    const { answer } = judge({ ...ticket, [descField]: 'CASE TELEPORTATION' }, a.operation, ctx);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, descField)).toBe(true);
  });

  it('a creation action code in a set is refused naming the action code', () => {
    const create = index.activeActions.find((a) => a.operation === 'createTroubleTicketByValue')!;
    const a = setActions[0]!;
    const descField = rolesOf(index).description!.name;
    const { ticket, ctx } = example(a);
    const code = index.transition.get(create.transitions[0]!)!.description;
    const { direct } = judge({ ...ticket, [descField]: code }, a.operation, ctx);
    expect(direct.findings.find((f) => f.field === descField)?.rule).toBe('ACTION.OPERATION');
  });
});

describe('lastUpdateVersionNumber', () => {
  it.each(setActions.map((a) => [a.id, a] as const))(
    '%s: a version lower than the current one is refused',
    (_id, a) => {
      const { ticket, ctx } = example(a, { version: 4 });
      const current = { ...ctx.current!, lastUpdateVersionNumber: 5 };
      const { answer, wire } = judge(ticket, a.operation, { ...ctx, current });
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, staleVersionField)).toBe(true);
      expect(wire.findings.find((f) => f.rule === 'VERSION.STALE')?.value).toBe('4');
    },
  );

  it.each(setActions.map((a) => [a.id, a] as const))('%s: the current version is accepted', (_id, a) => {
    const { ticket, ctx } = example(a, { version: 5 });
    const current = { ...ctx.current!, lastUpdateVersionNumber: 5 };
    expect(judge(ticket, a.operation, { ...ctx, current }).answer).toEqual({ kind: 'ok' });
  });

  it.each(setActions.map((a) => [a.id, a] as const))(
    '%s: a version above the current one is refused from the OC (never issued), accepted from the OI',
    (_id, a) => {
      const { ticket, ctx } = example(a, { version: 6 });
      const current = { ...ctx.current!, lastUpdateVersionNumber: 5 };
      const { answer, wire } = judge(ticket, a.operation, { ...ctx, current });
      if (a.actor === 'OI') {
        expect(answer).toEqual({ kind: 'ok' });
        return;
      }
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, staleVersionField)).toBe(true);
      expect(wire.findings.find((f) => f.rule === 'VERSION.UNISSUED')?.value).toBe('6');
    },
  );

  it('with rejectStaleVersion off, a stale version is accepted', () => {
    const lax = indexProfile(getProfile(undefined, { rejectStaleVersion: false }));
    const a = setActions[0]!;
    const { ticket, ctx } = example(a, { version: 1 }, lax);
    const { answer } = judge(
      ticket,
      a.operation,
      { ...ctx, current: { ...ctx.current!, lastUpdateVersionNumber: 9 } },
      lax,
    );
    expect(answer).toEqual({ kind: 'ok' });
  });

  it('no current ticket, no version rule', () => {
    const a = setActions[0]!;
    const { ticket, ctx } = example(a, { version: 0 });
    const { current: _c, ...noCurrent } = ctx;
    expect(errorsOf(judge(ticket, a.operation, noCurrent).wire.findings)).toEqual([]);
  });
});

describe('closure code and label', () => {
  const roles = rolesOf(index);
  // Actions that carry a closure code on a transition that sets one (T2's ERR07 is set by the OI, not sent).
  const closing = index.activeActions.filter(
    (a) =>
      a.transitions.some((t) => index.transition.get(t)!.closureCodes) &&
      a.mandatory.includes(roles.closureCode!.name),
  );

  it.each(closing.map((a) => [a.id, a] as const))(
    '%s: a label that is not CODE#TEXT of the code is refused',
    (_id, a) => {
      const { ticket, ctx } = example(a);
      const code = ticket[roles.closureCode!.name]!;
      const other = index.profile.closureCodes.find((c) => c.code !== code)!;
      const { answer, wire } = judge(
        { ...ticket, [roles.closureLabel!.name]: `${other.code}#${other.text}` },
        a.operation,
        ctx,
      );
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, roles.closureLabel!.name)).toBe(true);
      expect(wire.findings.map((f) => f.rule)).toContain('CLOSURE.LABEL');
    },
  );

  it.each(closing.map((a) => [a.id, a] as const))(
    '%s: a closure code its transition does not set is refused',
    (_id, a) => {
      const { ticket, ctx } = example(a);
      const t = index.transition.get(a.transitions[0]!)!;
      const allowed = closureCodesOf(index, t.closureCodes!);
      const other = index.profile.closureCodes.find((c) => !allowed.includes(c.code))!;
      const changed = {
        ...ticket,
        [roles.closureCode!.name]: other.code,
        [roles.closureLabel!.name]: `${other.code}#${other.text}`,
      };
      const { answer, wire } = judge(changed, a.operation, ctx);
      expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, roles.closureCode!.name)).toBe(true);
      expect(wire.findings.map((f) => f.rule)).toContain('CLOSURE.CODE');
    },
  );

  it.each(
    closing.flatMap((a) =>
      closureCodesOf(index, index.transition.get(a.transitions[0]!)!.closureCodes!).map(
        (c) => [a.id, c] as const,
      ),
    ),
  )('%s accepts closure code %s with its label', (actionId, code) => {
    const a = index.action.get(actionId)!;
    const { ticket, ctx } = example(a, { full: true });
    const c = index.closure.get(code)!;
    const { answer } = judge(
      { ...ticket, [roles.closureCode!.name]: code, [roles.closureLabel!.name]: `${c.code}#${c.text}` },
      a.operation,
      ctx,
    );
    expect(answer).toEqual({ kind: 'ok' });
  });
});
