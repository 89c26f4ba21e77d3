/**
 * Generated ticket data for any R6/R7 action, from the profile alone: which fields an action needs
 * (mandatory, one-of, conditions, fixed and allowed values, discriminator), each field's type,
 * length and value list, and the fields that play a protocol role (action code, state, closure
 * code and label, version, key, SIRENs). Realistic French values come from fakerFR, seeded per
 * scenario so that a run is reproducible.
 */
import { base, en, Faker, fr } from '@faker-js/faker';
import {
  type ActionDef,
  type Condition,
  closureLabel,
  type FieldDef,
  type ProfileIndex,
} from '../profile/index.ts';
import { closureCodesOf, rolesOf } from '../rules/index.ts';
import type { TicketValue } from '../soap/model.ts';

export interface Parties {
  ocSiren: string;
  oiSiren: string;
}

/** What the sender knows of the ticket an action applies to. */
export interface KnownTicket {
  key: string;
  state: string;
  version: number;
}

export interface DataContext {
  index: ProfileIndex;
  faker: Faker;
  parties: Parties;
  ticket?: KnownTicket;
  now?: Date;
}

/** A seeded French faker (one per scenario: faker's state is per instance). */
export function makeFaker(seed: number): Faker {
  const f = new Faker({ locale: [fr, en, base] });
  f.seed(seed);
  return f;
}

/** A stable 31-bit seed from a scenario id (FNV-1a). */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}

/**
 * The SIREN fields, in profile order: the first belongs to the OC (serviceProviderID), the second to
 * the OI (supplierID); the profile's field order (§4) puts the service provider first.
 */
export function sirenFields(index: ProfileIndex): { oc?: FieldDef; oi?: FieldDef } {
  const [oc, oi] = index.profile.fields.filter((f) => f.siren);
  return { ...(oc ? { oc } : {}), ...(oi ? { oi } : {}) };
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const HOUR = 3_600_000;

/** Realistic text for a free string field (a hint from its name, else a sentence), within its length. */
function textFor(f: FieldDef, faker: Faker): string {
  const n = f.name;
  let v: string;
  if (/PhoneNumber/i.test(n)) v = faker.phone.number();
  else if (/LastName/i.test(n)) v = faker.person.lastName();
  else if (/FirstName/i.test(n)) v = faker.person.firstName();
  else if (/Name$/.test(n)) v = faker.person.fullName();
  else if (/Unit$/.test(n)) v = `SAV ${faker.location.city()}`;
  else if (/^technicalId$/i.test(n)) v = `FI-${faker.string.numeric(4)}-${faker.string.numeric(4)}`;
  else if (/commercialId/i.test(n)) v = `VIA-${faker.string.alphanumeric({ length: 10, casing: 'upper' })}`;
  else if (/offerId/i.test(n)) v = `OFFRE-${faker.string.alphanumeric({ length: 6, casing: 'upper' })}`;
  else if (/Key$/.test(n)) v = `OC-${faker.string.alphanumeric({ length: 12, casing: 'upper' })}`;
  else if (/Id$/.test(n))
    v = faker.string.alphanumeric({ length: Math.min(8, f.maxLength ?? 8), casing: 'upper' });
  else if (/Hours/i.test(n)) v = 'du lundi au vendredi, 9h-18h';
  else v = faker.lorem.sentence();
  const max = f.exactLength ?? f.maxLength;
  return max !== undefined ? v.slice(0, max).trim() || v.slice(0, max) : v;
}

function valueByType(f: FieldDef, ctx: DataContext): string {
  const { faker } = ctx;
  const now = ctx.now ?? new Date();
  switch (f.type) {
    case 'dateTime':
      // Suggestions and planned dates lie ahead; everything else has just happened.
      return /Suggestion|Planned/i.test(f.name)
        ? iso(new Date(now.getTime() + faker.number.int({ min: 24, max: 240 }) * HOUR))
        : /Detection/i.test(f.name)
          ? iso(new Date(now.getTime() - faker.number.int({ min: 1, max: 48 }) * HOUR))
          : iso(now);
    case 'duration':
      return `PT${faker.number.int({ min: 2, max: 48 })}H`;
    case 'boolean':
      return faker.datatype.boolean() ? 'true' : 'false';
    case 'integer':
    case 'long':
      return String(faker.number.int({ min: 1, max: 9 }));
    default:
      return textFor(f, faker);
  }
}

function conditionHolds(c: Condition, t: TicketValue): boolean {
  const v = t[c.when.field];
  const w = c.when;
  if ('present' in w) return v !== undefined && v !== null && v !== '';
  if (v === undefined || v === null) return false;
  if ('equals' in w) return v === w.equals;
  if ('in' in w) return w.in.includes(v);
  return !w.notIn.includes(v);
}

/**
 * A valid ticket value for an action: every mandatory field, every field of each one-of group,
 * the fields conditions require, plus `include` (optional fields to carry too). `set` values are
 * given (they win over generated ones and count for the conditions).
 */
export function actionData(
  action: ActionDef,
  ctx: DataContext,
  opts: { include?: string[]; set?: TicketValue } = {},
): TicketValue {
  const include = [...(opts.include ?? []), ...Object.keys(opts.set ?? {})];
  const { index, faker, parties, ticket } = ctx;
  const roles = rolesOf(index);
  const sirens = sirenFields(index);
  const transition = index.transition.get(action.transitions[0]!)!;
  const out: TicketValue = {};
  let closureCode: string | undefined;

  const valueFor = (name: string): string | null => {
    const f = index.field.get(name);
    if (!f) throw new Error(`field ${name} of action ${action.id} is not in profile ${index.profile.id}`);
    if (action.fixed?.[name] !== undefined) return action.fixed[name]!;
    if (action.allowed?.[name]) return faker.helpers.arrayElement(action.allowed[name]!);
    if (f === roles.description) return transition.description;
    if (f === roles.state) {
      if (transition.to !== 'unchanged') return transition.to;
      return ticket?.state ?? transition.from?.[0] ?? null;
    }
    if (f === roles.closureCode) {
      const codes = closureCodesOf(index, transition.closureCodes ?? []);
      closureCode ??= codes.length
        ? faker.helpers.arrayElement(codes)
        : faker.helpers.arrayElement(index.profile.closureCodes).code;
      return closureCode;
    }
    if (f === roles.closureLabel) {
      const code = closureCode ?? (out[roles.closureCode?.name ?? ''] as string | undefined);
      // An unknown code (a violation under test) keeps a valid label, so only the code is wrong.
      const c =
        (code ? index.closure.get(code) : undefined) ??
        index.closure.get(closureCodesOf(index, transition.closureCodes ?? [])[0] ?? '') ??
        index.profile.closureCodes[0];
      return c ? closureLabel(c) : null;
    }
    if (name === index.settings.staleVersionField) {
      // The OC sends back the last version it knows; the OI increments it at each of its updates (§7).
      const v = ticket?.version ?? index.settings.initialVersionNumber;
      return String(action.actor === 'OI' ? v + 1 : v);
    }
    if (name === index.settings.unknownKeyField) return ticket?.key ?? null;
    if (f === sirens.oc) return parties.ocSiren;
    if (f === sirens.oi) return parties.oiSiren;
    const d = action.discriminator;
    if (d && d.field === name && f.list) {
      const values = index.list
        .get(f.list)!
        .values.filter((v) => (d.in ? d.in.includes(v) : !d.notIn?.includes(v)));
      return faker.helpers.arrayElement(values);
    }
    if (f.list) {
      const values = index.list.get(f.list)!.values;
      return faker.helpers.arrayElement(values);
    }
    return valueByType(f, ctx);
  };

  const wanted = [...action.mandatory, ...(action.oneOf ?? []).flat(), ...include];
  if (action.discriminator) wanted.push(action.discriminator.field);
  // Closure code before its label, whatever the field order.
  const ordered = [...new Set(wanted)].sort((a, b) => rank(a) - rank(b));
  function rank(name: string) {
    return index.field.get(name) === roles.closureLabel ? 1 : 0;
  }
  for (const name of ordered) {
    const given = opts.set?.[name];
    out[name] = given !== undefined ? given : valueFor(name);
    if (given !== undefined && roles.closureCode && name === roles.closureCode.name && given !== null)
      closureCode = given;
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of action.conditions ?? []) {
      if (!conditionHolds(c, out)) continue;
      for (const name of c.require) {
        if (out[name] === undefined) {
          out[name] = valueFor(name);
          changed = true;
        }
      }
    }
  }
  return out;
}

