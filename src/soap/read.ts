/**
 * Reads a SOAP 1.1 envelope into a typed message, matching elements on namespace + local name
 * (prefixes never matter). Structure problems inside a ticket become {@link ReadIssue}s so that the
 * rule engine can blame a field; problems no field can be blamed for throw a {@link CodecError}.
 */
import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { type FieldDef, type ProfileIndex, qname } from '../profile/index.ts';
import { CodecError } from './errors.ts';
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
import type { BodyValidator } from '../schema/validator.ts';
import { childElements, decodeUtf8, isNil, parseXml } from './xml.ts';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';

export interface ReadOptions {
  /** Validate the body against the profile's XSD. */
  validator?: BodyValidator;
  maxBytes?: number;
}

/** Reads raw bytes or text as a SOAP message. Throws only {@link CodecError}. */
export function readMessage(raw: Uint8Array | string, index: ProfileIndex, options: ReadOptions = {}): DecodedMessage {
  const text = decodeUtf8(raw, options.maxBytes ?? index.settings.maxMessageBytes);
  const doc = parseXml(text);
  try {
    return readDocument(doc, index, options.validator);
  } finally {
    doc.dispose();
  }
}

function readDocument(doc: XmlDocument, index: ProfileIndex, validator?: BodyValidator): DecodedMessage {
  const soapNs = index.ns.soapenv;
  const env = doc.root;
  if (env.name !== 'Envelope') {
    throw new CodecError('NOT_SOAP_ENVELOPE', `root element is <${env.name}>, expected a SOAP 1.1 Envelope`, env.line);
  }
  if (env.namespaceUri !== soapNs) {
    const what = env.namespaceUri === SOAP12_NS ? 'a SOAP 1.2 envelope' : `namespace "${env.namespaceUri}"`;
    throw new CodecError('SOAP_VERSION_MISMATCH', `${what}: this service speaks SOAP 1.1 (${soapNs})`, env.line);
  }
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const child of childElements(env)) {
    if (child.namespaceUri !== soapNs) {
      throw new CodecError('BAD_STRUCTURE', `unexpected <${child.name}> in the Envelope`, child.line);
    }
    if (child.name === 'Header' && !header && !body) header = child;
    else if (child.name === 'Body' && !body) body = child;
    else throw new CodecError('BAD_STRUCTURE', `unexpected soapenv:${child.name} in the Envelope`, child.line);
  }
  if (!body) throw new CodecError('NO_BODY', 'the Envelope has no Body', env.line);
  const [payload, ...extra] = childElements(body);
  if (!payload) throw new CodecError('EMPTY_BODY', 'the Body is empty: no operation', body.line);
  if (extra.length > 0) {
    throw new CodecError('BAD_STRUCTURE', `the Body holds ${extra.length + 1} elements: one operation expected`, extra[0]!.line);
  }
  const credentials = header ? readCredentials(header, index) : undefined;
  const ctx: Ctx = { index, issues: [], lines: {} };
  const decoded = readPayload(payload, ctx, soapNs);
  const schemaErrors: SchemaError[] = validator && decoded.body.kind !== 'fault' ? validator.validate(payload) : [];
  return { ...decoded, ...(credentials ? { credentials } : {}), issues: ctx.issues, lines: ctx.lines, schemaErrors };
}

interface Ctx {
  index: ProfileIndex;
  issues: ReadIssue[];
  lines: Record<string, number>;
}

function readCredentials(header: XmlElement, index: ProfileIndex) {
  for (const h of childElements(header)) {
    if (h.name !== 'TroubleTicketHeaderRequest' || h.namespaceUri !== index.ns.hdr) continue;
    let login: string | undefined;
    let password: string | undefined;
    for (const c of childElements(h)) {
      if (c.namespaceUri !== index.ns.hdr) continue;
      if (c.name === 'LoginName') login = c.content;
      else if (c.name === 'Password') password = c.content;
    }
    if (login !== undefined && password !== undefined) return { login, password };
  }
  return undefined;
}

