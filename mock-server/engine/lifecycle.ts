/** The state diagram (§7) as the engine applies it, read from the profile's transitions. */
import type { ActionDef, ClosureCode, ProfileIndex, TransitionDef } from '../../src/profile/index.ts';
import { type CheckOutcome, closureCodesOf } from '../../src/rules/index.ts';

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

/** The transitions of `action` that a false [decision] setting removes (T11 without cancellationRefusalAllowed). */
export const removedBySettings = (index: ProfileIndex, action: ActionDef): TransitionDef[] =>
  action.transitions
    .map((id) => index.transition.get(id))
    .filter((t): t is TransitionDef => t?.setting !== undefined && !index.settings[t.setting]);

/**
 * Why an OI action cannot be triggered: a setting removed it (naming the setting), or the profile
 * has no such action; with the actions that can be.
 */
export function unavailableOiAction(index: ProfileIndex, actionId: string, available: string[]): string {
  const action = index.action.get(actionId);
  const removed = action?.actor === 'OI' ? removedBySettings(index, action) : [];
  return removed.length > 0
    ? `OI action "${actionId}" is not available: ${removed.map((t) => removalReason(index, t)).join('; ')} (available: ${available.join(', ')})`
    : `unknown OI action "${actionId}" (known: ${available.join(', ')})`;
}

/** `settings.X is false, which removes T11 from profile P [basis clause]`. */
export const removalReason = (index: ProfileIndex, t: TransitionDef): string => {
  const basis = index.profile.settingsBasis[t.setting!];
  return (
    `settings.${t.setting} is ${JSON.stringify(index.settings[t.setting!])}, which removes ${t.id} ` +
    `from profile ${index.profile.id} [${basis.basis} ${basis.clause}]`
  );
};

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
 * The action and transition of a create/set the rules accepted. The rule engine is the single
 * source of the state diagram (it identifies the action and refuses an illegal transition or a
 * stale version, knowing the ticket's current state); an accepted message always carries both.
 */
export function acceptedAction(outcome: CheckOutcome): { action: ActionDef; transition: TransitionDef } {
  const { action, transition } = outcome;
  if (!action || !transition) {
    throw new Error(
      `the rules accepted the message without identifying its ${action ? `transition (action ${action.id})` : 'action'}`,
    );
  }
  return { action, transition };
}
