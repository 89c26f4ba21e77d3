/**
 * What the SOAP endpoint needs beyond the engine: the faults the transport itself answers (a body
 * too large, too slow, or not XML), the endpoint URL a client used, and the answer's content type.
 */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { isUtf8Label } from '../../src/soap/encoding.ts';
import { shorten } from '../../src/soap/errors.ts';
import { parameterValues, parseMediaType } from '../../src/soap/media-type.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import type { ServiceDocuments } from './documents.ts';

/** Content types a SOAP 1.1 request may carry (SOAP 1.2's is let through: the engine answers VersionMismatch). */
const XML_CONTENT_TYPE = /^\s*(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i;

export function acceptsContentType(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trim() === '' || XML_CONTENT_TYPE.test(contentType);
}

/** Received values, each quoted and shortened, the first few only. */
const shownValues = (values: string[], max = 4) =>
  [
    ...values.slice(0, max).map((v) => JSON.stringify(shorten(v))),
    ...(values.length > max ? ['…'] : []),
  ].join(', ');

/** Why the transport refuses a request from its headers alone (before reading the body). */
export interface HeaderRefusal {
  /** 500: the answer is a SOAP Fault, and WS-I BP R1126 gives faults that status whatever the cause. */
  status: number;
  faultstring: string;
  headers?: Record<string, string>;
}

/**
 * The exchange line of a request the transport refused before the engine saw it (header, size or
 * time limits), so that a refused request is logged as an exchange by every transport.
 */
export const refusalLogLine = (refusal: HeaderRefusal, startedMs: number) => ({
  operation: 'unknown',
  fault: 'Client',
  refusal: refusal.faultstring,
  status: refusal.status,
  durationMs: Math.round(performance.now() - startedMs),
});

/**
 * The request's headers the endpoint cannot take: a transfer coding other than chunked (see
 * transferCodingRefusal), a Content-Type that is not XML, a charset other than UTF-8 (the only
 * encoding of the exchanges) or given more than once, a Content-Encoding other than identity
 * (bodies are not decompressed: a compressed body would otherwise be read as garbage or as a bomb).
 */
export function headerRefusal(
  contentType: string | undefined,
  contentEncoding: string | undefined,
  transferEncoding?: string,
): HeaderRefusal | undefined {
  const framing = transferCodingRefusal(transferEncoding);
  if (framing) return { status: 500, faultstring: framing };
  if (!acceptsContentType(contentType)) {
    return {
      status: 500,
      faultstring: `Content-Type "${contentType}" is not text/xml: SOAP 1.1 requests are text/xml`,
    };
  }
  const charsets = contentType ? parameterValues(parseMediaType(contentType), 'charset') : [];
  if (charsets.length > 1) {
    // Taking the first (or the last) would read the body in an encoding the client may not have meant.
    return {
      status: 500,
      faultstring: `Content-Type ${JSON.stringify(shorten(contentType!))} refused: charset is given ${charsets.length} times (${shownValues(charsets)}), a parameter may be given once only (RFC 6838 §4.3); send one charset=utf-8`,
    };
  }
  const charset = charsets[0];
  if (charset !== undefined && !isUtf8Label(charset.trim())) {
    return {
      status: 500,
      faultstring: `Content-Type charset "${charset}" refused: the exchanges are UTF-8 end to end, only charset=utf-8 (or utf8) is accepted (RFC 9110 §8.3.2)`,
    };
  }
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c.toLowerCase() !== 'identity');
  if (codings.length > 0) {
    return {
      status: 500,
      faultstring: `Content-Encoding "${contentEncoding}" refused: request bodies are read uncompressed only (identity, RFC 9110 §8.4)`,
      headers: { 'accept-encoding': 'identity' },
    };
  }
  return undefined;
}

/**
 * Why a Transfer-Encoding is refused: node:http decodes chunked (the last coding, else it answers
 * 400 itself) and hands any coding before it through undecoded, so `gzip, chunked` would reach the
 * engine compressed. RFC 9112 §6.1 lets a server refuse a coding it does not implement (501).
 */
export function transferCodingRefusal(transferEncoding: string | undefined): string | undefined {
  if (transferEncoding === undefined) return undefined;
  const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
  if (codings.length === 1 && codings[0] === 'chunked') return undefined;
  return `Transfer-Encoding ${JSON.stringify(shorten(transferEncoding))} refused: request bodies are read with the chunked transfer coding only, no other is implemented (RFC 9112 §6.1)`;
}

/**
 * The path and query of a request target (RFC 9112 §3.2): origin-form (`/path?query`, where
 * `//x/...` is a path, not an authority) or absolute-form with the http or https scheme; undefined
 * for anything else. The asterisk form is the caller's.
 */