function readPayload(
  payload: XmlElement,
  ctx: Ctx,
  soapNs: string,
): Pick<DecodedMessage, 'direction' | 'operation' | 'body'> {
  const { index } = ctx;
  if (payload.name === 'Fault' && payload.namespaceUri === soapNs) {
    const fault = readFault(payload);
    const operation = fault.exception ? index.operation.get(fault.exception.replace(/Exception$/, '')) : undefined;
    return { direction: 'fault', ...(operation ? { operation } : {}), body: { kind: 'fault', fault } };
  }
  const key = qname(payload.namespaceUri, payload.name);
  const request = index.operationByRequest.get(key);
  const response = request ? undefined : index.operationByResponse.get(key);
  const operation = request ?? response;
  if (!operation) {
    const known = index.profile.operations.find(
      (o) => o.request === payload.name || o.response === payload.name,
    );
    if (known) {
      throw new CodecError(
        'WRONG_NAMESPACE',
        `<${payload.name}> is in namespace "${payload.namespaceUri}", expected "${index.ns[known.ns]}"`,
        payload.line,
      );
    }
    throw new CodecError('UNKNOWN_OPERATION', `unknown operation element <${payload.name}> ({${payload.namespaceUri}})`, payload.line);
  }
  const body = request ? readRequest(payload, operation.kind, ctx) : readResponse(payload, operation.kind, ctx);
  return { direction: request ? 'request' : 'response', operation, body };
}

function readRequest(el: XmlElement, kind: string, ctx: Ctx): MessageBody {
  const { ns } = ctx.index;
  const parts = childMap(el);
  switch (kind) {
    case 'create':
    case 'set': {
      const value = parts.get(qname(ns.tt, 'troubleTicketValue'));
      if (!value) throw new CodecError('BAD_STRUCTURE', `<${el.name}> has no tt:troubleTicketValue`, el.line);
      const ticket = readTicket(value, ctx);
      if (kind === 'create') return { kind: 'createRequest', ticket };
      const resync = parts.get(qname(ns.tt, 'resyncRequired'));
      return { kind: 'setRequest', ticket, ...(resync ? { resyncRequired: simple(resync) } : {}) };
    }
    case 'get':
      return { kind: 'getRequest', get: readGetRequest(el, ctx) };
    default: {
      const eventType = parts.get(qname(ns.co, 'eventType'));
      return { kind: 'metaRequest', ...(eventType ? { eventType: eventType.content } : {}) };
    }
  }
}

function readResponse(el: XmlElement, kind: string, ctx: Ctx): MessageBody {
  const { ns } = ctx.index;
  const parts = childMap(el);
  if (kind === 'meta') {
    const [array] = childElements(el);
    return { kind: 'metaResponse', values: array ? childElements(array).map((i) => i.content) : [] };
  }
  const responseEl = parts.get(qname(ns.tt, 'troubleTicketResponse'));
  if (!responseEl) throw new CodecError('BAD_STRUCTURE', `<${el.name}> has no tt:troubleTicketResponse`, el.line);
  const response = readTicketResponse(responseEl, ctx);
  const valueEl = parts.get(qname(ns.tt, 'troubleTicketValue'));
  return { kind: 'ticketResponse', response, ...(valueEl ? { ticket: readTicket(valueEl, ctx) } : {}) };
}

function readTicketResponse(el: XmlElement, ctx: Ctx): TicketResponse {
  const cbe = ctx.index.ns.cbe;
  const out: TicketResponse = { troubleTicketKey: null };
  for (const c of childElements(el)) {
    if (c.namespaceUri !== cbe) continue;
    if (c.name === 'troubleTicketKey' || c.name === 'returnCode' || c.name === 'returnLabel') {
      out[c.name] = simple(c);
      ctx.lines[c.name] = c.line;
    }
  }
  return out;
}

function readGetRequest(el: XmlElement, ctx: Ctx): GetRequest {
  const { ns, fieldByQName } = ctx.index;
  const out: GetRequest = {};
  for (const c of childElements(el)) {
    ctx.lines[c.name] = c.line;
    if (c.namespaceUri === ns.tt && c.name === 'troubleTicketKey') out.troubleTicketKey = simple(c);
    else if (c.namespaceUri === ns.tt && c.name === 'attrNames') out.attrNames = childElements(c).map((i) => i.content);
    else {
      const f = fieldByQName.get(qname(c.namespaceUri, c.name)) ?? lenientFtth(c, ctx);
      if (f && (f.name === 'technicalId' || f.name === 'supplierID' || f.name === 'serviceProviderID')) {
        out[f.name] = simple(c);
      } else {
        ctx.issues.push({ kind: 'unknown-element', field: c.name, line: c.line, detail: `unexpected <${c.name}> in the get request` });
      }
    }
  }
  return out;
}

