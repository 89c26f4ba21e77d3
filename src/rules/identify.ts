/**
 * Identifies the R6/R7 action a create/set carries, from the action code (bi:description), the
 * sender, the current state, the requested state, the closure code and the action's discriminator,
 * in that order. Each step that would leave no candidate is reported and skipped, so the remaining
 * rules still run against the most plausible action.
 */
import type { ActionDef, OperationDef, ProfileIndex, TransitionDef } from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import type { RuleContext } from './context.ts';
import { actionPlan, operationPlan, type Pair, planOf, transitionPlan } from './plan.ts';
import { type Draft, isGiven, list, q } from './text.ts';

export { declaredFields } from './plan.ts';

export interface Identified {
  action?: ActionDef;
  transition?: TransitionDef;
  drafts: Draft[];
}

const describe = (pairs: Pair[]) =>
  [...new Set(pairs.map((p) => `${p.transition.id} ${p.transition.title}`))].join(', ');

/**
 * Basis of §7's table for the candidate transitions: a transition of the published table
 * ([spec]/[interop]) before one of this project's decisions (T11).
 */
function tableBasis(pairs: Pair[]): { basis: TransitionDef['basis']; clause: string } {
  const t = pairs.find((p) => p.transition.basis !== 'decision')?.transition ?? pairs[0]!.transition;
  return { basis: t.basis, clause: t.clause };
}

/** The pairs that pass `keep`: the same array when all do (the common case allocates nothing). */
function narrow(pairs: Pair[], keep: (p: Pair) => boolean): Pair[] {
  for (let i = 0; i < pairs.length; i++) {
    if (!keep(pairs[i]!)) return pairs.filter(keep);
  }
  return pairs;
}

/** Where an identification finding points: the field, its value and line when known. */
const at = (lines: Record<string, number>, field: string, value?: string | null) => ({
  field,
  ...(value !== undefined ? { value } : {}),
  ...(lines[field] !== undefined ? { line: lines[field] } : {}),
});

export function identifyAction(
  ticket: TicketValue,
  operation: OperationDef['name'],
  index: ProfileIndex,
  ctx: RuleContext,
  lines: Record<string, number>,
): Identified {
  const { roles, states } = planOf(index);
  const drafts: Draft[] = [];
  const { actions, pairs: carried, byDescription } = operationPlan(index, operation);
  let pairs = carried;
  if (pairs.length === 0) return { drafts };

  const descField = roles.description;
  const desc = descField ? ticket[descField.name] : undefined;
  if (descField && !isGiven(desc) && actions.length > 1) {
    // Without its action code a set cannot be told apart; only the missing code can be reported,
    // also when some action does not require it: no action identified, no receiver can apply it.
    const catalogues = [...new Set(actions.map((a) => a.catalogue))].join('/');
    const required = actions.every((a) => a.mandatory.includes(descField.name));
    drafts.push({
      ...at(lines, descField.name, desc),
      rule: required ? 'MANDATORY' : 'ACTION.UNIDENTIFIED',
      severity: 'error',
      demand: 'missing',
      basis: index.profile.commonSet.basis,
      clause: index.profile.commonSet.clause,
      explanation: required
        ? `champ obligatoire ${q(desc)} : le code action identifie l'action ${catalogues} portée par ${operation}`
        : `code action ${q(desc)} : sans lui, l'action ${catalogues} portée par ${operation} ne peut pas être identifiée`,
    });
    return { drafts };
  }
  if (descField && isGiven(desc)) {
    const byDesc = byDescription.get(desc);
    if (!byDesc) {
      const elsewhere = index.activeTransitions.find((t) => t.description === desc);
      const l = index.list.get(descField.list!)!;
      drafts.push({
        ...at(lines, descField.name, desc),
        rule: elsewhere ? 'ACTION.OPERATION' : 'ACTION.UNKNOWN',
        severity: 'error',
        basis: elsewhere ? elsewhere.basis : l.basis,
        clause: elsewhere ? elsewhere.clause : l.clause,
        explanation: elsewhere
          ? `l'action ${q(desc)} (${elsewhere.id}) n'est pas portée par l'opération ${operation}`
          : `le code action ${q(desc)} n'identifie aucune action active du profil (${list([...new Set(pairs.map((p) => p.transition.description))])})`,
      });
      return { drafts };
    }
    pairs = byDesc;
  }
  const code = desc ?? pairs[0]!.transition.description;
  const where = descField?.name ?? index.settings.illegalTransitionField;

  const sender = ctx.sender;
  if (sender) {
    const bySender = narrow(pairs, (p) => p.action.actor === sender);
    if (bySender.length === 0) {
      const other = pairs[0]!.action;
      drafts.push({
        ...at(lines, where, desc),
        rule: 'ACTION.ACTOR',
        severity: 'error',
        basis: other.basis,
        clause: other.clause,
        explanation: `l'action ${q(code)} est réservée à l'${other.actor} (${other.catalogue}), elle ne peut pas être envoyée par l'${sender}`,
      });
    } else pairs = bySender;
  }

  const current = ctx.current;
  if (current && pairs.some((p) => p.transition.from !== null)) {
    const stateDef = states.get(current.state);
    // The field blamed is a [decision] (settings.illegalTransitionField); the refusal itself is
    // §7's: CLOSED is final, and an action is permitted only from the states its transitions leave.
    const field = index.settings.illegalTransitionField;
    if (stateDef?.final) {
      drafts.push({
        ...at(lines, field, ticket[field]),
        rule: 'TRANSITION.FINAL',
        severity: 'error',
        basis: stateDef.basis,
        clause: stateDef.clause,
        explanation: `le ticket est dans l'état final « ${current.state} » : aucune action n'est permise (${q(code)} refusée)`,
      });
    } else {
      const byFrom = narrow(
        pairs,
        (p) => p.transition.from === null || p.transition.from.includes(current.state),
      );
      if (byFrom.length === 0) {
        const from = [...new Set(pairs.flatMap((p) => p.transition.from ?? []))];
        drafts.push({
          ...at(lines, field, ticket[field]),
          rule: 'TRANSITION',
          severity: 'error',
          ...tableBasis(pairs),
          explanation: `l'action ${q(code)} (${describe(pairs)}) n'est pas permise depuis l'état « ${current.state} » (permise depuis : ${list(from)})`,
        });
      } else pairs = byFrom;
    }
  }

  const stateField = roles.state;
  const requested = stateField ? ticket[stateField.name] : undefined;
  if (stateField && isGiven(requested)) {
    const byTarget = narrow(pairs, (p) => reaches(p.transition, requested, current));
    if (byTarget.length === 0) {
      const expected = [
        ...new Set(
          pairs.flatMap((p) =>
            p.transition.to !== 'unchanged'
              ? [p.transition.to]
              : current
                ? [current.state]
                : (p.transition.from ?? []),
          ),
        ),
      ];
      const t = pairs[0]!.transition;
      drafts.push({
        ...at(lines, stateField.name, requested),
        rule: 'TARGET.STATE',
        severity: 'error',
        basis: t.basis,
        clause: t.clause,
        explanation: `l'état demandé ${q(requested)} ne correspond pas à l'action ${q(code)} (${describe(pairs)}) : attendu ${list(expected)}`,
      });
    } else pairs = byTarget;
  }

  const codeField = roles.closureCode;
  const closure = codeField ? ticket[codeField.name] : undefined;
  if (codeField && isGiven(closure)) {
    const trimmed = closure.trim();
    const byCode = narrow(
      pairs,
      (p) => !!p.transition.closureCodes && transitionPlan(index, p.transition).closureCodeSet.has(trimmed),
    );
    if (byCode.length > 0) pairs = byCode;
  }

  const byDiscriminator = narrow(pairs, (p) => discriminatorHolds(p.action, ticket, index));
  if (byDiscriminator.length > 0) pairs = byDiscriminator;

  const best = pickBest(pairs, ticket, index);
  const transition = onlyTransition(pairs, best);
  return { action: best, ...(transition ? { transition } : {}), drafts };
}

