/**
 * Automatic checks on every message of the implementation under test, whatever the scenario
 * expects: an answer (to a request or a push) is read as SOAP 1.1, in the protocol's namespaces,
 * valid against the profile's XSD, sent as text/xml in UTF-8, with the right HTTP status (a fault
 * with HTTP 200 fails), and passes the rule engine (an HTML page in its place is reported as one);
 * a message it sends (a push, an OC request) passes the rule engine with the ticket's current state,
 * each error finding becoming a check of the matching rulebook rule.
 */
import { getProfile, indexProfile, type OperationDef, type ProfileIndex } from '../profile/index.ts';
import { type CheckOutcome, checkMessage, type Finding, type RuleContext, rolesOf } from '../rules/index.ts';
import { isGiven, q } from '../rules/text.ts';
import { schemaValidator } from '../schema/validator.ts';
import { isUtf8Label } from '../soap/encoding.ts';
import { CodecError } from '../soap/errors.ts';
import { parameterValues, parseMediaType } from '../soap/media-type.ts';
import type { DecodedMessage } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import type { Exchange } from './http.ts';
import { type CheckResult, type Evidence, redactPasswords, type Verdict } from './result.ts';
import type { Rulebook } from './rulebook.ts';

/** Findings that other checks already report (namespaces, schema, fault structure). */
const COVERED_ELSEWHERE = /^(STRUCTURE\.NAMESPACE|XSD|FAULT\.)/;

export interface CheckInput {
  rule: string;
  title: string;
  verdict: Verdict;
  message: string;
  expected?: string;
  actual?: string;
  highlight?: string;
  /**
   * The check is that the returnLabel names a field: it takes the rulebook entry's `label`
   * basis and clause when the rule has one.
   */
  aspect?: 'label';
  /** Overrides the rulebook's basis and clause (a finding's own). */
  basis?: CheckResult['basis'];
  clause?: string;
  mandatory?: boolean;
  /** Severity of the finding behind the check, when it comes from one. */
  severity?: CheckResult['severity'];
  /** The exchange the check is about (XML kept when the check fails, or once per exchange). */
  exchange?: Exchange;
  notes?: string[];
}

/** XML kept as evidence per message (run.json, junit.xml): beyond it, the text is cut with a marker. */
export const EVIDENCE_MAX_CHARS = 64 * 1024;

/** A check's message, expected and actual value: a quoted value is kept up to this many characters. */
export const TEXT_MAX_CHARS = 4 * 1024;

/** `text` within {@link EVIDENCE_MAX_CHARS}, saying how many bytes were cut. */
export function boundedEvidence(text: string, max = EVIDENCE_MAX_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  // Never split a surrogate pair.
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  const kept = text.slice(0, end);
  const cut = Buffer.byteLength(text) - Buffer.byteLength(kept);
  return `${kept}\n[… ${cut} more bytes cut from the evidence (${Buffer.byteLength(text)} bytes in all)]`;
}

interface BoundedXml {
  of: [string, string | undefined];
  request: string;
  response?: string;
}
const boundedXml = new WeakMap<Exchange, BoundedXml>();

/**
 * The exchange's XML as kept in evidence, passwords redacted (computed once per exchange, again if
 * it changed). What was sent is left as it was.
 */
function xmlOf(x: Exchange): BoundedXml {
  let b = boundedXml.get(x);
  if (!b || b.of[0] !== x.request || b.of[1] !== x.response) {
    b = {
      of: [x.request, x.response],
      request: boundedEvidence(redactPasswords(x.request)),
      ...(x.response !== undefined ? { response: boundedEvidence(redactPasswords(x.response)) } : {}),
    };
    boundedXml.set(x, b);
  }
  return b;
}

