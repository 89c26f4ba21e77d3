/**
 * The mock OI as msw 2 request handlers: the same engine, documents and control API as the node:http
 * transport, without sockets. For an OC's own tests that call a fake OI URL with fetch (or any
 * client msw intercepts).
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { Logger } from 'pino';
import type { ProfileIndex } from '../../src/profile/index.ts';
import { maskUrlPasswords } from '../../src/soap/redact.ts';
import { CONTROL_PREFIX, type MockConfig } from '../config/schema.ts';
import type { MockEngine } from '../engine/types.ts';
import { type BodyText, CONTROL_BODY_LIMIT, controlAllow, createControlApi, mockInfo } from './control.ts';
import { serviceDocuments } from './documents.ts';
import {
  contentTypeOf,
  documentAnswer,
  ENDPOINT_METHODS,
  endpointMethodRefused,
  type HeaderRefusal,
  headerRefusal,
  refusalLogLine,
  soapActionOf,
  TransportFaults,
} from './soap-transport.ts';

/** The handlers, with the engine behind them and `close()` (stops its timers and store). */
export type MockHandlerList<E extends MockEngine = MockEngine> = HttpHandler[] & {
  engine: E;
  /** SOAP endpoint, WSDL and control API URLs under baseUrl. */
  url: string;
  wsdlUrl: string;
  controlUrl: string;
  accounts: MockConfig['accounts'];
  close(): Promise<void>;
};

const XML = { 'content-type': 'text/xml; charset=utf-8' };
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Why `baseUrl` cannot serve as the fake OI's address (undefined when it can): the handlers match
 * requests on its origin and path, so it must be an absolute http(s) URL and nothing more.
 */
export function baseUrlProblem(baseUrl: unknown): string | undefined {
  const shown = maskUrlPasswords(JSON.stringify(baseUrl) ?? String(baseUrl));
  const rule = `must be an absolute http:// or https:// URL (e.g. https://oi.example.test), without query, fragment or credentials`;
  if (typeof baseUrl !== 'string')
    return `baseUrl: ${baseUrl === undefined ? 'is required' : `${shown} ${rule}`}`;
  const u = URL.canParse(baseUrl) ? new URL(baseUrl) : undefined;
  const usable =
    u !== undefined &&
    (u.protocol === 'http:' || u.protocol === 'https:') &&
    !/[?#]/.test(baseUrl) &&
    u.username === '' &&
    u.password === '';
  return usable ? undefined : `baseUrl: ${shown} ${rule}`;
}

type WebBody =
  | { kind: 'ok'; raw: Uint8Array }
  | { kind: 'too-large'; bytes: number; declared: boolean }
  | { kind: 'aborted' };

/**
 * Reads a request body up to `maxBytes`, as the socket server does (body.ts): a declared length
 * over the limit is refused unread, and reading stops at the first chunk past it.
 */
async function readLimited(request: Request, maxBytes: number): Promise<WebBody> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    return { kind: 'too-large', bytes: Number(declared), declared: true };
  }
  if (!request.body) return { kind: 'ok', raw: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        // Not awaited: msw reads a copy of the body too, and cancelling waits for that copy.
        reader.cancel().catch(() => {});
        return { kind: 'too-large', bytes, declared: false };
      }
      chunks.push(value);
    }
  } catch {
    return { kind: 'aborted' };
  }
  return { kind: 'ok', raw: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes) };
}

/** The control API's body reader, with the socket server's limit and messages (body.ts readText). */
async function controlBody(request: Request): Promise<BodyText> {
  const body = await readLimited(request, CONTROL_BODY_LIMIT);
  switch (body.kind) {
    case 'ok':
      return { ok: true, text: Buffer.from(body.raw).toString('utf8') };
    case 'too-large':
      return {
        ok: false,
        status: 413,
        message: `request body exceeds the limit of ${CONTROL_BODY_LIMIT} bytes`,
      };
    default:
      return { ok: false, status: 400, message: 'request body aborted by the client' };
  }
}

/** A bodyless answer to HEAD carries the length GET's body would have, as node:http sends it. */
const headOf = (status: number, contentType: string, body: string, headers: Record<string, string> = {}) =>
  new HttpResponse(null, {
    status,
    headers: { ...headers, 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) },
  });

