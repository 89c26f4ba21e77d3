/**
 * Field-level rules: type formats, lengths, SIREN shape and key, value lists, nil, and the closure
 * label that must spell its closure code. They hold whatever the action, so they also apply to
 * tickets in responses.
 */
import { closureLabel, type FieldDef, type ProfileIndex } from '../profile/index.ts';
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
import { rolesOf } from './roles.ts';
import { isSirenShape, luhnValid } from './siren.ts';
import { type Draft, list, q } from './text.ts';

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
  const at = { field: f.name, value, ...(line !== undefined ? { line } : {}) };
  if (value === null) {
    if (f.nillable) return [];
    return [
      {
        ...at,
        rule: 'FORMAT.NIL',
        severity: 'error',
        basis: f.basis,
        clause: f.clause,
        explanation: 'ne peut pas être nil (xsi:nil interdit par le schéma)',
      },
    ];
  }
  const out: Draft[] = [];
  const err = (rule: string, explanation: string, basis = { basis: f.basis, clause: f.clause }) =>
    out.push({ ...at, rule, severity: 'error', ...basis, explanation });
  // Non-string XSD types collapse whitespace before checking the lexical form.
  const v = f.type === 'string' ? value : value.trim();
  if (f.type !== 'string') {
    const t = TYPE_RULES[f.type];
    if (!t.test(v)) {
      err(t.rule, `la valeur ${q(value)} ${t.text}`);
      return out;
    }
  }
  const len = charLength(v);
  let lengthOk = true;
  if (f.exactLength !== undefined && len !== f.exactLength) {
    lengthOk = false;
    err(
      'FORMAT.LENGTH',
      `la valeur ${q(value)} doit contenir exactement ${f.exactLength} caractères (${len} reçus)`,
    );
  }
  if (f.maxLength !== undefined && len > f.maxLength) {
    lengthOk = false;
    err('FORMAT.LENGTH', `la valeur ${q(value)} dépasse ${f.maxLength} caractères (${len} reçus)`);
  }
  if (f.siren && lengthOk) {
    if (!isSirenShape(v)) err('FORMAT.SIREN', `la valeur ${q(value)} n'est pas un SIREN (9 chiffres)`);
    else if (!luhnValid(v)) {
      const strict = index.settings.strictSirenKey;
      out.push({
        ...at,
        rule: 'SIREN.KEY',
        severity: strict ? 'error' : 'warning',
        ...index.profile.settingsBasis.strictSirenKey,
        explanation: `la clé de contrôle (Luhn) du SIREN ${q(value)} est fausse${strict ? '' : ' (accepté : strictSirenKey désactivé)'}`,
      });
    }
  }
  if (f.list) out.push(...checkList(f, value, v, index, at));
  return out;
}

function checkList(
  f: FieldDef,
  raw: string,
  v: string,
  index: ProfileIndex,
  at: Pick<Draft, 'field' | 'value' | 'line'>,
): Draft[] {
  const l = index.list.get(f.list!);
  if (!l) return [];
  const key = f.type === 'integer' || f.type === 'long' ? canonicalInteger(v) : v;
  if (l.values.includes(key)) return [];
  const basis = { basis: l.basis, clause: l.clause };
  if (l.legacy?.includes(key)) {
    const readable = index.settings.legacyStatesReadable;
    return [
      {
        ...at,
        rule: 'LIST.LEGACY',
        severity: readable ? 'info' : 'error',
        ...(readable ? basis : index.profile.settingsBasis.legacyStatesReadable),
        explanation: readable
          ? `la valeur ${q(raw)} est une valeur héritée de la v2.0, lue mais jamais émise`
          : `la valeur ${q(raw)} est une valeur héritée de la v2.0, refusée (legacyStatesReadable désactivé)`,
      },
    ];
  }
  if (l.mode === 'open') {
    return [
      {
        ...at,
        rule: 'LIST.OPEN',
        severity: 'warning',
        ...basis,
        explanation: `la valeur ${q(raw)} n'est pas une des valeurs attendues (${list(l.values)}) ; texte libre accepté`,
      },
    ];
  }
  return [
    {
      ...at,
      rule: 'LIST',
      severity: 'error',
      ...basis,
      explanation: `la valeur ${q(raw)} n'est pas dans la liste ${l.id} (${list(l.values)})`,
    },
  ];
}

/** Field-level findings for every value of a ticket, plus required elements and the closure label. */
export function checkValues(
  values: TicketValue,
  index: ProfileIndex,
  lines: Record<string, number>,
  opts: { requireSchemaFields: boolean },
): Draft[] {
  const out: Draft[] = [];
  for (const f of index.profile.fields) {
    const v = values[f.name];
    const line = lines[f.name];
    if (v === undefined) {
      if (opts.requireSchemaFields && f.required) {
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
      continue;
    }
    out.push(...checkValue(f, v, index, line));
  }
  out.push(...checkClosureLabel(values, index, lines));
  return out;
}

function checkClosureLabel(values: TicketValue, index: ProfileIndex, lines: Record<string, number>): Draft[] {
  const { closureCode, closureLabel: labelField } = rolesOf(index);
  if (!closureCode || !labelField) return [];
  const code = values[closureCode.name];
  const label = values[labelField.name];
  if (typeof code !== 'string' || typeof label !== 'string') return [];
  const c = index.closure.get(code.trim());
  if (!c) return [];
  const expected = closureLabel(c);
  if (label === expected) return [];
  const line = lines[labelField.name];
  return [
    {
      rule: 'CLOSURE.LABEL',
      severity: 'error',
      field: labelField.name,
      value: label,
      ...(line !== undefined ? { line } : {}),
      basis: c.basis,
      clause: c.clause,
      explanation: `la valeur ${q(label)} ne correspond pas au code de clôture ${q(code)} : attendu « ${expected} »`,
    },
  ];
}
