/**
 * Rules of one R6/R7 action (§8): mandatory fields, one-of groups, conditional requirements, fixed
 * and allowed values, the closure codes of its transition, and the version the sender must echo.
 */
import type { ActionDef, Condition, ProfileIndex, TransitionDef } from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import type { RuleContext } from './context.ts';
import { isLong } from './formats.ts';
import { actionPlan, planOf, transitionPlan } from './plan.ts';
import { type Draft, isGiven, list, q } from './text.ts';

const whenText = (c: Condition): string => {
  const w = c.when;
  if ('present' in w) return `${w.field} est renseigné`;
  if ('equals' in w) return `${w.field} vaut « ${w.equals} »`;
  if ('in' in w) return `${w.field} vaut ${list(w.in)}`;
  return `${w.field} ne vaut pas ${list(w.notIn)}`;
};

export function conditionHolds(c: Condition, ticket: TicketValue): boolean {
  const w = c.when;
  const v = ticket[w.field];
  if ('present' in w) return isGiven(v);
  if (!isGiven(v)) return false;
  if ('equals' in w) return v === w.equals;
  if ('in' in w) return w.in.includes(v);
  return !w.notIn.includes(v);
}

/** Where an action finding points: the field, its value and line when the message has them. */
const at = (ticket: TicketValue, lines: Record<string, number>, field: string) => ({
  field,
  ...(ticket[field] !== undefined ? { value: ticket[field] } : {}),
  ...(lines[field] !== undefined ? { line: lines[field] } : {}),
});

const absent = (ticket: TicketValue, field: string) =>
  ticket[field] === null ? 'est nil' : ticket[field] === undefined ? 'est absent' : 'est vide';

/** The rules of one action, appended to `out`. */
export function checkAction(
  out: Draft[],
  ticket: TicketValue,
  present: number[],
  action: ActionDef,
  transition: TransitionDef | undefined,
  index: ProfileIndex,
  ctx: RuleContext,
  lines: Record<string, number>,
): void {
  const plan = actionPlan(index, action);
  const { who } = plan;

  for (const field of action.mandatory) {
    if (isGiven(ticket[field])) continue;
    out.push({
      ...at(ticket, lines, field),
      rule: 'MANDATORY',
      severity: 'error',
      demand: 'missing',
      basis: action.basis,
      clause: action.clause,
      explanation: `champ obligatoire pour ${who} : il ${absent(ticket, field)}`,
    });
  }
  if (action.oneOf) {
    for (const group of action.oneOf) {
      if (group.some((f) => isGiven(ticket[f]))) continue;
      out.push({
        ...at(ticket, lines, group[0]!),
        rule: 'ONEOF',
        severity: 'error',
        demand: 'missing',
        basis: action.basis,
        clause: action.clause,
        explanation: `l'un des champs ${group.join(' ou ')} est obligatoire pour ${who} : aucun n'est renseigné`,
      });
    }
  }
  if (action.conditions) {
    for (const c of action.conditions) {
      if (!conditionHolds(c, ticket)) continue;
      for (const field of c.require) {
        if (isGiven(ticket[field])) continue;
        out.push({
          ...at(ticket, lines, field),
          rule: 'CONDITION',
          severity: 'error',
          demand: 'missing',
          basis: c.basis,
          clause: c.clause,
          explanation: `champ obligatoire lorsque ${whenText(c)} (${c.id} : ${c.title}) : il ${absent(ticket, field)}`,
        });
      }
    }
  }
  for (const [field, expected] of plan.fixed) {
    const v = ticket[field];
    if (!isGiven(v) || v === expected) continue;
    out.push({
      ...at(ticket, lines, field),
      rule: 'FIXED',
      severity: 'error',
      basis: action.basis,
      clause: action.clause,
      explanation: `la valeur ${q(v)} est interdite pour ${who} : la valeur doit être « ${expected} »`,
    });
  }
  for (const [field, allowed] of plan.allowed) {
    const v = ticket[field];
    if (!isGiven(v) || allowed.includes(v)) continue;
    out.push({
      ...at(ticket, lines, field),
      rule: 'ALLOWED',
      severity: 'error',
      basis: action.basis,
      clause: action.clause,
      explanation: `la valeur ${q(v)} n'est pas permise pour ${who} (permises : ${list(allowed)})`,
    });
  }
  checkClosureCode(out, ticket, action, transition, index, lines);
  checkVersion(out, ticket, action, index, ctx, lines);
  unexpectedFields(out, ticket, present, action, index, lines);
}

