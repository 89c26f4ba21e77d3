/**
 * Expectations of a step, each turned into one check: on an answer (returnCode, returnLabel naming a
 * field, fault, HTTP status, key), on a ticket pushed or read back (state, version, any field), on
 * a push (the action it is, its delivery attempts) and on a meta answer (its items).
 */
import type { Basis, ProfileIndex } from '../profile/index.ts';
import { dateTimeInstant } from '../rules/formats.ts';
import { rolesOf } from '../rules/index.ts';
import type { DecodedMessage, TicketValue } from '../soap/model.ts';
import type { Exchange } from './http.ts';
import type { CheckSink } from './judge.ts';
import type { Expect } from './schema.ts';

/** What a step observed, in the terms expectations use. */
export interface Observed {
  returnCode?: string | null;
  returnLabel?: string | null;
  key?: string | null;
  fault?: { code: string; choice?: string; text: string };
  httpStatus?: number;
  /** The ticket pushed, read back or returned. */
  ticket?: TicketValue;
  /** The action a push was identified as. */
  action?: string;
  attempts?: number;
  values?: string[];
  /** The meta operation whose answer gave {@link values}. */
  metaOperation?: string;
  /** Transport failure. */
  error?: string;
}

export function observedFrom(msg: DecodedMessage | undefined, x: Exchange | undefined): Observed {
  const o: Observed = {};
  if (x?.httpStatus !== undefined) o.httpStatus = x.httpStatus;
  if (x?.error && x.response === undefined) o.error = x.error;
  if (!msg) return o;
  const b = msg.body;
  if (b.kind === 'ticketResponse') {
    o.returnCode = b.response.returnCode ?? null;
    o.returnLabel = b.response.returnLabel ?? null;
    o.key = b.response.troubleTicketKey;
    if (b.ticket) o.ticket = b.ticket;
  } else if (b.kind === 'fault') {
    const local = b.fault.faultcode.split(':').pop() ?? b.fault.faultcode;
    o.fault = {
      code: local,
      text: b.fault.faultstring,
      ...(b.fault.choice ? { choice: b.fault.choice } : {}),
    };
  } else if (b.kind === 'metaResponse') {
    o.values = b.values;
    if (msg.operation) o.metaOperation = msg.operation.name;
  } else if (b.kind === 'setRequest' || b.kind === 'createRequest') {
    o.ticket = b.ticket;
    o.key = b.ticket.troubleTicketKey ?? null;
  }
  return o;
}

/** A flat record of an observation, for `${steps.<id>.<name>}` and `capture:`. */
export function flatten(o: Observed, index: ProfileIndex): Record<string, string | number | null> {
  const roles = rolesOf(index);
  const out: Record<string, string | number | null> = {};
  if (o.ticket) for (const [k, v] of Object.entries(o.ticket)) out[k] = v;
  if (o.key !== undefined) out.troubleTicketKey = o.key;
  if (o.returnCode !== undefined) out.returnCode = o.returnCode;
  if (o.returnLabel !== undefined) out.returnLabel = o.returnLabel;
  if (o.httpStatus !== undefined) out.httpStatus = o.httpStatus;
  if (o.fault) {
    out.faultcode = o.fault.code;
    out.faultstring = o.fault.text;
  }
  if (o.ticket && roles.state) out.state = o.ticket[roles.state.name] ?? null;
  if (o.ticket) out.version = o.ticket[index.settings.staleVersionField] ?? null;
  if (o.attempts !== undefined) out.attempts = o.attempts;
  if (o.action !== undefined) out.action = o.action;
  return out;
}