export function mswHandlers<E extends MockEngine>(o: {
  baseUrl: string;
  config: MockConfig;
  index: ProfileIndex;
  engine: E;
  logger: Logger;
}): MockHandlerList<E> {
  // Requests are matched on origin and path here, never by msw's path patterns: those decode the
  // path with decodeURIComponent and throw (a 500 through msw) on a malformed percent-encoding.
  const parsed = new URL(o.baseUrl);
  const origin = parsed.origin;
  const basePath = parsed.pathname.replace(/\/+$/, '');
  const base = `${origin}${basePath}`;
  const endpointPath = `${basePath}${o.config.path}`;
  const controlPath = `${basePath}${CONTROL_PREFIX}`;
  const url = `${origin}${endpointPath}`;
  const maxBytes = o.index.settings.maxMessageBytes;
  const faults = new TransportFaults(o.index);
  const documents = serviceDocuments(o.index.profile);
  const control = createControlApi({
    engine: o.engine,
    index: o.index,
    ...(o.config.control.token !== undefined ? { token: o.config.control.token } : {}),
    ready: () => true,
    info: () => ({
      ...mockInfo(o.index, o.config),
      endpoints: [url],
      wsdl: [`${url}?wsdl`],
      control: `${base}${CONTROL_PREFIX}`,
    }),
  });

  /** The request's URL when it is addressed to the fake OI's origin. */
  const ours = (request: Request): URL | undefined => {
    const u = new URL(request.url);
    return u.origin === origin ? u : undefined;
  };
  const onEndpoint = ({ request }: { request: Request }) => ours(request)?.pathname === endpointPath;
  const onControl = ({ request }: { request: Request }) => {
    const path = ours(request)?.pathname;
    return path !== undefined && (path === controlPath || path.startsWith(`${controlPath}/`));
  };

  const refuse = (refusal: HeaderRefusal, started: number) => {
    o.logger.info({ ...refusalLogLine(refusal, started), transport: 'msw' }, 'exchange');
    return new HttpResponse(faults.client(refusal.faultstring), {
      status: refusal.status,
      headers: { ...XML, ...refusal.headers },
    });
  };

  const soapPost = async (request: Request) => {
    const started = performance.now();
    const contentType = request.headers.get('content-type') ?? undefined;
    const refused = headerRefusal(contentType, request.headers.get('content-encoding') ?? undefined);
    if (refused) return refuse(refused, started);
    const read = await readLimited(request, maxBytes);
    if (read.kind === 'aborted') return HttpResponse.error();
    if (read.kind === 'too-large') {
      const size = read.declared ? `of ${read.bytes} bytes` : `of more than ${maxBytes} bytes`;
      const faultstring = `message ${size} refused: the limit is ${maxBytes} bytes (settings.maxMessageBytes)`;
      return refuse({ status: 500, faultstring }, started);
    }
    const raw = read.raw;
    const soapAction = soapActionOf(request.headers.get('soapaction') ?? undefined, contentType);
    const answer = await o.engine.handleSoap(raw, soapAction !== undefined ? { soapAction } : {});
    o.logger.info({ ...answer.log, status: answer.status, transport: 'msw' }, 'exchange');
    if (answer.inject?.dropConnection) return HttpResponse.error();
    const body = answer.inject?.truncateResponse
      ? Buffer.from(answer.body, 'utf8').subarray(0, Math.floor(Buffer.byteLength(answer.body) / 2))
      : answer.body;
    return new HttpResponse(body, {
      status: answer.status,
      headers: { 'content-type': contentTypeOf(answer.body) },
    });
  };

  // Every method on the endpoint's URL, as the socket server: POST is SOAP, GET and HEAD the
  // documents, OPTIONS and 405 name the methods.
  const endpoint = http.all(onEndpoint, async ({ request }) => {
    const method = request.method;
    if (method === 'POST') return soapPost(request);
    if (method === 'GET' || method === 'HEAD') {
      const answer = documentAnswer(documents, new URL(request.url).searchParams, url);
      if (method === 'HEAD') return headOf(answer.status, answer.contentType, answer.body);
      return new HttpResponse(answer.body, {
        status: answer.status,
        headers: { 'content-type': answer.contentType },
      });
    }
    if (method === 'OPTIONS') {
      return new HttpResponse(null, { status: 204, headers: { allow: ENDPOINT_METHODS } });
    }
    return new HttpResponse(endpointMethodRefused(method), {
      status: 405,
      headers: { allow: ENDPOINT_METHODS, 'content-type': TEXT },
    });
  });

  // As the socket server: HEAD is answered as GET without the body, OPTIONS with the route's Allow
  // (no token needed: no route has OPTIONS, the router's 405 names the route's methods).
  const controlRoutes = http.all(onControl, async ({ request }) => {
    const u = new URL(request.url);
    const answer = await control({
      method: request.method === 'HEAD' ? 'GET' : request.method,
      path: u.pathname.slice(controlPath.length) || '/',
      query: u.searchParams,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body: () => controlBody(request),
    });
    const headers = { ...answer.headers };
    if (answer.status === 405 && headers.allow) {
      headers.allow = controlAllow(headers.allow);
      if (request.method === 'OPTIONS')
        return new HttpResponse(null, { status: 204, headers: { allow: headers.allow } });
    }
    const text = `${JSON.stringify(answer.body, null, 2)}\n`;
    if (request.method === 'HEAD') return headOf(answer.status, JSON_TYPE, text, headers);
    return new HttpResponse(text, {
      status: answer.status,
      headers: { ...headers, 'content-type': JSON_TYPE },
    });
  });

  const handlers = [endpoint, controlRoutes];
  return Object.assign(handlers, {
    engine: o.engine,
    url,
    wsdlUrl: `${url}?wsdl`,
    controlUrl: `${base}${CONTROL_PREFIX}`,
    accounts: o.config.accounts,
    close: () => o.engine.close(),
  });
}