/** Whether a transition leads to the requested state. */
function reaches(t: TransitionDef, requested: string, current: RuleContext['current']): boolean {
  return t.to !== 'unchanged'
    ? requested === t.to
    : current
      ? requested === current.state
      : (t.from ?? []).includes(requested);
}

/** The transition the best action performs, when its remaining pairs leave only one. */
function onlyTransition(pairs: Pair[], best: ActionDef): TransitionDef | undefined {
  let only: TransitionDef | undefined;
  for (const p of pairs) {
    if (p.action !== best) continue;
    if (only === undefined) only = p.transition;
    else if (only !== p.transition) return undefined;
  }
  return only;
}

/**
 * A discriminator decides only on a valid value: a wrong value is reported by the list rule and must
 * not make the message look like another action.
 */
function discriminatorHolds(a: ActionDef, ticket: TicketValue, index: ProfileIndex): boolean {
  const d = a.discriminator;
  if (!d) return true;
  const v = ticket[d.field];
  const f = index.field.get(d.field);
  const sets = f?.list ? planOf(index).lists.get(f.list) : undefined;
  if (isGiven(v) && sets?.def.mode === 'strict' && !sets.values.has(v) && !sets.legacy?.has(v)) return true;
  if (d.in) return isGiven(v) && d.in.includes(v);
  if (d.notIn) return !isGiven(v) || !d.notIn.includes(v);
  return true;
}

/** The action whose fields the message fits best: fewest missing, then most of its fields present. */
function pickBest(pairs: Pair[], ticket: TicketValue, index: ProfileIndex): ActionDef {
  const first = pairs[0]!.action;
  if (pairs.every((p) => p.action === first)) return first;
  let best: ActionDef | undefined;
  let bestMissing = Number.POSITIVE_INFINITY;
  let bestPresent = -1;
  for (const a of new Set(pairs.map((p) => p.action))) {
    const missing =
      a.mandatory.filter((f) => !isGiven(ticket[f])).length +
      (a.oneOf ?? []).filter((g) => !g.some((f) => isGiven(ticket[f]))).length;
    let present = 0;
    for (const f of actionPlan(index, a).declared) if (isGiven(ticket[f])) present++;
    if (missing < bestMissing || (missing === bestMissing && present > bestPresent)) {
      best = a;
      bestMissing = missing;
      bestPresent = present;
    }
  }
  return best!;
}