/** Collects the checks of one step, with unique ids and evidence kept within reason. */
export class CheckSink {
  readonly checks: CheckResult[] = [];
  private readonly withXml = new Set<Exchange>();
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly book: Rulebook,
    private readonly mandatoryDefault: boolean,
  ) {}

  add(c: CheckInput): CheckResult {
    const rule = this.book.get(c.rule);
    const entry = (c.aspect === 'label' ? rule?.label : undefined) ?? rule;
    const n = (this.counts.get(c.rule) ?? 0) + 1;
    this.counts.set(c.rule, n);
    const evidence: Evidence = {};
    const x = c.exchange;
    if (x) {
      // XML for every failing check and for the first check of each exchange; timing always.
      if (c.verdict !== 'pass' || !this.withXml.has(x)) {
        this.withXml.add(x);
        const xml = xmlOf(x);
        evidence.request = xml.request;
        if (xml.response !== undefined) evidence.response = xml.response;
      }
      if (x.httpStatus !== undefined) evidence.httpStatus = x.httpStatus;
      evidence.durationMs = x.durationMs;
    }
    if (c.highlight) evidence.highlight = c.highlight;
    if (c.notes?.length) evidence.notes = c.notes;
    const check: CheckResult = {
      id: n === 1 ? c.rule : `${c.rule}#${n}`,
      title: c.title,
      rule: c.rule,
      clause: c.clause ?? entry?.clause ?? '§9',
      basis: c.basis ?? entry?.basis ?? 'decision',
      mandatory: c.mandatory ?? this.mandatoryDefault,
      ...(c.severity ? { severity: c.severity } : {}),
      verdict: c.verdict,
      // Values quoted from the implementation's answer are bounded as its XML is.
      message: boundedEvidence(c.message, TEXT_MAX_CHARS),
      ...(c.expected !== undefined ? { expected: boundedEvidence(c.expected, TEXT_MAX_CHARS) } : {}),
      ...(c.actual !== undefined ? { actual: boundedEvidence(c.actual, TEXT_MAX_CHARS) } : {}),
      ...(Object.keys(evidence).length ? { evidence } : {}),
    };
    this.checks.push(check);
    return check;
  }
}

const lenientIndexes = new WeakMap<ProfileIndex, ProfileIndex>();

/** The same profile, reading ftth children in any namespace (to read values despite a namespace error). */
export function lenientIndex(index: ProfileIndex): ProfileIndex {
  let l = lenientIndexes.get(index);
  if (!l) {
    l = index.settings.lenientFtthNamespace
      ? index
      : indexProfile(getProfile(index.profile.id, { ...index.settings, lenientFtthNamespace: true }));
    lenientIndexes.set(index, l);
  }
  return l;
}

type Read = { ok: true; msg: DecodedMessage } | { ok: false; error: CodecError };

function read(text: string, index: ProfileIndex, validate: boolean): Read {
  try {
    return {
      ok: true,
      msg: readMessage(text, index, validate ? { validator: schemaValidator(index.profile) } : {}),
    };
  } catch (e) {
    if (e instanceof CodecError) return { ok: false, error: e };
    return { ok: false, error: new CodecError('MALFORMED_XML', (e as Error).message) };
  }
}

const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');
const listFindings = (fs: Finding[]) => fs.map((f) => f.message).join(' ; ');