function checkClosureCode(
  out: Draft[],
  ticket: TicketValue,
  action: ActionDef,
  transition: TransitionDef | undefined,
  index: ProfileIndex,
  lines: Record<string, number>,
): void {
  const codeField = planOf(index).roles.closureCode;
  if (!codeField) return;
  const code = ticket[codeField.name];
  if (!isGiven(code)) return;
  // The transition's own codes when it is known, else those of every transition of the action.
  let bound: TransitionDef[];
  let allowed: { closureCodes: string[]; closureCodeSet: Set<string> };
  if (transition) {
    if (!transition.closureCodes) return;
    bound = [transition];
    allowed = transitionPlan(index, transition);
  } else {
    const plan = actionPlan(index, action);
    if (plan.closureBound.length === 0) return;
    bound = plan.closureBound;
    allowed = plan;
  }
  if (allowed.closureCodeSet.has(code.trim())) return;
  const t = bound[0]!;
  out.push({
    ...at(ticket, lines, codeField.name),
    rule: 'CLOSURE.CODE',
    severity: 'error',
    basis: t.basis,
    clause: t.clause,
    explanation: `le code de clôture ${q(code)} n'est pas permis pour la transition ${bound.map((b) => b.id).join('/')} « ${t.title} » (permis : ${list(allowed.closureCodes, 12)})`,
  });
}

/** Versions that fit a double exactly compare without BigInt. */
const SMALL_INTEGER = /^[+-]?\d{1,15}$/;

function checkVersion(
  out: Draft[],
  ticket: TicketValue,
  action: ActionDef,
  index: ProfileIndex,
  ctx: RuleContext,
  lines: Record<string, number>,
): void {
  const { settings } = index;
  const versionField = planOf(index).roles.version;
  // The OC sends back a version the OI issued; only the OI's own updates go beyond the ticket's.
  const unissued = settings.rejectUnissuedVersion && action.actor === 'OC';
  if (!ctx.current || !(settings.rejectStaleVersion || unissued) || !versionField) return;
  if (actionPlan(index, action).createsOnly) return;
  const v = ticket[versionField.name];
  if (!isGiven(v)) return;
  const given = v.trim();
  if (!isLong(given)) return;
  const known = ctx.current.lastUpdateVersionNumber;
  const order =
    SMALL_INTEGER.test(given) && Number.isSafeInteger(known)
      ? Math.sign(Number(given) - known)
      : Math.sign(Number(BigInt(given) - BigInt(known)));
  if (order < 0 && settings.rejectStaleVersion) {
    out.push({
      ...at(ticket, lines, settings.staleVersionField),
      rule: 'VERSION.STALE',
      severity: 'error',
      ...index.profile.settingsBasis.rejectStaleVersion,
      explanation: `la version ${q(v)} est antérieure à la dernière version du ticket (${known}) : une mise à jour de l'OI a été manquée`,
    });
  } else if (order > 0 && unissued) {
    out.push({
      ...at(ticket, lines, settings.staleVersionField),
      rule: 'VERSION.UNISSUED',
      severity: 'error',
      ...index.profile.settingsBasis.rejectUnissuedVersion,
      explanation: `la version ${q(v)} dépasse la dernière version du ticket (${known}) : l'OI n'a jamais émis cette version`,
    });
  }
}

/** Fields the action does not mention: information only (a profile may be stricter than §8). */
function unexpectedFields(
  out: Draft[],
  ticket: TicketValue,
  present: number[],
  action: ActionDef,
  index: ProfileIndex,
  lines: Record<string, number>,
): void {
  const plan = actionPlan(index, action);
  for (const position of present) {
    if (!plan.unexpected[position]) continue;
    const f = index.profile.fields[position]!;
    out.push({
      ...at(ticket, lines, f.name),
      rule: 'FIELD.UNEXPECTED',
      severity: 'info',
      basis: action.basis,
      clause: action.clause,
      explanation: `champ non prévu pour ${plan.who}`,
    });
  }
}