const WORD = (name: string) =>
  new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`);

/** What separates the field's name from its explanation in a returnLabel (§9: `champ : explication`). */
const LABEL_SEPARATOR = ' : ';

/**
 * A returnLabel names a field when it holds its local name (or an alias) as a whole word (§9). A
 * label of the form `prefix : explanation` is judged on its prefix only: the explanation may quote
 * other fields (`troubleDescription : … liste description (…)` does not name description).
 */
export function labelNames(label: string | null | undefined, field: string, index: ProfileIndex): boolean {
  if (!label) return false;
  const f = index.field.get(field);
  const names = f ? [f.name, ...(f.aliases ?? [])] : [field];
  const at = label.indexOf(LABEL_SEPARATOR);
  const named = at > 0 && label.slice(0, at).trim() !== '' ? label.slice(0, at) : label;
  return names.some((n) => WORD(n).test(named));
}

/**
 * Whether a field's value equals the expected one: as instants for xsd:dateTime fields (the
 * profile's format), as text otherwise. A dateTime with a time zone and one without are not
 * compared as equal (their order is indeterminate, XML Schema 1.1 §3.3.7.3).
 */
function sameValue(
  field: string,
  got: string | null | undefined,
  want: string,
  index: ProfileIndex,
): boolean {
  if (got === want) return true;
  if (typeof got !== 'string' || index.field.get(field)?.type !== 'dateTime') return false;
  const a = dateTimeInstant(got);
  const b = dateTimeInstant(want);
  return !!a && !!b && a.zoned === b.zoned && a.ms === b.ms && a.rest === b.rest;
}

const show = (v: string | null | undefined) => (v === undefined ? 'absent' : v === null ? 'nil' : v);

function answerText(o: Observed): string {
  if (o.error) return `no answer (${o.error})`;
  if (o.fault) return `SOAP fault ${o.fault.code}: ${o.fault.text}`;
  if (o.returnCode !== undefined)
    return `returnCode ${show(o.returnCode)}${o.returnLabel ? ` (${o.returnLabel})` : ''}`;
  return 'no readable answer';
}

export interface ExpectContext {
  sink: CheckSink;
  index: ProfileIndex;
  rule: string;
  exchange?: Exchange;
  /** Where ticket values come from, for messages: `le ticket relu`, `l action poussée`… */
  ticketSource: string;
}

/** The rule of the check that a meta operation answered (not with a fault). */
export const META_ANSWER_RULE = 'META.ANSWER';

/**
 * Basis of a meta operation's values, from the operation the step's rule `META:<operation>` names
 * (else the one that answered): it depends on the operation, never on what came back, so whether
 * the check is advisory does not either.
 */
function metaValuesBasis(rule: string, o: Observed, index: ProfileIndex): Basis | undefined {
  const name = rule.startsWith('META:') ? rule.slice('META:'.length) : o.metaOperation;
  const op = name ? index.operation.get(name) : undefined;
  const b = op?.meta?.valuesBasis ?? op;
  return b ? { basis: b.basis, clause: b.clause } : undefined;
}

/** One check per expectation. */
export function checkExpectations(e: Expect, o: Observed, c: ExpectContext): void {
  const { sink, index, rule } = c;
  const x = c.exchange ? { exchange: c.exchange } : {};
  const roles = rolesOf(index);
  if (e.returnCode !== undefined) {
    const want = String(e.returnCode);
    const ok = !o.fault && o.returnCode === want;
    sink.add({
      rule,
      title: `returnCode ${want}`,
      verdict: ok ? 'pass' : 'fail',
      expected: want,
      actual: answerText(o),
      message: ok ? `returnCode ${want}` : `expected returnCode ${want}, got ${answerText(o)}`,
      highlight: 'returnCode',
      ...x,
    });
  }
  if (e.field !== undefined) {
    const fields = Array.isArray(e.field) ? e.field : [e.field];
    const ok = fields.some((f) => labelNames(o.returnLabel, f, index));
    sink.add({
      rule,
      title: `returnLabel nomme ${fields.join(' ou ')}`,
      verdict: ok ? 'pass' : 'fail',
      expected: fields.join(' | '),
      actual: o.returnLabel ?? answerText(o),
      message: ok
        ? `returnLabel names ${fields.join(' or ')}`
        : `the returnLabel must name ${fields.join(' or ')} (§9), got ${o.returnLabel ? `"${o.returnLabel}"` : answerText(o)}`,
      highlight: 'returnLabel',
      aspect: 'label',
      ...x,
    });
  }
  if (e.label !== undefined) {
    const ok = !!o.returnLabel?.includes(e.label);
    sink.add({
      rule,
      title: `returnLabel contient « ${e.label} »`,
      verdict: ok ? 'pass' : 'fail',
      expected: e.label,
      actual: o.returnLabel ?? answerText(o),
      message: ok ? 'returnLabel as expected' : `returnLabel does not contain "${e.label}"`,
      highlight: 'returnLabel',
      ...x,
    });
  }
  if (e.fault !== undefined) {
    const want = typeof e.fault === 'string' ? { code: e.fault } : e.fault;
    const codeOk = want.code === undefined || o.fault?.code.split('.')[0] === want.code;
    const choiceOk = want.choice === undefined || o.fault?.choice === want.choice;
    const ok = !!o.fault && codeOk && choiceOk;
    const expected = `SOAP fault${want.code ? ` ${want.code}` : ''}${want.choice ? ` (${want.choice})` : ''}`;
    sink.add({
      rule,
      title: expected,
      verdict: ok ? 'pass' : 'fail',
      expected,
      actual: o.fault
        ? `SOAP fault ${o.fault.code}${o.fault.choice ? ` (${o.fault.choice})` : ''}`
        : answerText(o),
      message: ok ? expected : `expected ${expected}, got ${answerText(o)}`,
      highlight: 'faultcode',
      ...x,
    });
  }
  if (e.httpStatus !== undefined) {
    const ok = o.httpStatus === e.httpStatus;
    sink.add({
      rule,
      title: `HTTP ${e.httpStatus}`,
      verdict: ok ? 'pass' : 'fail',
      expected: String(e.httpStatus),
      actual: o.httpStatus === undefined ? answerText(o) : String(o.httpStatus),
      message: ok
        ? `HTTP ${e.httpStatus}`
        : `expected HTTP ${e.httpStatus}, got ${o.httpStatus ?? answerText(o)}`,
      ...x,
    });
  }
  if (e.key !== undefined) {
    const got = o.ticket?.[index.settings.unknownKeyField] ?? o.key;
    const ok = got === e.key;
    sink.add({
      rule,
      // The key is the OI's (it differs from run to run): in the message, never in the title,
      // which CI tools track a test case by.
      title: 'troubleTicketKey du ticket attendu',
      verdict: ok ? 'pass' : 'fail',
      expected: e.key,
      actual: show(got),
      message: ok ? `the expected ticket ${e.key}` : `expected ticket ${e.key}, got ${show(got)}`,
      highlight: index.settings.unknownKeyField,
      ...x,
    });
  }
  const ticketCheck = (field: string, want: string | null, title: string) => {
    const got = o.ticket?.[field];
    const ok =
      want === null ? got === undefined || got === null || got === '' : sameValue(field, got, want, index);
    sink.add({
      rule,
      title,
      verdict: ok ? 'pass' : 'fail',
      expected: want === null ? 'absent' : want,
      actual: o.ticket ? show(got) : `no ticket (${answerText(o)})`,
      message: ok
        ? `${field} ${want === null ? 'absent' : `= ${want}`} in ${c.ticketSource}`
        : `${field} in ${c.ticketSource}: expected ${want === null ? 'absent' : want}, got ${o.ticket ? show(got) : 'no ticket'}`,
      highlight: field,
      ...x,
    });
  };
  if (e.state !== undefined && roles.state) ticketCheck(roles.state.name, e.state, `état ${e.state}`);
  if (e.version !== undefined) {
    ticketCheck(
      index.settings.staleVersionField,
      String(e.version),
      `${index.settings.staleVersionField} ${e.version}`,
    );
  }
  for (const [f, v] of Object.entries(e.fields ?? {})) {
    const name = index.field.get(f)?.name ?? f;
    ticketCheck(name, v === null ? null : String(v), `${name} ${v === null ? 'absent' : `= ${v}`}`);
  }
  for (const f of e.present ?? []) {
    const name = index.field.get(f)?.name ?? f;
    const got = o.ticket?.[name];
    const ok = typeof got === 'string' && got.trim() !== '';
    sink.add({
      rule,
      title: `${name} renseigné`,
      verdict: ok ? 'pass' : 'fail',
      expected: 'present',
      actual: o.ticket ? show(got) : `no ticket (${answerText(o)})`,
      message: ok ? `${name} present in ${c.ticketSource}` : `${name} must be present in ${c.ticketSource}`,
      highlight: name,
      ...x,
    });
  }
  if (e.action !== undefined) {
    const ok = o.action === e.action;
    sink.add({
      rule,
      title: `action ${e.action}`,
      verdict: ok ? 'pass' : 'fail',
      expected: e.action,
      actual: o.action ?? 'unidentified',
      message: ok
        ? `identified as ${e.action}`
        : `expected ${e.action}, got ${o.action ?? 'an unidentified message'}`,
      ...x,
    });
  }
  if (e.attempts !== undefined) {
    const ok = o.attempts === e.attempts;
    sink.add({
      rule,
      title: `${e.attempts} tentatives de livraison`,
      verdict: ok ? 'pass' : 'fail',
      expected: String(e.attempts),
      actual: String(o.attempts ?? 0),
      message: ok
        ? `delivered at attempt ${e.attempts}`
        : `expected ${e.attempts} delivery attempts, saw ${o.attempts ?? 0}`,
      ...x,
    });
  }
  if (e.values !== undefined) {
    const want = [...e.values].sort();
    const got = [...(o.values ?? [])].sort();
    const missing = want.filter((v) => !got.includes(v));
    const unexpected = got.filter((v) => !want.includes(v));
    const repeated = [...new Set(got.filter((v, i) => i > 0 && got[i - 1] === v))];
    const ok =
      o.values !== undefined && missing.length === 0 && unexpected.length === 0 && repeated.length === 0;
    const quoted = (vs: string[]) => vs.map((v) => `"${v}"`).join(', ');
    const why = [
      ...(unexpected.length ? [`unexpected ${quoted(unexpected)}`] : []),
      ...(missing.length ? [`missing ${quoted(missing)}`] : []),
      ...(repeated.length ? [`repeated ${quoted(repeated)}`] : []),
    ].join('; ');
    // §3 fixes the shape (arrays of co:item strings, judged by the schema check), not the values:
    // they are the profile's [decision], so a difference is advisory, whatever the answer was.
    const vb = metaValuesBasis(rule, o, index);
    sink.add({
      rule,
      title: 'valeurs de la réponse méta',
      verdict: ok ? 'pass' : 'fail',
      expected: want.join(', ') || '(none)',
      actual: o.values ? got.join(', ') || '(none)' : answerText(o),
      message: ok
        ? 'the profile values'
        : o.values === undefined
          ? `no meta answer to compare with the profile values: ${answerText(o)}`
          : `the meta answer differs from the profile values (${why})${vb?.basis === 'decision' ? `; these values are the profile's [decision] (${vb.clause} fixes only arrays of strings): change the profile if the OI's are the agreed ones` : ''}`,
      ...(vb ? { ...vb, ...(vb.basis === 'decision' ? { mandatory: false } : {}) } : {}),
      ...x,
    });
    // That an operation of the WSDL answers at all (not with a fault) is §3's, mandatory.
    const answered = o.values !== undefined;
    sink.add({
      rule: META_ANSWER_RULE,
      title: 'réponse méta reçue (pas une faute)',
      verdict: answered ? 'pass' : 'fail',
      expected: 'an array of strings',
      actual: answered ? `${got.length} item(s)` : answerText(o),
      message: answered
        ? 'the meta operation answered'
        : `an operation of the WSDL must answer with its response (§3), got ${answerText(o)}`,
      ...(o.fault ? { highlight: 'faultcode' } : {}),
      ...x,
    });
  }
}