/** Form checks shared by answers and judged messages: envelope, namespaces, schema. */
function formChecks(
  sink: CheckSink,
  x: Exchange,
  text: string,
  index: ProfileIndex,
  what: string,
  answer?: Pick<Exchange, 'refused' | 'contentType' | 'httpStatus'>,
): { msg?: DecodedMessage; values?: DecodedMessage } {
  const refused = answer?.refused;
  // Bytes the codec refuses (too large, not UTF-8) are judged as the codec answers them, not
  // through their lossy text.
  const strict: Read = refused
    ? { ok: false, error: new CodecError(refused.kind, refused.message) }
    : read(text, index, true);
  if (!strict.ok) {
    const e = strict.error;
    if (e.kind === 'WRONG_NAMESPACE') {
      sink.add({
        rule: 'SOAP.NAMESPACE',
        title: `${what} : espaces de noms`,
        verdict: 'fail',
        message: e.message,
        exchange: x,
      });
    } else {
      // What the user sees when the body is no XML at all (a proxy's HTML error page), rather
      // than the codec's reason (an HTML DOCTYPE is refused as a DTD).
      const notXml = refused ? undefined : answer && notXmlAnswer(text, answer);
      sink.add({
        rule: 'SOAP.ENVELOPE',
        title: `${what} : enveloppe SOAP 1.1 lisible`,
        verdict: 'fail',
        message: notXml ?? `${e.kind}: ${e.message}`,
        exchange: x,
      });
    }
    return {};
  }
  const msg = strict.msg;
  const nsIssues = msg.issues.filter((i) => i.kind === 'wrong-namespace');
  sink.add({
    rule: 'SOAP.NAMESPACE',
    title: `${what} : espaces de noms`,
    verdict: nsIssues.length ? 'fail' : 'pass',
    message: nsIssues.length
      ? nsIssues.map((i) => i.detail).join(' ; ')
      : 'every element in its protocol namespace',
    ...(nsIssues[0] ? { highlight: nsIssues[0].field } : {}),
    exchange: x,
  });
  sink.add({
    rule: 'SOAP.SCHEMA',
    title: `${what} : valide selon le XSD`,
    verdict: msg.schemaErrors.length ? 'fail' : 'pass',
    message: msg.schemaErrors.length
      ? msg.schemaErrors
          .slice(0, 3)
          .map((e) => `line ${e.line}: ${e.message}`)
          .join(' ; ')
      : 'valid against the profile XSD',
    ...(msg.schemaErrors[0]?.element ? { highlight: msg.schemaErrors[0].element } : {}),
    exchange: x,
  });
  // Values are read leniently when a namespace is wrong, so that expectations judge the content.
  let values = msg;
  if (nsIssues.length) {
    const lenient = read(text, lenientIndex(index), false);
    if (lenient.ok) values = lenient.msg;
  }
  return { msg, values };
}

/** The media type of a SOAP 1.1 message over HTTP (SOAP 1.1 §6.1, WS-I SSBP 1.0 R9702/R9703). */
const SOAP11_MEDIA_TYPE = 'text/xml';
const WHY_TEXT_XML = 'a SOAP 1.1 answer is sent as text/xml (SOAP 1.1 §6.1, WS-I SSBP 1.0 R9702/R9703)';

/**
 * The answer's Content-Type judged: text/xml, with a charset naming UTF-8 if it names one. Without
 * a charset the bytes decide (the codec reads them as UTF-8 and refuses anything else).
 */
function mediaTypeVerdict(x: Exchange): Pick<CheckInput, 'verdict' | 'message' | 'expected' | 'actual'> {
  const expected = `${SOAP11_MEDIA_TYPE}; charset=utf-8`;
  const ct = x.contentType;
  if (ct === undefined || ct.trim() === '') {
    return {
      verdict: 'fail',
      message: `the answer has no Content-Type header: ${WHY_TEXT_XML}`,
      expected,
      actual: 'absent',
    };
  }
  const media = parseMediaType(ct);
  if (media.type !== SOAP11_MEDIA_TYPE) {
    const soap12 =
      media.type === 'application/soap+xml' ? ' (application/soap+xml is the media type of SOAP 1.2)' : '';
    return {
      verdict: 'fail',
      message: `Content-Type ${q(ct)} is not ${SOAP11_MEDIA_TYPE}${soap12}: ${WHY_TEXT_XML}`,
      expected,
      actual: ct,
    };
  }
  const charsets = parameterValues(media, 'charset').map((c) => c.trim());
  const wrong = charsets.filter((c) => !isUtf8Label(c));
  if (wrong.length > 0) {
    return {
      verdict: 'fail',
      message: `Content-Type ${q(ct)} names charset ${wrong.map((c) => q(c)).join(', ')}: the exchanges are UTF-8 end to end, only charset=utf-8 is accepted (WS-I SSBP 1.0 R1018: the charset names the encoding of the bytes)`,
      expected,
      actual: ct,
    };
  }
  return { verdict: 'pass', message: `Content-Type ${ct}`, expected, actual: ct };
}

