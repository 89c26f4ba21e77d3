/**
 * Reads a SOAP 1.1 envelope into a typed message, matching elements on namespace + local name
 * (prefixes never matter). Structure problems inside a ticket become {@link ReadIssue}s so that the
 * rule engine can blame a field; problems no field can be blamed for throw a {@link CodecError}.
 */
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { type FieldDef, type OperationDef, type ProfileIndex, qname } from '../profile/index.ts';
import type { BodyValidator } from '../schema/validator.ts';
import { openTree, type Tree } from './dom.ts';
import { CodecError, shorten } from './errors.ts';
import type {
  DecodedMessage,
  GetRequest,
  MessageBody,
  ReadIssue,
  SchemaError,
  SoapFault,
  TicketResponse,
  TicketValue,
} from './model.ts';
import { parseMessageTree } from './xml.ts';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

export interface ReadOptions {
  /** Validate the body against the profile's XSD. */
  validator?: BodyValidator;
  maxBytes?: number;
}

/** Reads raw bytes or text as a SOAP message. Throws only {@link CodecError}. */
export function readMessage(
  raw: Uint8Array | string,
  index: ProfileIndex,
  options: ReadOptions = {},
): DecodedMessage {
  const doc = parseMessageTree(raw, options.maxBytes ?? index.settings.maxMessageBytes);
  try {
    return readTree(doc.open(), index, options.validator);
  } catch (e) {
    if (e instanceof CodecError) throw e;
    // A safety net: whatever the document, the caller gets a typed error, never a crash.
    throw new CodecError('BAD_STRUCTURE', `unreadable message: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    doc.dispose();
  }
}

/** Reads an already parsed document (the caller keeps ownership of it). Throws only CodecError. */
export function readDocument(
  doc: XmlDocument,
  index: ProfileIndex,
  validator?: BodyValidator,
): DecodedMessage {
  return readTree(openTree(doc), index, validator);
}

function readTree(tree: Tree, index: ProfileIndex, validator: BodyValidator | undefined): DecodedMessage {
  const soapNs = index.ns.soapenv;
  const env = tree.root;
  const envName = tree.name(env);
  if (envName !== 'Envelope') {
    throw new CodecError(
      'NOT_SOAP_ENVELOPE',
      `root element is <${shorten(envName)}>, expected a SOAP 1.1 Envelope`,
      tree.line(env),
    );
  }
  const envNs = tree.ns(env);
  if (envNs !== soapNs) {
    const what = envNs === SOAP12_NS ? 'a SOAP 1.2 envelope' : `namespace "${shorten(envNs)}"`;
    throw new CodecError(
      'SOAP_VERSION_MISMATCH',
      `${what}: this service speaks SOAP 1.1 (${soapNs})`,
      tree.line(env),
    );
  }
  let header: unknown;
  let body: unknown;
  for (const child of tree.children(env)) {
    const name = tree.name(child);
    if (tree.ns(child) !== soapNs) {
      throw new CodecError(
        'BAD_STRUCTURE',
        `unexpected <${shorten(name)}> in the Envelope`,
        tree.line(child),
      );
    }
    if (name === 'Header' && header === undefined && body === undefined) header = child;
    else if (name === 'Body' && body === undefined) body = child;
    else
      throw new CodecError(
        'BAD_STRUCTURE',
        `unexpected soapenv:${shorten(name)} in the Envelope`,
        tree.line(child),
      );
  }
  if (body === undefined) throw new CodecError('NO_BODY', 'the Envelope has no Body', tree.line(env));
  const inBody = tree.children(body);
  const payload = inBody[0];
  if (payload === undefined) {
    const holdsText = tree.text(body).trim() !== '';
    throw new CodecError(
      'EMPTY_BODY',
      holdsText ? 'the Body holds text and no element: no operation' : 'the Body is empty: no operation',
      tree.line(body),
    );
  }
  if (inBody.length > 1) {
    throw new CodecError(
      'BAD_STRUCTURE',
      `the Body holds ${inBody.length} elements: one operation expected`,
      tree.line(inBody[1]),
    );
  }
  const ctx: Ctx = { index, tree, issues: [], lines: {}, header, more: 0, moreLine: 0 };
  const credentials = header === undefined ? undefined : readCredentials(header, ctx);
  const decoded = readPayload(payload, ctx, soapNs);
  if (ctx.more > 0) {
    ctx.issues.push({
      kind: 'more',
      field: '',
      line: ctx.moreLine,
      detail: `… and ${ctx.more} more structure problems of the same kinds, not detailed (the first ${ISSUES_DETAILED} are)`,
    });
  }
  // An element flooded with attributes would cost libxml2 an error each: the flood stands for them.
  const schemaErrors: SchemaError[] =
    validator && decoded.body.kind !== 'fault'
      ? ctx.flood
        ? [ctx.flood]
        : validator.validate(tree.element(payload))
      : [];
  // Same keys, same order as ever (JSON output of the CLI), without spreading.
  const message = { direction: decoded.direction } as DecodedMessage;
  if (decoded.operation) message.operation = decoded.operation;
  message.body = decoded.body;
  if (credentials) message.credentials = credentials;
  message.issues = ctx.issues;
  message.lines = ctx.lines;
  message.schemaErrors = schemaErrors;
  return message;
}

interface Ctx<N = unknown> {
  index: ProfileIndex;
  tree: Tree<N>;
  issues: ReadIssue[];
  lines: Record<string, number>;
  header?: unknown;
  /** Issues counted but not recorded (see {@link record}), and the line of the first of them. */
  more: number;
  moreLine: number;
  /** Blamed fields ('' for none) of the recorded issues by kind, built once the cap is reached. */
  recorded?: Map<string, Set<string>>;
  /** The first element seen carrying more than {@link ATTRIBUTES_MAX} attributes, as a schema error. */
  flood?: SchemaError;
}

/**
 * Attributes an element of a message may carry before the reader calls it a flood. The schema
 * declares none: only xsi:type, xsi:nil, xsi:schemaLocation and xsi:noNamespaceSchemaLocation are
 * allowed, so past this many the element is invalid for sure, and the XSD validation, which would
 * cost an error per attribute, is not run (see `readTree`).
 */
export const ATTRIBUTES_MAX = 16;

/**
 * Records an element flooded with attributes (on the elements the reader visits anyway: one pointer
 * read each for a normal message). Its error names the element, so that a field is blamed (§9).
 */
function checkAttributes<N>(el: N, ctx: Ctx<N>): void {
  const { tree } = ctx;
  if (ctx.flood !== undefined || tree.attributeCount(el, ATTRIBUTES_MAX) <= ATTRIBUTES_MAX) return;
  const count = tree.attributeCount(el, Number.POSITIVE_INFINITY);
  ctx.flood = {
    message: `Element '{${shorten(tree.ns(el))}}${shorten(tree.name(el))}': ${count} attributes, where the schema allows only xsi:type, xsi:nil, xsi:schemaLocation and xsi:noNamespaceSchemaLocation (more than ${ATTRIBUTES_MAX} attributes on one element: the message is not validated further against the XSD)`,
    line: tree.line(el),
    element: tree.name(el),
  };
}

/** Issues recorded in full per message; past them, only those that may change the answer. */
export const ISSUES_DETAILED = 100;

/**
 * Whether a reader issue is recorded. A message may hold thousands of unknown or misplaced
 * elements; past the first {@link ISSUES_DETAILED}, an issue is recorded only when it is the first
 * of its kind for its profile field (or the first of its kind for elements of no field), so the
 * answer (§9) is the one the whole list would give while the cost of the rules stays bounded by the
 * profile. The others are counted (no detail built) into one summary issue.
 */
function recordable(ctx: Ctx<unknown>, kind: ReadIssue['kind'], field: string, line: number): boolean {
  if (ctx.issues.length < ISSUES_DETAILED) return true;
  const { index } = ctx;
  if (!ctx.recorded) {
    ctx.recorded = new Map();
    for (const i of ctx.issues) seen(ctx.recorded, i.kind).add(blamedField(i.field, index));
  }
  const fields = seen(ctx.recorded, kind);
  const key = blamedField(field, index);
  if (!fields.has(key)) {
    fields.add(key);
    return true;
  }
  if (ctx.more++ === 0) ctx.moreLine = line;
  return false;
}

/** The profile field an issue blames ('' for none). A function, not a closure: tsx names each closure it creates. */
function blamedField(name: string, index: ProfileIndex): string {
  return index.field.get(name)?.name ?? '';
}

function seen(recorded: Map<string, Set<string>>, kind: string): Set<string> {
  let fields = recorded.get(kind);
  if (!fields) {
    fields = new Set();
    recorded.set(kind, fields);
  }
  return fields;
}

function record(ctx: Ctx<unknown>, issue: ReadIssue): void {
  if (recordable(ctx, issue.kind, issue.field, issue.line)) ctx.issues.push(issue);
}

/** Fields by namespace then local name: no `{ns}name` string to build and hash per element. */
const fieldsByNs = new WeakMap<ProfileIndex, Map<string, Map<string, FieldDef>>>();

function fieldLookup(index: ProfileIndex): Map<string, Map<string, FieldDef>> {
  let byNs = fieldsByNs.get(index);
  if (!byNs) {
    byNs = new Map();
    for (const f of index.profile.fields) {
      const uri = index.ns[f.ns];
      const names = byNs.get(uri) ?? new Map<string, FieldDef>();
      byNs.set(uri, names);
      for (const name of [f.name, ...(f.aliases ?? [])]) names.set(name, f);
    }
    fieldsByNs.set(index, byNs);
  }
  return byNs;
}

/** SOAP 1.1 §4.2.2: the actor naming the next SOAP application, which this service is. */
export const ACTOR_NEXT = 'http://schemas.xmlsoap.org/soap/actor/next';

/**
 * SOAP 1.1 §4.2.3 (WS-I BP R1025, R1027): a header entry with soapenv:mustUnderstand="1" that this
 * service does not understand fails the request with a MustUnderstand fault. The one understood is
 * hdr:TroubleTicketHeaderRequest. Any value other than "0" or "1" is the client's error. Only the
 * entries for this recipient count (§4.2.2): no soapenv:actor, or the actor "next"; an entry for
 * another actor is not for us to process, so neither judged nor enforced.
 */
function checkMustUnderstand<N>(header: N, { index, tree }: Ctx<N>): void {
  const soapNs = index.ns.soapenv;
  for (const h of tree.children(header)) {
    const value = tree.attr(h, soapNs, 'mustUnderstand');
    if (value === undefined) continue;
    const actor = tree.attr(h, soapNs, 'actor')?.trim();
    if (actor !== undefined && actor !== '' && actor !== ACTOR_NEXT) continue;
    const name = tree.name(h);
    const ns = tree.ns(h);
    const element = `<${shorten(name)}> ({${shorten(ns)}})`;
    const v = value.trim();
    if (v !== '0' && v !== '1') {
      throw headerError(
        'BAD_STRUCTURE',
        `soapenv:mustUnderstand="${shorten(value)}" on header entry ${element}: SOAP 1.1 §4.2.3 allows only "0" or "1"`,
        tree.line(h),
      );
    }
    if (v === '1' && !(name === 'TroubleTicketHeaderRequest' && ns === index.ns.hdr)) {
      throw headerError(
        'MUST_UNDERSTAND',
        `header entry ${element} has soapenv:mustUnderstand="1" and is not understood by this service (SOAP 1.1 §4.2.3)`,
        tree.line(h),
      );
    }
  }
}

/** An error about a header entry: its fault carries no detail (SOAP 1.1 §4.4). */
function headerError(kind: 'BAD_STRUCTURE' | 'MUST_UNDERSTAND', message: string, line: number): CodecError {
  const error = new CodecError(kind, message, line);
  error.header = true;
  return error;
}

function readCredentials<N>(header: N, { index, tree }: Ctx<N>) {
  const hdr = index.ns.hdr;
  for (const h of tree.children(header)) {
    if (tree.name(h) !== 'TroubleTicketHeaderRequest' || tree.ns(h) !== hdr) continue;
    let login: string | undefined;
    let password: string | undefined;
    for (const c of tree.children(h)) {
      if (tree.ns(c) !== hdr) continue;
      const name = tree.name(c);
      if (name === 'LoginName') login = tree.text(c);
      else if (name === 'Password') password = tree.text(c);
    }
    if (login !== undefined && password !== undefined) return { login, password };
  }
  return undefined;
}

function readPayload<N>(
  payload: N,
  ctx: Ctx<N>,
  soapNs: string,
): Pick<DecodedMessage, 'direction' | 'operation' | 'body'> {
  const { index, tree } = ctx;
  const name = tree.name(payload);
  const ns = tree.ns(payload);
  if (name === 'Fault' && ns === soapNs) {
    const fault = readFault(payload, tree);
    const operation = fault.exception
      ? index.operation.get(fault.exception.replace(/Exception$/, ''))
      : undefined;
    return { direction: 'fault', ...(operation ? { operation } : {}), body: { kind: 'fault', fault } };
  }
  const key = qname(ns, name);
  const request = index.operationByRequest.get(key);
  const response = request ? undefined : index.operationByResponse.get(key);
  const operation = request ?? response;
  // The server role (a request, or what may have meant to be one): mandatory header entries are
  // processed before the Body (SOAP 1.1 §4.2.3), and a request goes no further past one it cannot
  // understand. A response is read as a client reads it.
  if (!response && ctx.header !== undefined) {
    try {
      checkMustUnderstand(ctx.header as N, ctx);
    } catch (e) {
      if (e instanceof CodecError && request) e.operation = request.name;
      throw e;
    }
  }
  if (!operation) {
    const known = index.profile.operations.find((o) => o.request === name || o.response === name);
    if (known) {
      const error = new CodecError(
        'WRONG_NAMESPACE',
        `<${name}> is in namespace "${shorten(ns)}", expected "${index.ns[known.ns]}"`,
        tree.line(payload),
      );
      error.operation = known.name;
      throw error;
    }
    throw new CodecError(
      'UNKNOWN_OPERATION',
      `unknown operation element <${shorten(name)}> ({${shorten(ns)}})`,
      tree.line(payload),
    );
  }
  checkAttributes(payload, ctx);
  try {
    const body = request ? readRequest(payload, operation, ctx) : readResponse(payload, operation, ctx);
    return { direction: request ? 'request' : 'response', operation, body };
  } catch (e) {
    if (e instanceof CodecError && e.operation === undefined) e.operation = operation.name;
    throw e;
  }
}

function readRequest<N>(el: N, op: OperationDef, ctx: Ctx<N>): MessageBody {
  const { index, tree } = ctx;
  const ns = index.ns;
  switch (op.kind) {
    case 'create':
    case 'set': {
      const parts = childMap(el, tree);
      const value = parts.get(qname(ns.tt, 'troubleTicketValue'));
      if (value === undefined) {
        throw new CodecError(
          'BAD_STRUCTURE',
          `<${tree.name(el)}> has no tt:troubleTicketValue`,
          tree.line(el),
        );
      }
      const ticket = readTicketOf(value, ctx);
      if (op.kind === 'create') return { kind: 'createRequest', ticket };
      const resync = parts.get(qname(ns.tt, 'resyncRequired'));
      return {
        kind: 'setRequest',
        ticket,
        ...(resync !== undefined ? { resyncRequired: simple(resync, tree) } : {}),
      };
    }
    case 'get':
      return { kind: 'getRequest', get: readGetRequest(el, ctx) };
    default: {
      const eventType = childMap(el, tree).get(qname(ns.co, 'eventType'));
      return { kind: 'metaRequest', ...(eventType !== undefined ? { eventType: tree.text(eventType) } : {}) };
    }
  }
}

function readResponse<N>(el: N, op: OperationDef, ctx: Ctx<N>): MessageBody {
  const { index, tree } = ctx;
  const ns = index.ns;
  if (op.kind === 'meta') return readMetaResponse(el, tree);
  const parts = childMap(el, tree);
  const responseEl = parts.get(qname(ns.tt, 'troubleTicketResponse'));
  if (responseEl === undefined) {
    throw new CodecError(
      'BAD_STRUCTURE',
      `<${tree.name(el)}> has no tt:troubleTicketResponse`,
      tree.line(el),
    );
  }
  const response = readTicketResponse(responseEl, ctx);
  const valueEl = parts.get(qname(ns.tt, 'troubleTicketValue'));
  return {
    kind: 'ticketResponse',
    response,
    ...(valueEl !== undefined ? { ticket: readTicketOf(valueEl, ctx) } : {}),
  };
}

/**
 * A meta response: the strings of its array (`co:item`), or for an event descriptor, its
 * propertyNames and its eventType.
 */
function readMetaResponse<N>(el: N, tree: Tree<N>): MessageBody {
  const [child] = tree.children(el);
  if (child === undefined) return { kind: 'metaResponse', values: [] };
  const items = (array: N) => tree.children(array).map((i) => tree.text(i));
  const inner = tree.children(child);
  const eventTypeEl = inner.find((c) => tree.name(c) === 'eventType');
  if (eventTypeEl === undefined) return { kind: 'metaResponse', values: items(child) };
  const names = inner.find((c) => tree.name(c) === 'propertyNames');
  return {
    kind: 'metaResponse',
    values: names === undefined ? [] : items(names),
    eventType: tree.text(eventTypeEl),
  };
}

function readTicketResponse<N>(el: N, { index, tree, lines }: Ctx<N>): TicketResponse {
  const cbe = index.ns.cbe;
  const out: TicketResponse = { troubleTicketKey: null };
  for (const c of tree.children(el)) {
    if (tree.ns(c) !== cbe) continue;
    const name = tree.name(c);
    if (name === 'troubleTicketKey' || name === 'returnCode' || name === 'returnLabel') {
      out[name] = simple(c, tree);
      lines[name] = tree.line(c);
    }
  }
  return out;
}

function readGetRequest<N>(el: N, ctx: Ctx<N>): GetRequest {
  const { index, tree } = ctx;
  const { ns, fieldByQName } = index;
  const out: GetRequest = {};
  for (const c of tree.children(el)) {
    checkAttributes(c, ctx);
    const name = tree.name(c);
    const cns = tree.ns(c);
    const line = tree.line(c);
    if (cns === ns.tt && name === 'troubleTicketKey') {
      ctx.lines[name] = line;
      out.troubleTicketKey = simple(c, tree);
    } else if (cns === ns.tt && name === 'attrNames') {
      ctx.lines[name] = line;
      const items = tree.children(c);
      out.attrNames = items.map((i) => tree.text(i));
      if (items.length === 0) {
        const text = tree.text(c);
        if (text.trim() !== '') out.attrNamesText = text;
      }
    } else {
      const f = fieldByQName.get(qname(cns, name)) ?? lenientFtth(name, cns, line, ctx);
      // Lines of the fields of the profile only: an unknown element's line is in its issue.
      if (f) ctx.lines[name] = line;
      if (f && (f.name === 'technicalId' || f.name === 'supplierID' || f.name === 'serviceProviderID')) {
        out[f.name] = simple(c, tree);
      } else if (recordable(ctx, 'unknown-element', name, line)) {
        ctx.issues.push({
          kind: 'unknown-element',
          field: name,
          line,
          detail: `unexpected <${shorten(name)}> in the get request`,
        });
      }
    }
  }
  return out;
}

/** Reads a TroubleTicketValue (public node objects) into a flat map, in profile terms. */
export function readTicket(
  el: XmlElement,
  ctx: { index: ProfileIndex; issues: ReadIssue[]; lines: Record<string, number> },
): TicketValue {
  return readTicketOf(el, {
    ...ctx,
    tree: openTree(el.doc, 'public') as Tree<XmlElement>,
    more: 0,
    moreLine: 0,
  });
}

/** Reads a TroubleTicketValue (and its FTTHMUTTroubleTicket) into a flat map, in profile terms. */
function readTicketOf<N>(el: N, ctx: Ctx<N>): TicketValue {
  const { index, tree } = ctx;
  const cbe = index.ns.cbe;
  const byNs = fieldLookup(index);
  const state: TicketState = { ticket: {}, last: -1 };
  checkAttributes(el, ctx);
  for (const c of tree.children(el)) {
    const name = tree.name(c);
    const ns = tree.ns(c);
    if (name === 'FTTHMUTTroubleTicket' && ns === cbe) {
      checkAttributes(c, ctx);
      if (tree.nil(c)) continue;
      for (const g of tree.children(c)) {
        const gName = tree.name(g);
        const gNs = tree.ns(g);
        const f = byNs.get(gNs)?.get(gName);
        if (f?.group === 'ftth') take(state, g, f, ctx);
        else {
          const line = tree.line(g);
          const lenient = lenientFtth(gName, gNs, line, ctx);
          if (lenient) take(state, g, lenient, ctx);
          else unknown(gName, gNs, line, ctx);
        }
      }
      continue;
    }
    const f = byNs.get(ns)?.get(name);
    if (f?.group === 'value') take(state, c, f, ctx);
    else unknown(name, ns, tree.line(c), ctx);
  }
  return state.ticket;
}

interface TicketState {
  ticket: TicketValue;
  /** Schema position of the furthest field read so far. */
  last: number;
}

/** Records one field of a ticket: its value, its line, and whether it is duplicated or out of order. */
function take<N>(state: TicketState, c: N, f: FieldDef, ctx: Ctx<N>): void {
  checkAttributes(c, ctx);
  const line = ctx.tree.line(c);
  if (state.ticket[f.name] !== undefined) {
    record(ctx, { kind: 'duplicate', field: f.name, line, detail: `${f.name} appears more than once` });
    return;
  }
  const p = ctx.index.position.get(f)!;
  if (p < state.last) {
    record(ctx, {
      kind: 'out-of-order',
      field: f.name,
      line,
      detail: `${f.name} is out of schema order`,
    });
  } else state.last = p;
  state.ticket[f.name] = simple(c, ctx.tree, ctx, f.name, line);
  ctx.lines[f.name] = line;
}

/** A ftth child in another namespace: accepted with a warning in lenient mode, blamed otherwise. */
function lenientFtth(name: string, ns: string, line: number, ctx: Ctx<unknown>): FieldDef | undefined {
  const f = ctx.index.field.get(name);
  if (f?.group !== 'ftth') return undefined;
  if (ctx.index.settings.lenientFtthNamespace) {
    record(ctx, {
      kind: 'wrong-namespace',
      field: f.name,
      line,
      detail: `${f.name} read in namespace "${shorten(ns)}" instead of "${ctx.index.ns.ftth}" (lenient mode)`,
    });
    return f;
  }
  return undefined;
}

function unknown(name: string, ns: string, line: number, ctx: Ctx<unknown>) {
  const { index } = ctx;
  const known = index.field.get(name);
  if (known) {
    record(ctx, {
      kind: 'wrong-namespace',
      field: known.name,
      line,
      detail: `${known.name} is in namespace "${shorten(ns)}", expected "${index.ns[known.ns]}"`,
    });
  } else if (index.profile.ignoredElements.includes(name)) {
    record(ctx, {
      kind: 'ignored',
      field: name,
      line,
      detail: `JSR 91 element ${name} is ignored (spec 2.3.1)`,
    });
  } else if (recordable(ctx, 'unknown-element', name, line)) {
    ctx.issues.push({
      kind: 'unknown-element',
      field: name,
      line,
      detail: `unknown element <${shorten(name)}> ({${shorten(ns)}})`,
    });
  }
}

/** Text of a simple element; null for xsi:nil. Elements inside a simple field are an issue. */
function simple<N>(el: N, tree: Tree<N>, ctx?: Ctx<N>, field?: string, line?: number): string | null {
  if (tree.nil(el)) return null;
  if (ctx && field && tree.hasElementChild(el)) {
    record(ctx, {
      kind: 'not-simple',
      field,
      line: line ?? tree.line(el),
      detail: `${field} must hold text, not elements`,
    });
  }
  return tree.text(el);
}

function childMap<N>(el: N, tree: Tree<N>): Map<string, N> {
  const m = new Map<string, N>();
  for (const c of tree.children(el)) {
    const k = qname(tree.ns(c), tree.name(c));
    if (!m.has(k)) m.set(k, c);
  }
  return m;
}

function readFault<N>(el: N, tree: Tree<N>): SoapFault {
  const fault: SoapFault = { faultcode: '', faultstring: '' };
  for (const c of tree.children(el)) {
    const name = tree.name(c);
    if (name === 'faultcode') fault.faultcode = tree.text(c).trim();
    else if (name === 'faultstring') fault.faultstring = tree.text(c);
    else if (name === 'detail') {
      const [exception] = tree.children(c);
      if (exception === undefined) continue;
      fault.exception = tree.name(exception);
      const [choice] = tree.children(exception);
      if (choice === undefined) continue;
      fault.choice = tree.name(choice);
      const message = tree.children(choice).find((m) => tree.name(m) === 'message');
      if (message !== undefined) fault.message = tree.text(message);
    }
  }
  return fault;
}
