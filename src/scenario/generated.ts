/**
 * Scenarios generated from the profile rather than written by hand: for every action, each
 * mandatory-field omission (returnCode 1 naming it), each format and value-list violation
 * (returnCode 2 naming it), each state the action is not allowed from (returnCode 2 naming
 * settings.illegalTransitionField) and, for closing OI actions, a closure code of another family.
 *
 * R6 actions are sent by the harness as the OC to the OI under test (role oc); R7 actions are pushed
 * by the harness as the OI to the OC under test (role oi, `push` steps). Each scenario first brings
 * a fresh ticket into a state the action is allowed from, along the shortest happy path.
 */
import type { ActionDef, Condition, ProfileIndex } from '../profile/index.ts';
import { closureCodesOf, rolesOf } from '../rules/index.ts';
import { violationsFor } from './data.ts';
import { actionFields, illegalStates, roleTestingAction, rulebookOf, shortActionName } from './rulebook.ts';
import type { FieldValues, Scenario, Step } from './schema.ts';

export const GENERATED_TAG = 'generated';

/** Shortest sequence of happy-path actions from creation to a state (creation included). */
export function pathTo(state: string, index: ProfileIndex): ActionDef[] | undefined {
  const create = index.activeActions.find((a) =>
    a.transitions.some((t) => index.transition.get(t)?.from === null),
  );
  if (!create) return undefined;
  const start = index.transition.get(create.transitions[0]!)!.to;
  const queue: { state: string; path: ActionDef[] }[] = [{ state: start as string, path: [create] }];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const { state: s, path } = queue.shift()!;
    if (s === state) return path;
    for (const a of index.activeActions) {
      for (const tid of a.transitions) {
        const t = index.transition.get(tid)!;
        if (!t.from?.includes(s) || t.to === 'unchanged' || seen.has(t.to)) continue;
        seen.add(t.to);
        queue.push({ state: t.to, path: [...path, a] });
      }
    }
  }
  return undefined;
}

/** A state the action is allowed from, the closest to creation. */
function startStateFor(a: ActionDef, index: ProfileIndex): string | null {
  const t = index.transition.get(a.transitions[0]!)!;
  if (t.from === null) return null;
  let best: { state: string; length: number } | undefined;
  for (const s of t.from) {
    const p = pathTo(s, index);
    if (p && (!best || p.length < best.length)) best = { state: s, length: p.length };
  }
  return best?.state ?? t.from[0]!;
}

function setupSteps(state: string | null, index: ProfileIndex): Step[] {
  if (state === null) return [];
  const path = pathTo(state, index) ?? [];
  return path.map((a, i): Step => {
    const name = shortActionName(a);
    const title = `préparation : ${a.title}`;
    if (i === 0) return { id: 'create', oc: name, title } as Step;
    return (a.actor === 'OC' ? { oc: name, title } : { oi: name, title }) as Step;
  });
}

/** The step that sends the action under test: `oc` (role oc) or `push` (role oi). */
function actionStep(a: ActionDef, extra: Record<string, unknown>): Step {
  const key = a.actor === 'OC' ? 'oc' : 'push';
  return { [key]: shortActionName(a), ...extra } as Step;
}

/** Values that make a condition hold. */
function conditionSet(c: Condition, a: ActionDef, index: ProfileIndex): FieldValues {
  const w = c.when;
  const f = index.field.get(w.field)!;
  const values = f.list ? index.list.get(f.list)!.values : [];
  if ('equals' in w) return { [w.field]: w.equals };
  if ('in' in w) return { [w.field]: w.in[0]! };
  if ('notIn' in w) {
    const allowed = a.transitions.flatMap((t) =>
      closureCodesOf(index, index.transition.get(t)!.closureCodes ?? []),
    );
    const candidates = (allowed.length ? allowed : values).filter((v) => !w.notIn.includes(v));
    const v = candidates[0];
    return v !== undefined ? { [w.field]: v } : {};
  }
  return values[0] !== undefined ? { [w.field]: values[0] } : {};
}