/** Media types of HTML pages. */
const HTML_MEDIA_TYPES = new Set(['text/html', 'application/xhtml+xml']);
/** How an XML message begins: a declaration or an Envelope element. */
const XML_START = /^<(?:\?xml[\s?]|(?:[\w.-]+:)?Envelope[\s>/])/;
/** Characters of the body quoted in a message (before {@link q} shortens them). */
const FIRST_CHARS = 200;
/** Characters of the body looked at to tell an HTML page (its start, its title). */
const HEAD_CHARS = 16 * 1024;
/** Whether a body begins as an HTML page: `<!DOCTYPE html` or `<html`, after blanks (a BOM among them) and comments. */
function startsAsHtml(body: string): boolean {
  const text = body.slice(0, HEAD_CHARS);
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (!text.startsWith('<!--', at)) break;
    const end = text.indexOf('-->', at + 4);
    if (end < 0) return false;
    at = end + 3;
  }
  return /^<(?:!doctype\s+html|html[\s>])/i.test(text.slice(at, at + 20));
}

/**
 * Why an unreadable answer is no SOAP envelope, in the terms of what came back: an HTML page (by
 * its Content-Type or its first bytes), an empty body, or text that is no XML. Undefined when the
 * body looks like XML (the codec's own reason is then the right one).
 */
function notXmlAnswer(
  text: string,
  answer: Pick<Exchange, 'contentType' | 'httpStatus'>,
): string | undefined {
  const ct = answer.contentType;
  const head = [
    `Content-Type ${ct === undefined || ct.trim() === '' ? 'absent' : q(ct)}`,
    ...(answer.httpStatus !== undefined ? [`HTTP ${answer.httpStatus}`] : []),
  ];
  const first = () => q(text.slice(0, FIRST_CHARS).replace(/\s+/g, ' ').trim());
  // Labelled HTML, the body still counts as the XML it looks like (its codec reason then stands).
  const labelledHtml = ct !== undefined && HTML_MEDIA_TYPES.has(parseMediaType(ct).type);
  const isHtml = startsAsHtml(text) || (labelledHtml && !XML_START.test(text.trimStart()));
  if (isHtml) {
    const title = /<title[^>]{0,200}>([^<]{0,200})<\/title>/i
      .exec(text.slice(0, HEAD_CHARS))?.[1]
      ?.replace(/\s+/g, ' ')
      .trim();
    if (title) head.push(`title ${q(title)}`);
    return `the answer is not a SOAP envelope but an HTML page (${head.join(', ')}), first bytes ${first()}: a web server or proxy answered in place of the SOAP service`;
  }
  if (text.trim() === '') return `the answer is not a SOAP envelope: its body is empty (${head.join(', ')})`;
  // trimStart() drops a BOM too.
  if (!text.trimStart().startsWith('<'))
    return `the answer is not a SOAP envelope: its body is not XML (${head.join(', ')}), first bytes ${first()}`;
  return undefined;
}

export interface AnswerJudgement {
  /** The answer as read for expectations (leniently when a namespace is wrong). */
  answer?: DecodedMessage;
}

/**
 * Checks an answer of the implementation under test. `operation` is the operation of the request
 * (undefined for raw requests that are no operation).
 */
