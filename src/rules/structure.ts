/**
 * Structure rules: what the reader noticed (unknown, misplaced, duplicated elements) and what the
 * XSD validator rejected. Following §9, a problem on a profile field blames that field (returnCode 2,
 * or 1 when a required element is missing); one no field can be blamed for demands a fault.
 */
import type { ProfileIndex } from '../profile/index.ts';
import type { ReadIssue, SchemaError } from '../soap/model.ts';
import type { Finding } from './finding.ts';
import { type Draft, q } from './text.ts';

const ISSUE_TEXT: Record<ReadIssue['kind'], { rule: string; text: string }> = {
  'unknown-element': { rule: 'STRUCTURE.UNKNOWN', text: 'élément inconnu du schéma' },
  'wrong-namespace': { rule: 'STRUCTURE.NAMESPACE', text: 'élément dans un mauvais espace de noms' },
  'out-of-order': { rule: 'STRUCTURE.ORDER', text: "élément hors de l'ordre du schéma" },
  duplicate: { rule: 'STRUCTURE.DUPLICATE', text: 'élément présent plusieurs fois' },
  ignored: { rule: 'STRUCTURE.IGNORED', text: 'élément JSR 91 ignoré' },
  more: { rule: 'STRUCTURE.MORE', text: 'problèmes de structure non détaillés' },
  'not-simple': {
    rule: 'STRUCTURE.NOT_SIMPLE',
    text: 'élément qui doit contenir du texte, pas des éléments',
  },
};

/** One finding per reader issue. */
export function issueDrafts(issues: ReadIssue[], index: ProfileIndex): Draft[] {
  const { settings, profile } = index;
  const { settingsBasis } = profile;
  return issues.map((issue): Draft => {
    const { rule, text } = ISSUE_TEXT[issue.kind];
    if (issue.kind === 'more') {
      // A summary, not a problem of its own: the issues it counts repeat kinds already recorded.
      return {
        rule,
        severity: 'warning',
        line: issue.line,
        basis: 'decision',
        clause: '§9',
        explanation: `${text} : ${issue.detail}`,
      };
    }
    const f = index.field.get(issue.field);
    const base = { rule, field: f?.name ?? issue.field, line: issue.line };
    const explanation = `${text} : ${issue.detail}`;
    if (issue.kind === 'ignored') {
      return { ...base, severity: 'info', basis: 'spec', clause: 'spec 2.3.1', explanation };
    }
    // Lenient mode reads a ftth child found in another namespace and says so.
    if (
      issue.kind === 'wrong-namespace' &&
      settings.lenientFtthNamespace &&
      f?.group === 'ftth' &&
      /lenient/.test(issue.detail)
    ) {
      return { ...base, severity: 'warning', ...settingsBasis.lenientFtthNamespace, explanation };
    }
    if (f)
      return { ...base, severity: 'error', demand: 'invalid', basis: f.basis, clause: f.clause, explanation };
    // Not a field of the profile: no field can be blamed (§9).
    return {
      ...base,
      severity: 'error',
      demand: 'fault',
      basis: 'decision',
      clause: '§9',
      explanation: `${explanation} ; aucun champ du profil ${profile.id} ne peut être mis en cause`,
    };
  });
}

const ELEMENT = /Element '(?:\{([^}]*)\})?([^']+)'/;

/**
 * Elements of a request that are not ticket fields but parameters of the operation (§3): a value
 * the schema rejects there blames the parameter (§9: whenever one field can be blamed, a returnCode).
 */
const PARAMETERS: Record<string, { ns: 'tt'; what: string }> = {
  resyncRequired: { ns: 'tt', what: 'paramètre booléen de setTroubleTicketByValue (true ou false)' },
  attrNames: { ns: 'tt', what: "paramètre de getTroubleTicketByKey : une liste d'éléments co:item" },
};
const EXPECTED = /Expected is(?: one of)? \(([^)]*)\)/;

/**
 * Schema errors as findings. An error about a profile field blames it (or, when it says a required
 * element is missing, blames the absent one) unless a finding already judges that field.
 */
export function schemaDrafts(
  errors: SchemaError[],
  values: Record<string, string | null | undefined>,
  index: ProfileIndex,
  existing: Finding[],
  /** Values of the operation's parameters (resyncRequired, attrNames) as received. */
  parameterValues: Record<string, string | null | undefined> = {},
): Draft[] {
  const judged = new Set(
    existing.filter((f) => f.field && f.rule !== 'FIELD.UNEXPECTED').map((f) => f.field!),
  );
  const out: Draft[] = [];
  for (const e of errors) {
    if (e.more !== undefined) {
      // A count of errors like the ones above, not an error of its own.
      out.push({
        rule: 'XSD.MORE',
        severity: 'warning',
        line: e.line,
        basis: 'decision',
        clause: '§9',
        explanation: `erreurs du schéma XSD non détaillées : ${e.message}`,
      });
      continue;
    }
    const named = e.element ?? ELEMENT.exec(e.message)?.[2];
    const expected = (EXPECTED.exec(e.message)?.[1] ?? '')
      .split(',')
      .map((s) => s.trim().replace(/^\{[^}]*\}/, ''))
      .filter(Boolean);
    // "Missing child element(s)", or "not expected" with a single expected element: a required
    // element is absent. "Expected is one of (…)" after an unexpected element lists optional ones.
    const saysMissing =
      /Missing child element/.test(e.message) || (/not expected/.test(e.message) && expected.length === 1);
    const absent = saysMissing
      ? expected.map((n) => index.field.get(n)).find((f) => f && values[f.name] === undefined)
      : undefined;
    const namedField = named ? index.field.get(named) : undefined;
    const missingElement = absent !== undefined;
    const blamed = missingElement ? absent : namedField;
    const base = { rule: 'XSD', line: e.line, explanation: `rejeté par le schéma XSD : ${e.message}` };
    const parameter = !missingElement && named ? PARAMETERS[named] : undefined;
    const namedNs = ELEMENT.exec(e.message)?.[1];
    if (parameter && (namedNs === undefined || namedNs === index.ns[parameter.ns])) {
      if (judged.has(named!)) continue;
      judged.add(named!);
      const v = parameterValues[named!];
      out.push({
        ...base,
        severity: 'error',
        field: named!,
        ...(v !== undefined ? { value: v } : {}),
        demand: 'invalid',
        basis: 'interop',
        clause: '§3',
        explanation: `valeur ${q(v)} refusée, ${parameter.what} ; ${base.explanation}`,
      });
      continue;
    }
    if (blamed) {
      if (judged.has(blamed.name)) continue;
      judged.add(blamed.name);
      const v = values[blamed.name];
      out.push({
        ...base,
        severity: 'error',
        field: blamed.name,
        ...(v !== undefined ? { value: v } : {}),
        demand: v === undefined ? 'missing' : 'invalid',
        basis: blamed.basis,
        clause: blamed.clause,
      });
      continue;
    }
    if (named && judged.has(named)) continue;
    // No field to blame, but the message still names the element the schema names (the missing one first).
    const element = (saysMissing ? expected[0] : undefined) ?? named;
    out.push({
      ...base,
      ...(element !== undefined ? { element } : {}),
      severity: 'error',
      demand: 'fault',
      basis: 'interop',
      clause: '§4',
    });
  }
  return out;
}
