/**
 * Field-level rules: type formats, lengths, SIREN shape and key, value lists, nil, and the closure
 * label that must spell its closure code. They hold whatever the action, so they also apply to
 * tickets in responses.
 */
import { type FieldDef, formatBasis, type ProfileIndex } from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import {
  canonicalInteger,
  charLength,
  isBoolean,
  isDateTime,
  isDuration,
  isInteger,
  isLong,
} from './formats.ts';
import { type ListSets, planOf, type RulesPlan } from './plan.ts';
import { isSirenShape, luhnValid } from './siren.ts';
import { type Draft, list, q, trimmed } from './text.ts';

const TYPE_RULES: Record<
  Exclude<FieldDef['type'], 'string'>,
  { rule: string; test: (v: string) => boolean; text: string }
> = {
  dateTime: {
    rule: 'FORMAT.DATETIME',
    test: isDateTime,
    text: "n'est pas une date xsd:dateTime ISO 8601 valide (exemple : 2024-03-05T10:15:00+01:00)",
  },
  duration: {
    rule: 'FORMAT.DURATION',
    test: isDuration,
    text: "n'est pas une durée xsd:duration ISO 8601 valide (exemple : PT4H)",
  },
  boolean: { rule: 'FORMAT.BOOLEAN', test: isBoolean, text: "n'est pas un booléen (true, false, 1 ou 0)" },
  integer: { rule: 'FORMAT.INTEGER', test: isInteger, text: "n'est pas un entier" },
  long: { rule: 'FORMAT.LONG', test: isLong, text: "n'est pas un entier long (xsd:long)" },
};

/** Every field-level finding for one value. */
export function checkValue(f: FieldDef, value: string | null, index: ProfileIndex, line?: number): Draft[] {
  const out: Draft[] = [];
  checkValueInto(out, f, value, index, line !== undefined ? { [f.name]: line } : NO_LINES, planOf(index));
  return out;
}

const NO_LINES: Record<string, number> = Object.create(null);

/** Where a field-level finding points: the field, its value as received, its line. */
function at(f: FieldDef, value: string | null, lines: Record<string, number>) {
  const line = lines[f.name];
  return { field: f.name, value, ...(line !== undefined ? { line } : {}) };
}

function fieldError(
  f: FieldDef,
  value: string | null,
  lines: Record<string, number>,
  rule: string,
  explanation: string,
): Draft {
  // A type, length or SIREN shape cites the clause of the field's format (§5); nil is the element's (§4).
  const b = rule === 'FORMAT.NIL' ? f : formatBasis(f);
  return { ...at(f, value, lines), rule, severity: 'error', basis: b.basis, clause: b.clause, explanation };
}

/** checkValue, appending to `out`: a valid value allocates nothing. */
function checkValueInto(
  out: Draft[],
  f: FieldDef,
  value: string | null,
  index: ProfileIndex,
  lines: Record<string, number>,
  plan: RulesPlan,
): void {
  if (value === null) {
    if (!f.nillable)
      out.push(
        fieldError(f, value, lines, 'FORMAT.NIL', 'ne peut pas être nil (xsi:nil interdit par le schéma)'),
      );
    return;
  }
  // Non-string XSD types collapse whitespace before checking the lexical form.
  const v = f.type === 'string' ? value : trimmed(value);
  if (f.type !== 'string') {
    const t = TYPE_RULES[f.type];
    if (!t.test(v)) {
      out.push(fieldError(f, value, lines, t.rule, `la valeur ${q(value)} ${t.text}`));
      return;
    }
  }
  let lengthOk = true;
  if (f.exactLength !== undefined || f.maxLength !== undefined) {
    const len = charLength(v);
    if (f.exactLength !== undefined && len !== f.exactLength) {
      lengthOk = false;
      out.push(
        fieldError(
          f,
          value,
          lines,
          'FORMAT.LENGTH',
          `la valeur ${q(value)} doit contenir exactement ${f.exactLength} caractères (${len} reçus)`,
        ),
      );
    }
    if (f.maxLength !== undefined && len > f.maxLength) {
      lengthOk = false;
      out.push(
        fieldError(
          f,
          value,
          lines,
          'FORMAT.LENGTH',
          `la valeur ${q(value)} dépasse ${f.maxLength} caractères (${len} reçus)`,
        ),
      );
    }
  }
  if (f.siren && lengthOk) {
    if (!isSirenShape(v))
      out.push(
        fieldError(f, value, lines, 'FORMAT.SIREN', `la valeur ${q(value)} n'est pas un SIREN (9 chiffres)`),
      );
    else if (!luhnValid(v)) {
      const strict = index.settings.strictSirenKey;
      out.push({
        ...at(f, value, lines),
        rule: 'SIREN.KEY',
        severity: strict ? 'error' : 'warning',
        ...index.profile.settingsBasis.strictSirenKey,
        explanation: `la clé de contrôle (Luhn) du SIREN ${q(value)} est fausse${strict ? '' : ' (accepté : strictSirenKey désactivé)'}`,
      });
    }
  }
  if (f.list) {
    const sets = plan.lists.get(f.list);
    if (!sets) return;
    const key = f.type === 'integer' || f.type === 'long' ? canonicalInteger(v) : v;
    if (!sets.values.has(key)) out.push(listDraft(f, value, lines, key, sets, index));
  }
}