export function judgeAnswer(
  sink: CheckSink,
  x: Exchange,
  index: ProfileIndex,
  opts: {
    operation?: OperationDef;
    who: string;
    /**
     * What the answer answers when a step sends more than one request (`à la relecture (…)`): the
     * titles of its checks then differ from those of the step's main answer.
     */
    about?: string;
  },
): AnswerJudgement {
  const what = `réponse de l ${opts.who}${opts.about ? ` ${opts.about}` : ''}`;
  if (x.response === undefined || (x.error && !x.response)) {
    sink.add({
      rule: 'SOAP.ANSWER',
      title: `${what} : reçue`,
      verdict: 'fail',
      message: x.error ?? 'no answer',
      expected: 'an HTTP answer',
      actual: x.error ?? 'none',
      exchange: x,
    });
    return {};
  }
  sink.add({
    rule: 'SOAP.ANSWER',
    title: `${what} : reçue`,
    verdict: 'pass',
    message: `HTTP ${x.httpStatus} in ${x.durationMs} ms`,
    exchange: x,
  });
  const { msg, values } = formChecks(sink, x, x.response, index, what, x);
  // After the envelope: when the body is an HTML page, its check says so first (console line).
  sink.add({
    rule: 'SOAP.MEDIA-TYPE',
    title: `${what} : Content-Type text/xml`,
    exchange: x,
    ...mediaTypeVerdict(x),
  });
  if (!msg) return {};
  const isFault = msg.direction === 'fault';
  const op = opts.operation;
  const envelopeOk =
    isFault || (msg.direction === 'response' && (op === undefined || msg.operation?.name === op.name));
  sink.add({
    rule: 'SOAP.ENVELOPE',
    title: `${what} : enveloppe SOAP 1.1 de la bonne opération`,
    verdict: envelopeOk ? 'pass' : 'fail',
    message: envelopeOk
      ? `${isFault ? 'SOAP fault' : `${msg.operation?.response}`}`
      : `the answer is ${msg.direction === 'request' ? 'a request' : `<${msg.operation?.response}>`}, expected <${op?.response ?? 'a response'}>`,
    ...(op ? { expected: op.response } : {}),
    actual: isFault ? 'Fault' : (msg.operation?.response ?? msg.direction),
    exchange: x,
  });
  const wantStatus = isFault ? 500 : 200;
  sink.add({
    rule: 'SOAP.HTTP-STATUS',
    title: `${what} : statut HTTP ${wantStatus} pour ${isFault ? 'une faute SOAP 1.1' : 'une réponse'}`,
    verdict: x.httpStatus === wantStatus ? 'pass' : 'fail',
    message:
      x.httpStatus === wantStatus
        ? `HTTP ${x.httpStatus}`
        : `${isFault ? 'a SOAP 1.1 fault must be sent with HTTP 500' : 'a normal answer must be sent with HTTP 200'} (SOAP 1.1 §6.2, WS-I BP R1126/R1124), got HTTP ${x.httpStatus}`,
    expected: String(wantStatus),
    actual: String(x.httpStatus),
    exchange: x,
  });
  const outcome = rulesOrError(msg, index, {}, sink, what, x);
  if (!outcome) return values ? { answer: values } : {};
  const errs = errors(outcome.findings);
  if (isFault) {
    const faultErrs = errs.filter((f) => f.rule.startsWith('FAULT.'));
    // A warning (a dot-notation faultcode, WS-I BP 1.1 R1031) is said, never failed.
    const faultWarnings = outcome.findings.filter(
      (f) => f.severity === 'warning' && f.rule.startsWith('FAULT.CODE'),
    );
    sink.add({
      rule: 'SOAP.FAULT',
      title: `${what} : faute SOAP 1.1 bien formée`,
      verdict: faultErrs.length ? 'fail' : 'pass',
      message: faultErrs.length
        ? listFindings(faultErrs)
        : `faultcode ${msg.body.kind === 'fault' ? msg.body.fault.faultcode : ''}${faultWarnings.length ? ` (warning: ${listFindings(faultWarnings)})` : ''}`,
      ...(faultErrs[0]?.field ? { highlight: faultErrs[0].field } : {}),
      ...(faultWarnings.length && !faultErrs.length ? { notes: faultWarnings.map((f) => f.message) } : {}),
      exchange: x,
    });
  }
  const ruleErrs = errs.filter((f) => !COVERED_ELSEWHERE.test(f.rule));
  if (ruleErrs.length === 0)
    sink.add({
      rule: 'RULES',
      title: `${what} : règles du protocole`,
      verdict: 'pass',
      message: 'no rule broken',
      exchange: x,
    });
  // One check per broken rule, filed under the clause its message cites (not the umbrella's).
  for (const f of ruleErrs) findingCheck(sink, 'RULES', f, what, x);
  closurePairCheck(sink, values ?? msg, index, what, x);
  return values ? { answer: values } : {};
}