export interface Violation {
  kind: 'FORMAT' | 'LIST' | 'ALLOWED';
  value: string;
  /** French: what is wrong with the value. */
  what: string;
}

/** Values that break a field's format or value list, one per constraint it has. */
export function violationsFor(index: ProfileIndex, field: string, action?: ActionDef): Violation[] {
  const f = index.field.get(field);
  if (!f) return [];
  const out: Violation[] = [];
  if (f.exactLength !== undefined) {
    out.push({
      kind: 'FORMAT',
      value: '1'.repeat(f.exactLength - 1),
      what: `${f.exactLength - 1} caractères au lieu de ${f.exactLength}`,
    });
  } else if (f.maxLength !== undefined) {
    out.push({
      kind: 'FORMAT',
      value: 'X'.repeat(f.maxLength + 1),
      what: `${f.maxLength + 1} caractères (au plus ${f.maxLength})`,
    });
  }
  const byType: Partial<Record<FieldDef['type'], string>> = {
    dateTime: '28/11/2025 10:00',
    duration: '4 heures',
    boolean: 'oui',
    integer: 'un',
    long: 'douze',
  };
  const bad = byType[f.type];
  if (bad !== undefined)
    out.push({ kind: 'FORMAT', value: bad, what: `« ${bad} » n est pas un xsd:${f.type}` });
  const list = f.list ? index.list.get(f.list) : undefined;
  if (list?.mode === 'strict') {
    let value = 'VALEUR INCONNUE';
    if (f.type === 'integer' || f.type === 'long') {
      let n = 0;
      while (list.values.includes(String(n))) n++;
      value = String(n);
    }
    out.push({ kind: 'LIST', value, what: `« ${value} » hors de la liste ${list.id}` });
  }
  const allowed = action?.allowed?.[field];
  if (allowed && list) {
    const other = list.values.find((v) => !allowed.includes(v));
    if (other)
      out.push({
        kind: 'ALLOWED',
        value: other,
        what: `« ${other} » hors des valeurs permises (${allowed.join(', ')})`,
      });
  }
  return out;
}