/** Every generated scenario of the profile. */
export function generatedScenarios(index: ProfileIndex): Scenario[] {
  const book = rulebookOf(index);
  const out: Scenario[] = [];
  const file = `generated:${index.profile.id}`;
  const roles = rolesOf(index);
  const add = (a: ActionDef, kind: string, suffix: string, rule: string, title: string, steps: Step[]) => {
    const entry = book.get(rule);
    out.push({
      id: `gen.${a.id}.${kind}.${suffix}`,
      title,
      tags: [GENERATED_TAG, kind, a.id],
      clauses: [entry?.clause ?? a.clause],
      roles: [roleTestingAction(a)],
      file,
      steps,
    } as Scenario);
  };

  for (const a of index.activeActions) {
    const start = startStateFor(a, index);
    const setup = () => setupSteps(start, index);
    const who = a.actor === 'OC' ? 'l OI' : 'l OC';

    for (const f of a.mandatory) {
      const rule = `MANDATORY:${a.id}:${f}`;
      add(a, 'mandatory', f, rule, `${a.title} sans ${f} : ${who} répond returnCode 1 nommant ${f}`, [
        ...setup(),
        actionStep(a, { remove: [f], rule, expect: { returnCode: '1', field: f } }),
      ]);
    }
    for (const group of a.oneOf ?? []) {
      const rule = `ONEOF:${a.id}:${group.join('|')}`;
      add(a, 'oneof', group.join('-'), rule, `${a.title} sans aucun de ${group.join(', ')} : returnCode 1`, [
        ...setup(),
        actionStep(a, { remove: group, rule, expect: { returnCode: '1', field: group } }),
      ]);
    }
    for (const c of a.conditions ?? []) {
      for (const f of c.require) {
        const rule = `CONDITION:${c.id}:${f}`;
        const set = conditionSet(c, a, index);
        add(a, 'condition', `${c.id}.${f}`, rule, `${c.title} : sans ${f}, returnCode 1 nommant ${f}`, [
          ...setup(),
          actionStep(a, { set, remove: [f], rule, expect: { returnCode: '1', field: f } }),
        ]);
      }
    }
    for (const f of actionFields(a)) {
      if (index.field.get(f) === undefined) continue;
      for (const v of violationsFor(index, f, a)) {
        const rule = v.kind === 'ALLOWED' ? `ALLOWED:${a.id}:${f}` : `${v.kind}:${f}`;
        if (!book.get(rule)) continue;
        const set: FieldValues = { [f]: v.value };
        // A value given for a closure code must keep its label consistent, and the other way round.
        add(a, v.kind.toLowerCase(), f, rule, `${a.title} avec ${f} ${v.what} : returnCode 2 nommant ${f}`, [
          ...setup(),
          actionStep(a, { set, rule, expect: { returnCode: '2', field: f } }),
        ]);
      }
    }
    if (a.operation === 'setTroubleTicketByValue') {
      for (const state of illegalStates(a, index)) {
        const rule = `ILLEGAL:${a.id}@${state}`;
        const field = index.settings.illegalTransitionField;
        add(a, 'illegal', state, rule, `${a.title} depuis l état ${state} : returnCode 2 nommant ${field}`, [
          ...setupSteps(state, index),
          actionStep(a, { rule, expect: { returnCode: '2', field } }),
        ]);
      }
    }
    // A closing OI action with a closure code of another family (role oi: the OC must refuse it).
    const t = index.transition.get(a.transitions[0]!)!;
    if (a.actor === 'OI' && t.closureCodes && roles.closureCode && roles.closureLabel) {
      const own = closureCodesOf(index, t.closureCodes);
      const other = index.profile.closureCodes.find((c) => !own.includes(c.code));
      const rule = `CLOSURE:${t.id}`;
      if (other && book.get(rule)) {
        add(
          a,
          'closure',
          other.code,
          rule,
          `${a.title} avec le code ${other.code} d une autre famille : returnCode 2`,
          [
            ...setup(),
            actionStep(a, {
              set: { [roles.closureCode.name]: other.code },
              rule,
              expect: { returnCode: '2', field: roles.closureCode.name },
            }),
          ],
        );
      }
    }
  }
  return out;
}