const closingStates = new WeakMap<ProfileIndex, Set<string>>();

/** States every transition reaching sets a closure code (CLOSED): a ticket in one carries the pair. */
function statesWithClosure(index: ProfileIndex): Set<string> {
  let states = closingStates.get(index);
  if (!states) {
    states = new Set();
    for (const s of index.profile.states) {
      const into = index.activeTransitions.filter((t) => t.to === s.name);
      if (into.length > 0 && into.every((t) => t.closureCodes?.length)) states.add(s.name);
    }
    closingStates.set(index, states);
  }
  return states;
}

/**
 * A ticket answered in a state reached only by closing transitions (CLOSED) carries its closure
 * code and label (§6: a pair, `CODE#TEXT`; §7: every closure sets a code; §8: a read carries every
 * populated field). Their values are the rule engine's business; their presence is checked here.
 */
function closurePairCheck(
  sink: CheckSink,
  msg: DecodedMessage,
  index: ProfileIndex,
  what: string,
  x: Exchange,
): void {
  if (msg.body.kind !== 'ticketResponse' || !msg.body.ticket) return;
  const ticket = msg.body.ticket;
  const { state, closureCode, closureLabel } = rolesOf(index);
  if (!state || !closureCode || !closureLabel) return;
  const s = ticket[state.name];
  if (typeof s !== 'string' || !statesWithClosure(index).has(s.trim())) return;
  const pair = [closureCode.name, closureLabel.name];
  const missing = pair.filter((f) => !isGiven(ticket[f]));
  const shown = (f: string) => `${f} ${q(ticket[f])}`;
  sink.add({
    rule: 'CLOSURE_PAIR',
    title: `${what} : ticket ${s.trim()} avec ${pair.join(' et ')}`,
    verdict: missing.length ? 'fail' : 'pass',
    message: missing.length
      ? `the ticket in state ${s.trim()} lacks ${missing.join(' and ')} (${pair.map(shown).join(', ')}): closure code and label are a pair on every closure (§6 CODE#TEXT, §7) and a read carries every populated field (§8)`
      : `${pair.map(shown).join(', ')}`,
    expected: pair.join(' + '),
    actual: pair.map(shown).join(', '),
    highlight: missing[0] ?? closureCode.name,
    exchange: x,
  });
}

export interface MessageJudgement {
  message?: DecodedMessage;
  outcome?: CheckOutcome;
}

/**
 * Checks a message the implementation under test sends (a push in role oc, a request in role oi):
 * form, then the rule engine with the ticket as the receiver knows it; each error finding is a
 * check of its rulebook rule (e.g. `MANDATORY:oi.plan:supplierResolutionAction`).
 */
