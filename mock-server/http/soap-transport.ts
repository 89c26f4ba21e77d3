/**
 * What the SOAP endpoint needs beyond the engine: the faults the transport itself answers (a body
 * too large, too slow, or not XML), the endpoint URL a client used, and the answer's content type.
 */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { MessageWriter } from '../../src/soap/write.ts';

/** Content types a SOAP 1.1 request may carry (SOAP 1.2's is let through: the engine answers VersionMismatch). */
const XML_CONTENT_TYPE = /^\s*(text\/xml|application\/soap\+xml|application\/xml)\s*(;|$)/i;

export function acceptsContentType(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.trim() === '' || XML_CONTENT_TYPE.test(contentType);
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
 * else the Host header, else the listener's own address. Values that are not a plain host[:port]
 * are ignored, so nothing a client sends can be injected into the WSDL.
 */
export function clientView(
  headers: { get(name: string): string | undefined },
  listener: { scheme: 'http' | 'https'; host: string },
): ClientView {
  const first = (v: string | undefined) => v?.split(',')[0]?.trim();
  const proto = first(headers.get('x-forwarded-proto'))?.toLowerCase();
  const scheme = proto === 'http' || proto === 'https' ? proto : listener.scheme;
  let host = first(headers.get('x-forwarded-host'));
  if (host && !HOST_SHAPE.test(host)) host = undefined;
  const fport = first(headers.get('x-forwarded-port'));
  if (host && fport && /^\d{1,5}$/.test(fport) && !/(:\d+|\])$/.test(host)) host = `${host}:${fport}`;
  if (!host) {
    const h = headers.get('host')?.trim();
    host = h && HOST_SHAPE.test(h) ? h : listener.host;
  }
  return { scheme, host };
}