/** The finding for a value outside its list: legacy, free text of an open list, or wrong. */
function listDraft(
  f: FieldDef,
  raw: string,
  lines: Record<string, number>,
  key: string,
  sets: ListSets,
  index: ProfileIndex,
): Draft {
  const l = sets.def;
  const basis = { basis: l.basis, clause: l.clause };
  if (sets.legacy?.has(key)) {
    const readable = index.settings.legacyStatesReadable;
    return {
      ...at(f, raw, lines),
      rule: 'LIST.LEGACY',
      severity: readable ? 'info' : 'error',
      ...(readable ? basis : index.profile.settingsBasis.legacyStatesReadable),
      explanation: readable
        ? `la valeur ${q(raw)} est une valeur héritée de la v2.0, lue mais jamais émise`
        : `la valeur ${q(raw)} est une valeur héritée de la v2.0, refusée (legacyStatesReadable désactivé)`,
    };
  }
  if (l.mode === 'open') {
    return {
      ...at(f, raw, lines),
      rule: 'LIST.OPEN',
      severity: 'warning',
      ...basis,
      explanation: `la valeur ${q(raw)} n'est pas une des valeurs attendues (${list(l.values)}) ; texte libre accepté`,
    };
  }
  return {
    ...at(f, raw, lines),
    rule: 'LIST',
    severity: 'error',
    ...basis,
    explanation: `la valeur ${q(raw)} n'est pas dans la liste ${l.id} (${list(l.values)})`,
  };
}

/**
 * Field-level findings for every value of a ticket, plus required elements and the closure label,
 * appended to `out` in schema order. `present`: presentFields(values, index).
 */
export function checkValues(
  out: Draft[],
  values: TicketValue,
  present: number[],
  index: ProfileIndex,
  lines: Record<string, number>,
  opts: { requireSchemaFields: boolean },
): void {
  const { fields } = index.profile;
  const plan = planOf(index);
  const required = opts.requireSchemaFields ? plan.required : NONE;
  let r = 0;
  for (const position of present) {
    for (; r < required.length && required[r]! < position; r++)
      requireField(out, values, fields[required[r]!]!);
    const f = fields[position]!;
    checkValueInto(out, f, values[f.name]!, index, lines, plan);
  }
  for (; r < required.length; r++) requireField(out, values, fields[required[r]!]!);
  checkClosureLabel(out, values, index, lines);
}

const NONE: number[] = [];

/** A required element (nil accepted) that the ticket does not give. */
function requireField(out: Draft[], values: TicketValue, f: FieldDef): void {
  if (values[f.name] !== undefined) return;
  out.push({
    rule: 'REQUIRED',
    severity: 'error',
    demand: 'missing',
    field: f.name,
    basis: f.basis,
    clause: f.clause,
    explanation: 'élément obligatoire du schéma absent (minOccurs=1, nil accepté)',
  });
}

function checkClosureLabel(
  out: Draft[],
  values: TicketValue,
  index: ProfileIndex,
  lines: Record<string, number>,
): void {
  const plan = planOf(index);
  const { closureCode, closureLabel: labelField } = plan.roles;
  if (!closureCode || !labelField) return;
  const code = values[closureCode.name];
  const label = values[labelField.name];
  if (typeof code !== 'string' || typeof label !== 'string') return;
  const c = index.closure.get(code.trim());
  if (!c) return;
  const expected = plan.closureLabels.get(c)!;
  if (label === expected) return;
  const line = lines[labelField.name];
  out.push({
    rule: 'CLOSURE.LABEL',
    severity: 'error',
    field: labelField.name,
    value: label,
    ...(line !== undefined ? { line } : {}),
    basis: c.basis,
    clause: c.clause,
    explanation: `la valeur ${q(label)} ne correspond pas au code de clôture ${q(code)} : attendu « ${expected} »`,
  });
}