export function judgeMessage(
  sink: CheckSink,
  x: Exchange,
  index: ProfileIndex,
  book: Rulebook,
  ctx: RuleContext & { who: string },
): MessageJudgement {
  const what = `message de l ${ctx.who}`;
  const { msg, values } = formChecks(sink, x, x.request, index, what);
  if (!msg) return {};
  sink.add({
    rule: 'SOAP.ENVELOPE',
    title: `${what} : enveloppe SOAP 1.1 d une opération`,
    verdict: msg.direction === 'request' ? 'pass' : 'fail',
    message:
      msg.direction === 'request' ? `<${msg.operation?.request}>` : `a ${msg.direction}, not a request`,
    exchange: x,
  });
  const rc: RuleContext = {};
  if (ctx.sender) rc.sender = ctx.sender;
  if (ctx.current) rc.current = ctx.current;
  const outcome = rulesOrError(msg, index, rc, sink, what, x);
  if (!outcome) return { message: values ?? msg };
  const errs = errors(outcome.findings).filter((f) => !COVERED_ELSEWHERE.test(f.rule));
  if (errs.length === 0) {
    sink.add({
      rule: 'RULES',
      title: `${what} : règles du protocole`,
      verdict: 'pass',
      message: outcome.action
        ? `identified as ${outcome.action.id}${outcome.transition ? ` (${outcome.transition.id})` : ''}`
        : 'no rule broken',
      exchange: x,
    });
  }
  for (const f of errs) findingCheck(sink, findingRule(f, outcome, ctx.current?.state, book), f, what, x);
  return { message: values ?? msg, outcome };
}

/** A failed check of one error finding, with the finding's own basis and clause. */
function findingCheck(sink: CheckSink, rule: string, f: Finding, what: string, x: Exchange): void {
  sink.add({
    rule,
    title: `${what} : ${f.field ?? 'message'} (${f.rule})`,
    verdict: 'fail',
    message: f.message,
    severity: f.severity,
    basis: f.basis,
    clause: f.clause,
    ...(f.field ? { highlight: f.field } : {}),
    ...(f.value !== undefined ? { actual: f.value === null ? 'nil' : f.value } : {}),
    exchange: x,
  });
}

/** The rulebook rule a finding breaks (RULES when none matches). */
export function findingRule(
  f: Finding,
  outcome: CheckOutcome,
  state: string | undefined,
  book: Rulebook,
): string {
  const a = outcome.action;
  const field = f.field;
  const candidates: string[] = [];
  if (f.rule === 'MANDATORY' && a && field) candidates.push(`MANDATORY:${a.id}:${field}`);
  if (f.rule === 'ONEOF' && a && field) {
    const group = a.oneOf?.find((g) => g.includes(field));
    if (group) candidates.push(`ONEOF:${a.id}:${group.join('|')}`);
  }
  if (f.rule === 'CONDITION' && a && field) {
    const c = a.conditions?.find((c) => c.require.includes(field));
    if (c) candidates.push(`CONDITION:${c.id}:${field}`);
  }
  if (f.rule.startsWith('FORMAT') && field) candidates.push(`FORMAT:${field}`);
  if ((f.rule === 'LIST' || f.rule === 'REQUIRED') && field) candidates.push(`LIST:${field}`);
  if (f.rule === 'ALLOWED' && a && field) candidates.push(`ALLOWED:${a.id}:${field}`);
  if (f.rule.startsWith('TRANSITION') && a && state) candidates.push(`ILLEGAL:${a.id}@${state}`);
  if (f.rule.startsWith('CLOSURE') && outcome.transition) candidates.push(`CLOSURE:${outcome.transition.id}`);
  if (f.rule === 'VERSION.STALE') candidates.push('STALE_VERSION');
  if (f.rule === 'VERSION.UNISSUED') candidates.push('UNISSUED_VERSION');
  return candidates.find((c) => book.get(c)) ?? 'RULES';
}

/** The rule engine's outcome, or undefined after recording its failure as an error check. */
function rulesOrError(
  msg: DecodedMessage,
  index: ProfileIndex,
  rc: RuleContext,
  sink: CheckSink,
  what: string,
  x: Exchange,
): CheckOutcome | undefined {
  try {
    return checkMessage(msg, index, rc);
  } catch (e) {
    sink.add({
      rule: 'RULES',
      title: `${what} : règles`,
      verdict: 'error',
      message: `rule engine failed: ${(e as Error).message}`,
      exchange: x,
    });
    return undefined;
  }
}