export function targetUrl(target: string): URL | undefined {
  const base = 'http://mock.invalid';
  let rest: string;
  if (target.startsWith('/')) rest = target;
  else {
    const m = /^https?:\/\/[^/?#]*(.*)$/is.exec(target);
    if (!m) return undefined;
    rest = m[1]!;
    if (rest !== '' && !rest.startsWith('/') && !rest.startsWith('?')) return undefined;
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  try {
    // Appended to the base, never resolved against it: no target can change the authority.
    return new URL(`${base}${rest}`);
  } catch {
    return undefined;
  }
}

/**
 * The SOAPAction of a request: the SOAPAction header (SOAP 1.1), else the `action` parameter of an
 * `application/soap+xml` content type (SOAP 1.2 clients put it there).
 */
export function soapActionOf(
  header: string | string[] | undefined,
  contentType: string | undefined,
): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (h !== undefined) return h;
  const m = contentType ? /;\s*action\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(contentType) : null;
  return m ? (m[2] ?? m[1]) : undefined;
}

/** A SOAP 1.1 Client fault answered by the transport before the engine sees the request. */
export class TransportFaults {
  private readonly writer: MessageWriter;
  constructor(index: ProfileIndex) {
    this.writer = new MessageWriter(index);
  }
  client(faultstring: string): string {
    return this.writer.fault({ faultcode: 'Client', faultstring });
  }
}

/** What the SOAP endpoint's URL answers (405 and OPTIONS list them). */
export const ENDPOINT_METHODS = 'POST, GET, HEAD, OPTIONS';

/** The 405 text of a method the SOAP endpoint's URL does not answer. */
export const endpointMethodRefused = (method: string) =>
  `method ${method} not allowed: SOAP requests are POSTed (GET serves ?wsdl and ?xsd=)\n`;

/**
 * What a GET (or HEAD) on the SOAP endpoint's URL answers: the WSDL (`?wsdl`), one XSD (`?xsd=`),
 * else a 400 saying what the URL serves. `endpoint` is the URL the client used.
 */
export function documentAnswer(
  documents: ServiceDocuments,
  query: URLSearchParams,
  endpoint: string,
): { status: number; contentType: string; body: string } {
  const keys = [...query.keys()];
  if (keys.some((k) => k.toLowerCase() === 'wsdl')) {
    return { status: 200, contentType: 'text/xml; charset=utf-8', body: documents.wsdl(endpoint) };
  }
  const xsdKey = keys.find((k) => k.toLowerCase() === 'xsd');
  if (xsdKey !== undefined) {
    const name = query.get(xsdKey) ?? '';
    const text = documents.xsd(name, endpoint);
    if (text !== undefined) return { status: 200, contentType: 'text/xml; charset=utf-8', body: text };
    const known = documents.xsdNames().join(', ');
    return {
      status: 404,
      contentType: 'text/plain; charset=utf-8',
      body: `no schema named ${JSON.stringify(name)} (known: ${known})\n`,
    };
  }
  // 400, not 405 (GET is allowed here, with a query) nor 404 (the resource exists: POST it).
  return {
    status: 400,
    contentType: 'text/plain; charset=utf-8',
    body: `GET serves ${endpoint}?wsdl and ${endpoint}?xsd=<name> (the WSDL and its XSDs); SOAP requests are POSTed to ${endpoint}\n`,
  };
}

/** XML answers are text/xml (SOAP 1.1); an injected plain HTTP error is text/plain. */
export const contentTypeOf = (body: string) =>
  body.trimStart().startsWith('<') ? 'text/xml; charset=utf-8' : 'text/plain; charset=utf-8';

const HOST_SHAPE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

export interface ClientView {
  scheme: 'http' | 'https';
  /** host[:port] as the client addressed us. */
  host: string;
}

/**
 * The scheme and host the client used: X-Forwarded-Proto/-Host/-Port (a reverse proxy in front),
 * else the authority of an absolute-form request target (`GET http://host:port/path`, which
 * RFC 9112 §3.2.2 puts before the Host header), else the Host header, else the listener's own
 * address. Values that are not a plain host[:port] are ignored, so nothing a client sends can be
 * injected into the WSDL.
 */
export function clientView(
  headers: { get(name: string): string | undefined },
  listener: { scheme: 'http' | 'https'; host: string },
  target?: string,
): ClientView {
  const first = (v: string | undefined) => v?.split(',')[0]?.trim();
  const absolute = target === undefined ? undefined : absoluteTarget(target);
  const proto = first(headers.get('x-forwarded-proto'))?.toLowerCase();
  const scheme = proto === 'http' || proto === 'https' ? proto : (absolute?.scheme ?? listener.scheme);
  let host = first(headers.get('x-forwarded-host'));
  if (host && !HOST_SHAPE.test(host)) host = undefined;
  const forwardedHost = host !== undefined;
  if (!host && absolute) host = absolute.host;
  if (!host) {
    const h = headers.get('host')?.trim();
    host = h && HOST_SHAPE.test(h) ? h : listener.host;
  }
  const fport = first(headers.get('x-forwarded-port'));
  if (fport && /^\d{1,5}$/.test(fport) && Number(fport) <= 65535) {
    // The proxy's public port: it replaces the port of the Host the proxy sent (often its upstream's),
    // not one the proxy itself put in X-Forwarded-Host.
    const port = /:(\d*)$/.exec(host.endsWith(']') ? '' : host);
    if (!port || !forwardedHost) host = withPort(port ? host.slice(0, port.index) : host, fport, scheme);
  }
  return { scheme, host };
}

/** `host` with `port`, which a URL leaves out when it is the scheme's default. */
const withPort = (host: string, port: string, scheme: 'http' | 'https') =>
  Number(port) === (scheme === 'https' ? 443 : 80) ? host : `${host}:${Number(port)}`;

/** Scheme and host[:port] of an absolute-form http(s) request target; undefined for origin-form. */
function absoluteTarget(target: string): ClientView | undefined {
  const m = /^(https?):\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(target);
  if (!m) return undefined;
  // An empty port (`host:`) is valid (RFC 3986 §3.2.3) and means the scheme's default.
  const host = m[2]!.replace(/:$/, '');
  if (!HOST_SHAPE.test(host)) return undefined;
  return { scheme: m[1]!.toLowerCase() as 'http' | 'https', host };
}
