/**
 * Valid example tickets for any action of a profile, derived from the profile alone: list values,
 * lengths, valid SIRENs, ISO dates, the action code and target state of its transition, and the
 * fields its conditions require. Tests, fixtures and scenarios start from these and break one thing.
 */
import {
  type ActionDef,
  closureLabel,
  type FieldDef,
  type ProfileIndex,
  type TransitionDef,
} from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import { conditionHolds } from './action.ts';
import type { RuleContext } from './context.ts';
import { declaredFields } from './identify.ts';
import { closureCodesOf, rolesOf } from './roles.ts';

/** Orange and SFR: the OC and OI of the examples (both pass the Luhn key, §1). */
export const EXAMPLE_SIRENS = ['380129866', '343059564'] as const;
export const EXAMPLE_KEY = 'TT-000001';

export interface ExampleOptions {
  /** Also fill every optional field the action mentions (default: mandatory and required-by-condition only). */
  full?: boolean;
  /** Version the ticket is at (default: the profile's initial version). */
  version?: number;
}

function actionOf(actionId: string, index: ProfileIndex): ActionDef {
  const a = index.action.get(actionId);
  if (!a) throw new Error(`unknown action "${actionId}" in profile ${index.profile.id}`);
  return a;
}

/** The transition an example of this action performs: its first active one. */
export function exampleTransition(actionId: string, index: ProfileIndex): TransitionDef {
  const a = actionOf(actionId, index);
  const active = new Set(index.activeTransitions.map((t) => t.id));
  const id = a.transitions.find((t) => active.has(t)) ?? a.transitions[0]!;
  return index.transition.get(id)!;
}

/** The state the ticket is in before the example (undefined for a creation). */
export function exampleFromState(actionId: string, index: ProfileIndex): string | undefined {
  return exampleTransition(actionId, index).from?.[0];
}

/** The receiver's context for the example: sender and, for a set, the current ticket. */
export function exampleContext(
  actionId: string,
  index: ProfileIndex,
  opts: ExampleOptions = {},
): RuleContext {
  const a = actionOf(actionId, index);
  const from = exampleFromState(actionId, index);
  const version = opts.version ?? index.settings.initialVersionNumber;
  return { sender: a.actor, ...(from ? { current: { state: from, lastUpdateVersionNumber: version } } : {}) };
}

