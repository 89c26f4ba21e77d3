/** The state diagram (§7) as the engine applies it, read from the profile's transitions. */
import type { ActionDef, ClosureCode, ProfileIndex, TransitionDef } from '../../src/profile/index.ts';
import { closureCodesOf } from '../../src/rules/index.ts';

const finals = new WeakMap<ProfileIndex, Set<string>>();

/** States after which nothing may happen (CLOSED, legacy CLOSE.CANCELLED). */
export function finalStates(index: ProfileIndex): Set<string> {
  let s = finals.get(index);
  if (!s) {
    s = new Set(index.profile.states.filter((st) => st.final).map((st) => st.name));
    finals.set(index, s);
  }
  return s;
}

export const isOpenState = (index: ProfileIndex, state: string) => !finalStates(index).has(state);

/** The transition `action` performs from `state`, among those active under the profile's settings. */
export function transitionFor(
  index: ProfileIndex,
  action: ActionDef,
  state: string | null,
): TransitionDef | undefined {
  for (const id of action.transitions) {
    const t = index.transition.get(id);
    if (!t || !index.activeTransitions.includes(t)) continue;
    if (state === null ? t.from === null : t.from?.includes(state)) return t;
  }
  return undefined;
}

export const targetState = (t: TransitionDef, current: string) => (t.to === 'unchanged' ? current : t.to);

/** Closure codes a transition sets: its entries name codes or closure families. */
export function closureCodesFor(index: ProfileIndex, t: TransitionDef): ClosureCode[] {
  return closureCodesOf(index, t.closureCodes ?? []).map((code) => index.closure.get(code)!);
}

/** The transition that closes a ticket whose OC action is `t` (T2: the OI sets ERR07 itself). */
export const closesWithCode = (index: ProfileIndex, t: TransitionDef) =>
  t.actor === 'OC' && t.to !== 'unchanged' && finalStates(index).has(t.to)
    ? closureCodesFor(index, t)[0]
    : undefined;

/**
 * The action a message performs from `state`, told by its action code (description), the
 * transition's starting states and the action's discriminator. The rule engine identifies actions
 * too; the engine uses this only when the rules could not say, so it never applies an action the
 * diagram does not allow.
 */
export function identifyAction(
  index: ProfileIndex,
  operation: string,
  ticket: Record<string, string | null>,
  sender: 'OC' | 'OI',
  state: string | null,
  descriptionField: string,
): ActionDef | undefined {
  const description = ticket[descriptionField];
  for (const a of index.activeActions) {
    if (a.actor !== sender || a.operation !== operation) continue;
    const t = transitionFor(index, a, state);
    if (!t || t.description !== description) continue;
    const d = a.discriminator;
    if (d) {
      const v = ticket[d.field];
      if (d.in && !(typeof v === 'string' && d.in.includes(v))) continue;
      if (d.notIn && typeof v === 'string' && d.notIn.includes(v)) continue;
    }
    return a;
  }
  return undefined;
}
