/**
 * Rules on the other messages: the read request (R9), create/set/get responses (spec 4.1, §9) and
 * SOAP faults (§3).
 */
import type { OperationDef, ProfileIndex } from '../profile/index.ts';
import type { GetRequest, SoapFault, TicketResponse, TicketValue } from '../soap/model.ts';
import { type Draft, isGiven, list, q } from './text.ts';

/** The profile fields of a get request, as a flat map (attrNames is not a field). */
export function getRequestValues(get: GetRequest): TicketValue {
  const out: TicketValue = {};
  for (const k in get) {
    if (!Object.hasOwn(get, k) || k === 'attrNames') continue;
    const v = get[k as keyof GetRequest];
    if (v !== undefined) out[k] = v as string | null;
  }
  return out;
}

/** Where a read-request finding points: the field, its value and line when the message has them. */
/** Unknown attrNames warned about one by one; the rest are counted in one warning. */
const ATTR_NAMES_DETAILED = 20;

const at = (values: TicketValue, lines: Record<string, number>, field: string) => ({
  field,
  ...(values[field] !== undefined ? { value: values[field] } : {}),
  ...(lines[field] !== undefined ? { line: lines[field] } : {}),
});

export function checkGetRequest(
  get: GetRequest,
  index: ProfileIndex,
  lines: Record<string, number>,
  values: TicketValue = getRequestValues(get),
): Draft[] {
  const r = index.profile.getRequest;
  const out: Draft[] = [];
  for (const field of r.mandatory) {
    if (isGiven(values[field])) continue;
    out.push({
      ...at(values, lines, field),
      rule: 'MANDATORY',
      severity: 'error',
      demand: 'missing',
      basis: r.basis,
      clause: r.clause,
      explanation: "champ obligatoire de la lecture d'un ticket (R9) absent ou vide",
    });
  }
  for (const group of r.oneOf) {
    if (group.some((f) => isGiven(values[f]))) continue;
    out.push({
      ...at(values, lines, group[0]!),
      rule: 'ONEOF',
      severity: 'error',
      demand: 'missing',
      basis: r.basis,
      clause: r.clause,
      explanation: `l'un des champs ${group.join(' ou ')} est obligatoire pour la lecture d'un ticket (R9) : aucun n'est renseigné`,
    });
  }
  const unknownNames = (get.attrNames ?? []).filter((name) => !index.field.has(name));
  const attrWarning = (explanation: string, value?: string): Draft => ({
    rule: 'GET.ATTR',
    severity: 'warning',
    field: 'attrNames',
    ...(value !== undefined ? { value } : {}),
    ...(lines.attrNames !== undefined ? { line: lines.attrNames } : {}),
    basis: 'interop',
    clause: '§3',
    explanation,
  });
  // One warning per unknown name up to a bound: a request may list thousands of them.
  for (const name of unknownNames.slice(0, ATTR_NAMES_DETAILED)) {
    out.push(
      attrWarning(`attrNames cite ${q(name)}, qui n'est pas un champ du profil ${index.profile.id}`, name),
    );
  }
  const more = unknownNames.length - ATTR_NAMES_DETAILED;
  if (more > 0) {
    out.push(
      attrWarning(
        `attrNames cite encore ${more} autres noms qui ne sont pas des champs du profil ${index.profile.id}`,
      ),
    );
  }
  return out;
}

/** Label names a field as §9 asks: `field` or `field : explication`. */
function labelField(label: string, index: ProfileIndex): { named?: string; leading: boolean } {
  const head = /^\s*([A-Za-z][\w.-]*)/.exec(label)?.[1];
  if (head && index.field.has(head)) return { named: head, leading: true };
  const named = label.split(/[^\w.-]+/).find((w) => index.field.has(w));
  return { ...(named ? { named } : {}), leading: false };
}

