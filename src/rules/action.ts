/**
 * Rules of one R6/R7 action (§8): mandatory fields, one-of groups, conditional requirements, fixed
 * and allowed values, the closure codes of its transition, and the version the sender must echo.
 */
import type { ActionDef, Condition, ProfileIndex, TransitionDef } from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import type { RuleContext } from './context.ts';
import { isLong } from './formats.ts';
import { declaredFields } from './identify.ts';
import { closureCodesOf, rolesOf } from './roles.ts';
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

export function checkAction(
  ticket: TicketValue,
  action: ActionDef,
  transition: TransitionDef | undefined,
  index: ProfileIndex,
  ctx: RuleContext,
  lines: Record<string, number>,
): Draft[] {
  const out: Draft[] = [];
  const at = (field: string) => ({
    field,
    ...(ticket[field] !== undefined ? { value: ticket[field] } : {}),
    ...(lines[field] !== undefined ? { line: lines[field] } : {}),
  });
  const who = `l'action ${action.id} « ${action.title} » (${action.catalogue})`;
  const absent = (field: string) =>
    ticket[field] === null ? 'est nil' : ticket[field] === undefined ? 'est absent' : 'est vide';

  for (const field of action.mandatory) {
    if (isGiven(ticket[field])) continue;
    out.push({
      ...at(field),
      rule: 'MANDATORY',
      severity: 'error',
      demand: 'missing',
      basis: action.basis,
      clause: action.clause,
      explanation: `champ obligatoire pour ${who} : il ${absent(field)}`,
    });
  }
  for (const group of action.oneOf ?? []) {
    if (group.some((f) => isGiven(ticket[f]))) continue;
    out.push({
      ...at(group[0]!),
      rule: 'ONEOF',
      severity: 'error',
      demand: 'missing',
      basis: action.basis,
      clause: action.clause,
      explanation: `l'un des champs ${group.join(' ou ')} est obligatoire pour ${who} : aucun n'est renseigné`,
    });
  }
  for (const c of action.conditions ?? []) {
    if (!conditionHolds(c, ticket)) continue;
    for (const field of c.require) {
      if (isGiven(ticket[field])) continue;
      out.push({
        ...at(field),
        rule: 'CONDITION',
        severity: 'error',
        demand: 'missing',
        basis: c.basis,
        clause: c.clause,
        explanation: `champ obligatoire lorsque ${whenText(c)} (${c.id} : ${c.title}) : il ${absent(field)}`,
      });
    }
  }
  for (const [field, expected] of Object.entries(action.fixed ?? {})) {
    const v = ticket[field];
    if (!isGiven(v) || v === expected) continue;
    out.push({
      ...at(field),
      rule: 'FIXED',
      severity: 'error',
      basis: action.basis,
      clause: action.clause,
      explanation: `la valeur ${q(v)} est interdite pour ${who} : la valeur doit être « ${expected} »`,
    });
  }
  for (const [field, allowed] of Object.entries(action.allowed ?? {})) {
    const v = ticket[field];
    if (!isGiven(v) || allowed.includes(v)) continue;
    out.push({
      ...at(field),
      rule: 'ALLOWED',
      severity: 'error',
      basis: action.basis,
      clause: action.clause,
      explanation: `la valeur ${q(v)} n'est pas permise pour ${who} (permises : ${list(allowed)})`,
    });
  }
  out.push(...checkClosureCode(ticket, action, transition, index, at));
  out.push(...checkVersion(ticket, action, index, ctx, at));
  out.push(...unexpectedFields(ticket, action, index, at, who));
  return out;
}

function checkClosureCode(
  ticket: TicketValue,
  action: ActionDef,
  transition: TransitionDef | undefined,
  index: ProfileIndex,
  at: (field: string) => Pick<Draft, 'field' | 'value' | 'line'>,
): Draft[] {
  const codeField = rolesOf(index).closureCode;
  if (!codeField) return [];
  const code = ticket[codeField.name];
  if (!isGiven(code)) return [];
  const transitions = transition
    ? [transition]
    : action.transitions.map((id) => index.transition.get(id)!).filter(Boolean);
  const bound = transitions.filter((t) => t.closureCodes);
  if (bound.length === 0) return [];
  const allowed = [...new Set(bound.flatMap((t) => closureCodesOf(index, t.closureCodes!)))];
  if (allowed.includes(code.trim())) return [];
  const t = bound[0]!;
  return [
    {
      ...at(codeField.name),
      rule: 'CLOSURE.CODE',
      severity: 'error',
      basis: t.basis,
      clause: t.clause,
      explanation: `le code de clôture ${q(code)} n'est pas permis pour la transition ${bound.map((b) => b.id).join('/')} « ${t.title} » (permis : ${list(allowed, 12)})`,
    },
  ];
}

function checkVersion(
  ticket: TicketValue,
  action: ActionDef,
  index: ProfileIndex,
  ctx: RuleContext,
  at: (field: string) => Pick<Draft, 'field' | 'value' | 'line'>,
): Draft[] {
  const { settings } = index;
  const { settingsBasis } = index.profile;
  const versionField = rolesOf(index).version;
  if (!ctx.current || !settings.rejectStaleVersion || !versionField) return [];
  if (action.transitions.every((id) => index.transition.get(id)?.from === null)) return [];
  const v = ticket[versionField.name];
  if (!isGiven(v) || !isLong(v.trim())) return [];
  const known = ctx.current.lastUpdateVersionNumber;
  if (BigInt(v.trim()) >= BigInt(known)) return [];
  return [
    {
      ...at(settings.staleVersionField),
      rule: 'VERSION.STALE',
      severity: 'error',
      ...settingsBasis.rejectStaleVersion,
      explanation: `la version ${q(v)} est antérieure à la dernière version du ticket (${known}) : une mise à jour de l'OI a été manquée`,
    },
  ];
}

/** Fields the action does not mention: information only (a profile may be stricter than §8). */
function unexpectedFields(
  ticket: TicketValue,
  action: ActionDef,
  index: ProfileIndex,
  at: (field: string) => Pick<Draft, 'field' | 'value' | 'line'>,
  who: string,
): Draft[] {
  const declared = declaredFields(action);
  const out: Draft[] = [];
  for (const f of index.profile.fields) {
    if (ticket[f.name] === undefined || declared.has(f.name) || f.required) continue;
    out.push({
      ...at(f.name),
      rule: 'FIELD.UNEXPECTED',
      severity: 'info',
      basis: action.basis,
      clause: action.clause,
      explanation: `champ non prévu pour ${who}`,
    });
  }
  return out;
}