/** Reads a TroubleTicketValue (and its FTTHMUTTroubleTicket) into a flat map, in profile terms. */
export function readTicket(el: XmlElement, ctx: Ctx): TicketValue {
  const ticket: TicketValue = {};
  const { index } = ctx;
  let last = -1;
  const take = (c: XmlElement, f: FieldDef) => {
    if (f.name in ticket) {
      ctx.issues.push({ kind: 'duplicate', field: f.name, line: c.line, detail: `${f.name} appears more than once` });
      return;
    }
    const p = index.position.get(f)!;
    if (p < last) {
      ctx.issues.push({ kind: 'out-of-order', field: f.name, line: c.line, detail: `${f.name} is out of schema order` });
    }
    last = Math.max(last, p);
    ticket[f.name] = simple(c, ctx, f.name);
    ctx.lines[f.name] = c.line;
  };
  for (const c of childElements(el)) {
    if (c.name === 'FTTHMUTTroubleTicket' && c.namespaceUri === index.ns.cbe) {
      if (isNil(c)) continue;
      for (const g of childElements(c)) {
        const f = index.fieldByQName.get(qname(g.namespaceUri, g.name));
        if (f?.group === 'ftth') take(g, f);
        else {
          const lenient = lenientFtth(g, ctx);
          if (lenient) take(g, lenient);
          else unknown(g, ctx);
        }
      }
      continue;
    }
    const f = index.fieldByQName.get(qname(c.namespaceUri, c.name));
    if (f?.group === 'value') take(c, f);
    else unknown(c, ctx);
  }
  return ticket;
}

/** A ftth child in another namespace: accepted with a warning in lenient mode, blamed otherwise. */
function lenientFtth(c: XmlElement, ctx: Ctx): FieldDef | undefined {
  const f = ctx.index.field.get(c.name);
  if (!f || f.group !== 'ftth') return undefined;
  if (ctx.index.settings.lenientFtthNamespace) {
    ctx.issues.push({
      kind: 'wrong-namespace',
      field: f.name,
      line: c.line,
      detail: `${f.name} read in namespace "${c.namespaceUri}" instead of "${ctx.index.ns.ftth}" (lenient mode)`,
    });
    return f;
  }
  return undefined;
}

function unknown(c: XmlElement, ctx: Ctx) {
  const { index } = ctx;
  const known = index.field.get(c.name);
  if (known) {
    ctx.issues.push({
      kind: 'wrong-namespace',
      field: known.name,
      line: c.line,
      detail: `${known.name} is in namespace "${c.namespaceUri}", expected "${index.ns[known.ns]}"`,
    });
  } else if (index.profile.ignoredElements.includes(c.name)) {
    ctx.issues.push({ kind: 'ignored', field: c.name, line: c.line, detail: `JSR 91 element ${c.name} is ignored (spec 2.3.1)` });
  } else {
    ctx.issues.push({ kind: 'unknown-element', field: c.name, line: c.line, detail: `unknown element <${c.name}> ({${c.namespaceUri}})` });
  }
}

/** Text of a simple element; null for xsi:nil. Elements inside a simple field are an issue. */
function simple(el: XmlElement, ctx?: Ctx, field?: string): string | null {
  if (isNil(el)) return null;
  if (ctx && field && el.firstChild && childElements(el).length > 0) {
    ctx.issues.push({ kind: 'not-simple', field, line: el.line, detail: `${field} must hold text, not elements` });
  }
  return el.content;
}

function childMap(el: XmlElement): Map<string, XmlElement> {
  const m = new Map<string, XmlElement>();
  for (const c of childElements(el)) {
    const k = qname(c.namespaceUri, c.name);
    if (!m.has(k)) m.set(k, c);
  }
  return m;
}

function readFault(el: XmlElement): SoapFault {
  const fault: SoapFault = { faultcode: '', faultstring: '' };
  for (const c of childElements(el)) {
    if (c.name === 'faultcode') fault.faultcode = c.content.trim();
    else if (c.name === 'faultstring') fault.faultstring = c.content;
    else if (c.name === 'detail') {
      const [exception] = childElements(c);
      if (!exception) continue;
      fault.exception = exception.name;
      const [choice] = childElements(exception);
      if (!choice) continue;
      fault.choice = choice.name;
      const message = childElements(choice).find((m) => m.name === 'message');
      if (message) fault.message = message.content;
    }
  }
  return fault;
}