/** A ticket that carries `actionId` and passes every rule of the profile. */
export function exampleTicket(actionId: string, index: ProfileIndex, opts: ExampleOptions = {}): TicketValue {
  const a = actionOf(actionId, index);
  const t = exampleTransition(actionId, index);
  const roles = rolesOf(index);
  const wanted = new Set<string>([...a.mandatory, ...(a.oneOf ?? []).map((g) => g[0]!)]);
  if (opts.full) for (const f of declaredFields(a)) wanted.add(f);
  const ticket: TicketValue = {};
  const fill = (name: string) => {
    const f = index.field.get(name);
    if (f && ticket[f.name] === undefined) ticket[f.name] = exampleValue(f, a, t, index, opts);
  };
  // Role fields first: other values (the closure label, conditions) depend on them.
  for (const r of [roles.description, roles.state, roles.closureCode])
    if (r && wanted.has(r.name)) fill(r.name);
  for (const f of index.profile.fields) if (wanted.has(f.name)) fill(f.name);
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of a.conditions ?? []) {
      if (!conditionHolds(c, ticket)) continue;
      for (const r of c.require) {
        if (ticket[r] !== undefined) continue;
        fill(r);
        changed = true;
      }
    }
  }
  // Elements the schema requires (nil allowed) that the action does not give: nil.
  for (const f of index.profile.fields) if (f.required && ticket[f.name] === undefined) ticket[f.name] = null;
  return Object.fromEntries(
    index.profile.fields.filter((f) => f.name in ticket).map((f) => [f.name, ticket[f.name]!]),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

function exampleValue(
  f: FieldDef,
  a: ActionDef,
  t: TransitionDef,
  index: ProfileIndex,
  opts: ExampleOptions,
): string {
  const roles = rolesOf(index);
  const position = index.position.get(f)!;
  if (a.fixed?.[f.name] !== undefined) return a.fixed[f.name]!;
  if (a.allowed?.[f.name]?.[0] !== undefined) return a.allowed[f.name]![0]!;
  if (f === roles.description) return t.description;
  if (f === roles.state) return t.to !== 'unchanged' ? t.to : t.from![0]!;
  if (f === roles.closureCode && t.closureCodes) return closureCodesOf(index, t.closureCodes)[0]!;
  if (f === roles.closureLabel) {
    const code = t.closureCodes ? closureCodesOf(index, t.closureCodes)[0] : undefined;
    const c = code ? index.closure.get(code) : index.profile.closureCodes[0];
    if (c) return closureLabel(c);
  }
  if (f === roles.version) return String(opts.version ?? index.settings.initialVersionNumber);
  if (f.name === index.settings.unknownKeyField) return EXAMPLE_KEY;
  if (f.siren) {
    const nth = index.profile.fields.filter((x) => x.siren).indexOf(f);
    return EXAMPLE_SIRENS[nth % EXAMPLE_SIRENS.length]!;
  }
  if (f.list) {
    const values = index.list.get(f.list)?.values ?? [];
    const d = a.discriminator?.field === f.name ? a.discriminator : undefined;
    const pick = d?.in?.[0] ?? values.find((v) => !d?.notIn?.includes(v));
    if (pick !== undefined) return pick;
  }
  switch (f.type) {
    case 'dateTime':
      return `2024-03-${pad(1 + (position % 28))}T${pad(8 + (position % 10))}:15:00+01:00`;
    case 'duration':
      return 'PT4H';
    case 'boolean':
      return 'false';
    case 'integer':
    case 'long':
      return '1';
    default: {
      const text = `Exemple ${f.name}`;
      if (f.exactLength !== undefined) return text.padEnd(f.exactLength, 'X').slice(0, f.exactLength);
      return f.maxLength !== undefined ? text.slice(0, f.maxLength) : text;
    }
  }
}

/** A value the field-level rules must refuse with returnCode 2, and the rule that refuses it. */
export interface WrongValue {
  value: string;
  rule: string;
}

/**
 * One wrong value per constraint of the field (type, length, SIREN shape and key, strict list);
 * empty when the field accepts any text (plain strings, open lists without a length).
 */
export function wrongValues(f: FieldDef, index: ProfileIndex): WrongValue[] {
  const out: WrongValue[] = [];
  const typeRule: Partial<Record<FieldDef['type'], WrongValue>> = {
    dateTime: { value: '2024-13-45T99:00:00', rule: 'FORMAT.DATETIME' },
    duration: { value: '4 heures', rule: 'FORMAT.DURATION' },
    boolean: { value: 'peut-être', rule: 'FORMAT.BOOLEAN' },
    integer: { value: 'douze', rule: 'FORMAT.INTEGER' },
    long: { value: 'douze', rule: 'FORMAT.LONG' },
  };
  const byType = typeRule[f.type];
  if (byType) out.push(byType);
  if (f.exactLength !== undefined) out.push({ value: '1'.repeat(f.exactLength + 1), rule: 'FORMAT.LENGTH' });
  if (f.maxLength !== undefined) out.push({ value: 'x'.repeat(f.maxLength + 1), rule: 'FORMAT.LENGTH' });
  if (f.siren) {
    out.push({ value: 'ABCDEFGHI', rule: 'FORMAT.SIREN' });
    if (index.settings.strictSirenKey) out.push({ value: '380129867', rule: 'SIREN.KEY' });
  }
  const l = f.list ? index.list.get(f.list) : undefined;
  if (l?.mode === 'strict') {
    const numeric = f.type === 'integer' || f.type === 'long';
    const value = numeric
      ? String(Math.max(0, ...l.values.map(Number).filter(Number.isFinite)) + 1)
      : 'VALEUR HORS LISTE'.slice(0, f.maxLength ?? f.exactLength ?? Number.POSITIVE_INFINITY);
    out.push({ value, rule: 'LIST' });
  }
  return out;
}