export function checkTicketResponse(
  response: TicketResponse,
  ticket: TicketValue | undefined,
  operation: OperationDef,
  index: ProfileIndex,
  lines: Record<string, number>,
): Draft[] {
  const codes = index.profile.returnCodes;
  const basis = { basis: codes.basis, clause: codes.clause };
  const out: Draft[] = [];
  const at = (field: 'returnCode' | 'returnLabel' | 'troubleTicketKey') => ({
    field,
    ...(response[field] !== undefined ? { value: response[field] } : {}),
    ...(lines[field] !== undefined ? { line: lines[field] } : {}),
    demand: 'none' as const,
  });
  const rc = response.returnCode;
  const known = [codes.success, codes.missing, codes.invalid];
  if (!isGiven(rc) || !known.includes(rc.trim())) {
    out.push({
      ...at('returnCode'),
      rule: 'RESPONSE.CODE',
      severity: 'error',
      ...basis,
      explanation: isGiven(rc)
        ? `le code retour ${q(rc)} n'est pas un code du protocole (${list(known)})`
        : `le code retour ${q(rc)} est obligatoire (${list(known)})`,
    });
    return out;
  }
  const code = rc.trim();
  if (code === codes.missing || code === codes.invalid) {
    const label = response.returnLabel;
    const found = isGiven(label) ? labelField(label, index) : { leading: false };
    if (!found.named) {
      out.push({
        ...at('returnLabel'),
        rule: 'RESPONSE.LABEL',
        severity: 'error',
        ...basis,
        explanation: `le libellé ${q(label)} doit nommer le champ en erreur pour le code retour ${code} (format « champ : explication », §9)`,
      });
    } else if (!found.leading) {
      out.push({
        ...at('returnLabel'),
        rule: 'RESPONSE.LABEL.FORMAT',
        severity: 'warning',
        basis: 'decision',
        clause: '§9',
        explanation: `le libellé ${q(label)} nomme ${found.named} mais ne suit pas le format « champ : explication »`,
      });
    }
  }
  if (operation.kind === 'create' && code === codes.success && !isGiven(response.troubleTicketKey)) {
    out.push({
      ...at('troubleTicketKey'),
      rule: 'RESPONSE.KEY',
      severity: 'error',
      ...basis,
      explanation: `une création réussie (code retour ${code}) doit renvoyer la clé du ticket créé : reçu ${q(response.troubleTicketKey)}`,
    });
  }
  if (ticket && code === codes.success) {
    for (const f of index.profile.fields) {
      if (!f.required || isGiven(ticket[f.name])) continue;
      out.push({
        field: f.name,
        ...(ticket[f.name] !== undefined ? { value: ticket[f.name] } : {}),
        ...(lines[f.name] !== undefined ? { line: lines[f.name] } : {}),
        demand: 'none',
        rule: 'RESPONSE.TICKET',
        severity: 'error',
        basis: 'spec',
        clause: 'spec 3.3.2',
        explanation: `une lecture réussie doit renvoyer le ticket : ${f.name} vaut ${q(ticket[f.name])}`,
      });
    }
  }
  return out;
}

const FAULT_CODES = ['Client', 'Server', 'VersionMismatch', 'MustUnderstand'];

export function checkFault(fault: SoapFault, operation: OperationDef | undefined): Draft[] {
  const out: Draft[] = [];
  const base = { demand: 'none' as const, basis: 'interop' as const, clause: '§3' };
  const local = fault.faultcode.replace(/^.*:/, '');
  // SOAP 1.1 §4.4.1 lets a code be refined with dots (its own example: Client.Authentication);
  // WS-I BP 1.1 R1031 says SHOULD NOT, hence a warning only.
  const parts = local.split('.');
  const refined = parts[0]!;
  if (!FAULT_CODES.includes(refined) || parts.some((p) => p === '')) {
    out.push({
      ...base,
      rule: 'FAULT.CODE',
      severity: 'error',
      field: 'faultcode',
      value: fault.faultcode,
      explanation: `le faultcode ${q(fault.faultcode)} n'est pas un code SOAP 1.1 (${list(FAULT_CODES)}), ni un raffinement par points de l'un d'eux (SOAP 1.1 §4.4.1)`,
    });
  } else if (refined !== local) {
    out.push({
      ...base,
      rule: 'FAULT.CODE.DOT',
      severity: 'warning',
      field: 'faultcode',
      value: fault.faultcode,
      explanation: `le faultcode ${q(fault.faultcode)} raffine le code SOAP 1.1 « ${refined} » par la notation pointée (SOAP 1.1 §4.4.1), que WS-I Basic Profile 1.1 R1031 déconseille (SHOULD NOT) : lu comme « ${refined} »`,
    });
  }
  if (!isGiven(fault.faultstring)) {
    out.push({
      ...base,
      rule: 'FAULT.STRING',
      severity: 'warning',
      field: 'faultstring',
      value: fault.faultstring,
      explanation: 'le faultstring est vide',
    });
  }
  if (!fault.exception || !fault.choice) {
    out.push({
      ...base,
      rule: 'FAULT.DETAIL',
      severity: 'warning',
      field: 'detail',
      explanation: "le detail ne porte pas d'exception <opération>Exception avec son choix (§3)",
    });
  } else if (operation && !operation.faultChoices.includes(fault.choice)) {
    out.push({
      ...base,
      rule: 'FAULT.CHOICE',
      severity: 'error',
      field: 'detail',
      value: fault.choice,
      explanation: `l'exception ${q(fault.choice)} n'est pas un choix de ${operation.exception} (${list(operation.faultChoices)})`,
    });
  }
  return out;
}
