/**
 * The mock OI's node:http / node:https transport around a MockEngine: the SOAP endpoint (POST), its
 * WSDL and XSDs (GET ?wsdl, ?xsd=), and the control API under /_control or on its own port.
 * Nothing a client sends can crash it: bodies are size-limited and deadline-bound, and every
 * handler is wrapped.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProfileIndex } from '../../src/profile/index.ts';
import { shorten } from '../../src/soap/errors.ts';
import { CONTROL_PREFIX, isLoopback, type MockConfig } from '../config/schema.ts';
import type { MockEngine } from '../engine/types.ts';
import { declaredLength, discardRest, readBody, readText } from './body.ts';
import { CONTROL_BODY_LIMIT, type ControlResponse, controlAllow, createControlApi } from './control.ts';
import { hostRefusal, isMutating, originRefusal, type Refusal } from './control-guard.ts';
import type { ServiceDocuments } from './documents.ts';
import {
  clientView,
  contentTypeOf,
  documentAnswer,
  ENDPOINT_METHODS,
  endpointMethodRefused,
  type HeaderRefusal,
  headerRefusal,
  refusalLogLine,
  soapActionOf,
  TransportFaults,
  targetUrl,
  transferCodingRefusal,
} from './soap-transport.ts';

export interface TransportOptions {
  engine: MockEngine;
  index: ProfileIndex;
  config: Pick<MockConfig, 'host' | 'port' | 'https' | 'path' | 'control' | 'limits'>;
  logger: Logger;
  /** Needed when config.https.enabled. */
  tls?: { cert: string; key: string };
  documents: ServiceDocuments;
  /** Extra fields of the control API's `GET /` (accounts, versions). */
  info?: () => Record<string, unknown>;
}

export interface ListenerInfo {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  serves: { soap: boolean; control: boolean };
  /** Base URL, e.g. http://127.0.0.1:8080 */
  origin: string;
}

/**
 * How much of a refused request is read and thrown away before closing (see discardRest): 64 MiB
 * (at least 4 × maxMessageBytes), for as long as a body may take (limits.bodyTimeoutMs) within 1-5 s.
 */
const DISCARD_MIN_BYTES = 64 * 1024 * 1024;
const DISCARD_MS = { min: 1_000, max: 5_000 };

/**
 * After an answer: keep the connection, close it once the unread rest of the request is read and
 * thrown away (within DISCARD_*), or close it at once (a body too slow: reading on would serve it).
 */
type Closing = 'keep' | 'after-body' | 'now';

const TEXT = 'text/plain; charset=utf-8';

/** A request body that is there (announced) and has not been read to its end. */
function hasUnreadBody(req: IncomingMessage): boolean {
  if (req.readableEnded) return false;
  return req.headers['transfer-encoding'] !== undefined || (declaredLength(req) ?? 0) > 0;
}

/** How a URL shows a host: brackets around IPv6, loopback for a wildcard bind. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export class MockTransport {
  private readonly servers: { server: Server; info: Omit<ListenerInfo, 'port' | 'origin'> }[] = [];
  private readonly listening: ListenerInfo[] = [];
  private readonly sockets = new Set<Socket>();
  /** Answers to requests that sent `Expect: 100-continue` and have not been told to send the body. */
  private readonly awaitingContinue = new WeakSet<ServerResponse>();
  private readonly faults: TransportFaults;
  private readonly control: ReturnType<typeof createControlApi>;
  private readonly maxBytes: number;
  private readonly discardBytes: number;
  private readonly discardMs: number;
  private ready = false;

  constructor(private readonly o: TransportOptions) {
    this.faults = new TransportFaults(o.index);
    this.maxBytes = o.index.settings.maxMessageBytes;
    this.discardBytes = Math.max(DISCARD_MIN_BYTES, 4 * this.maxBytes);
    this.discardMs = Math.min(DISCARD_MS.max, Math.max(DISCARD_MS.min, o.config.limits.bodyTimeoutMs));
    this.control = createControlApi({
      engine: o.engine,
      index: o.index,
      ...(o.config.control.token !== undefined ? { token: o.config.control.token } : {}),
      ready: () => this.ready,
      info: () => this.describe(),
    });
    const { config } = o;
    const separateControl = config.control.port !== undefined;
    const serves = { soap: true, control: !separateControl };
    if (config.port !== null) this.add('http', config.host, serves);
    if (config.https.enabled) {
      if (!o.tls) throw new Error('https.enabled needs a certificate (tls option)');
      this.add('https', config.host, serves);
    }
    if (separateControl) this.add('http', config.control.host ?? config.host, { soap: false, control: true });
  }

  private add(scheme: 'http' | 'https', host: string, serves: ListenerInfo['serves']): void {
    const { limits } = this.o.config;
    const options = {
      headersTimeout: limits.headersTimeoutMs,
      // Backstop for the whole request; the body deadline (bodyTimeoutMs) answers a SOAP fault first.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    };
    const handler = (req: IncomingMessage, res: ServerResponse) =>
      this.handle(req, res, scheme, host, serves);
    const server =
      scheme === 'https'
        ? createHttpsServer({ ...options, ...this.o.tls! }, handler)
        : createHttpServer(options, handler);
    server.maxConnections = limits.maxConnections;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // 100 Continue goes out only when a handler starts reading the body (see bodyWanted): a request
    // refused from its headers, or whose body no handler reads, gets its final answer directly
    // (RFC 9110 §10.1.1).
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      this.awaitingContinue.add(res);
      this.handle(req, res, scheme, host, serves);
    });
    server.on('tlsClientError', (err: Error) =>
      this.o.logger.debug({ err: err.message }, 'TLS handshake failed'),
    );
    this.servers.push({ server, info: { scheme, host, serves } });
  }

  /** Starts every listener; resolves with their actual addresses (ports chosen by the OS when 0). */
  async start(): Promise<ListenerInfo[]> {
    const { config } = this.o;
    const portOf = (info: Omit<ListenerInfo, 'port' | 'origin'>) => {
      if (!info.serves.soap) return config.control.port!;
      return info.scheme === 'https' ? config.https.port : config.port!;
    };
    for (const { server, info } of this.servers) {
      const port = portOf(info);
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error) =>
          reject(
            new Error(`cannot listen on ${info.scheme}://${displayHost(info.host)}:${port}: ${e.message}`),
          );
        server.once('error', onError);
        server.listen(port, info.host.replace(/^\[|\]$/g, ''), () => {
          server.off('error', onError);
          resolve();
        });
      });
      server.on('error', (e) => this.o.logger.error({ err: e.message }, 'server error'));
      const actual = (server.address() as AddressInfo).port;
      this.listening.push({
        ...info,
        port: actual,
        origin: `${info.scheme}://${displayHost(info.host)}:${actual}`,
      });
    }
    this.ready = true;
    return this.listening;
  }

  get listeners(): ListenerInfo[] {
    return this.listening;
  }

  /** Endpoint, WSDL and control URLs of the listeners. */
  describe(): Record<string, unknown> {
    const soap = this.listening.filter((l) => l.serves.soap);
    const control = this.listening.find((l) => l.serves.control);
    return {
      ...(this.o.info?.() ?? {}),
      endpoints: soap.map((l) => `${l.origin}${this.o.config.path}`),
      wsdl: soap.map((l) => `${l.origin}${this.o.config.path}?wsdl`),
      control: control ? `${control.origin}${CONTROL_PREFIX}` : undefined,
    };
  }

  /** Stops accepting, lets in-flight exchanges finish (up to graceMs), then closes every socket. */
  async stop(graceMs = 2_000): Promise<void> {
    this.ready = false;
    const closing = this.servers.map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    const timer = setTimeout(() => {
      for (const { server } of this.servers) server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    }, graceMs);
    await Promise.all(closing);
    clearTimeout(timer);
  }

  private handle(
    req: IncomingMessage,
    res: ServerResponse,
    scheme: 'http' | 'https',
    host: string,
    serves: ListenerInfo['serves'],
  ): void {
    this.route(req, res, scheme, host, serves).catch((e: unknown) => {
      this.o.logger.error({ err: (e as Error).stack ?? String(e) }, 'transport error');
      if (!res.headersSent) {
        this.send(
          res,
          500,
          'text/plain; charset=utf-8',
          `internal error: ${(e as Error).message}`,
          'after-body',
        );
      } else res.destroy();
    });
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    scheme: 'http' | 'https',
    host: string,
    serves: ListenerInfo['serves'],
  ): Promise<void> {
    // The SOAP endpoint itself, the hot path: no URL to parse.
    if (serves.soap && req.url === this.o.config.path && req.method === 'POST') {
      return this.soapPost(req, res);
    }
    const target = req.url ?? '/';
    const url = target === '*' ? undefined : targetUrl(target);
    if (target !== '*' && !url) {
      return this.send(
        res,
        400,
        TEXT,
        `request target ${JSON.stringify(shorten(target))} refused: only origin-form (/path) and absolute-form http:// or https:// targets are served (RFC 9112 §3.2)\n`,
        'after-body',
      );
    }
    const onEndpoint = serves.soap && url?.pathname === this.o.config.path;
    if (onEndpoint && req.method === 'POST') return this.soapPost(req, res);
    // The SOAP endpoint answers this with a fault (soapPost); any other route in plain text.
    const coding = transferCodingRefusal(headerOf(req, 'transfer-encoding'));
    if (coding) return this.send(res, 501, TEXT, `${coding}\n`, 'after-body');
    if (!url) return this.asterisk(req, res, serves);
    if (onEndpoint) return this.soap(req, res, url, scheme, host);
    const path = url.pathname;
    if (serves.control && (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`))) {
      return this.controlRoute(req, res, url, scheme, host);
    }
    const hint = serves.soap
      ? `the SOAP endpoint is ${this.o.config.path}`
      : `the control API is under ${CONTROL_PREFIX}`;
    this.send(res, 404, TEXT, `nothing at ${path}: ${hint}\n`);
  }

  /** Every method of the endpoint's URL but POST (routed to soapPost before). */
  private soap(req: IncomingMessage, res: ServerResponse, url: URL, scheme: 'http' | 'https', host: string) {
    const method = req.method ?? 'GET';
    // HEAD answers what GET would, without the body (RFC 9110 §9.3.2): node:http drops the body.
    if (method === 'GET' || method === 'HEAD') return this.document(req, res, url, scheme, host);
    if (method === 'OPTIONS') return this.options(res, ENDPOINT_METHODS);
    res.setHeader('allow', ENDPOINT_METHODS);
    return this.send(res, 405, TEXT, endpointMethodRefused(method), 'after-body');
  }

  /** `OPTIONS *` asks what the server as a whole supports (RFC 9110 §9.3.7). */
  private asterisk(req: IncomingMessage, res: ServerResponse, serves: ListenerInfo['serves']): void {
    if (req.method === 'OPTIONS') {
      const methods = new Set<string>();
      if (serves.soap) for (const m of ENDPOINT_METHODS.split(', ')) methods.add(m);
      if (serves.control) for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE']) methods.add(m);
      methods.add('OPTIONS');
      this.options(res, [...methods].join(', '));
      return;
    }
    this.send(
      res,
      400,
      'text/plain; charset=utf-8',
      `request target "*" with method ${req.method}: the asterisk form is for OPTIONS only (RFC 9112 §3.2.4)\n`,
      'after-body',
    );
  }

  private options(res: ServerResponse, allow: string): void {
    this.send(res, 204, TEXT, '', 'keep', { allow });
  }

  /** Lets a client that sent `Expect: 100-continue` send its body: a handler is about to read it. */
  private bodyWanted(res: ServerResponse): void {
    if (!this.awaitingContinue.delete(res) || res.headersSent) return;
    res.writeContinue();
  }

  /** A SOAP request: the body, read within the limits, answered by the engine. */
  private async soapPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const contentType = req.headers['content-type'];
    const remote = req.socket.remoteAddress;
    const refused = headerRefusal(
      contentType,
      headerOf(req, 'content-encoding'),
      headerOf(req, 'transfer-encoding'),
    );
    if (refused) return this.refuse(res, started, remote, refused);
    const { bodyTimeoutMs } = this.o.config.limits;
    const body = await readBody(req, this.maxBytes, bodyTimeoutMs, () => this.bodyWanted(res));
    switch (body.kind) {
      case 'too-large': {
        const faultstring = `message ${body.declared ? `of ${body.bytes} bytes` : `of more than ${this.maxBytes} bytes`} refused: the limit is ${this.maxBytes} bytes (settings.maxMessageBytes)`;
        return this.refuse(res, started, remote, { status: 500, faultstring });
      }
      case 'timeout':
        return this.refuse(
          res,
          started,
          remote,
          {
            status: 500,
            faultstring: `request body not received within ${bodyTimeoutMs} ms (limits.bodyTimeoutMs): ${body.bytes} bytes read`,
          },
          'now',
        );
      case 'aborted':
        this.o.logger.debug({ remote }, 'request aborted by the client');
        req.socket.destroy();
        return;
    }
    const soapAction = soapActionOf(req.headers.soapaction, contentType);
    const answer = await this.o.engine.handleSoap(body.raw, {
      ...(soapAction !== undefined ? { soapAction } : {}),
      ...(remote !== undefined ? { remote } : {}),
    });
    if (this.o.logger.isLevelEnabled('info')) {
      this.o.logger.info({ ...answer.log, status: answer.status, remote }, 'exchange');
    }
    if (answer.inject?.dropConnection) {
      req.socket.destroy();
      return;
    }
    if (answer.inject?.truncateResponse) {
      // A complete HTTP message whose XML stops half way: the client's parser must cope.
      const full = Buffer.from(answer.body, 'utf8');
      res.writeHead(answer.status, {
        'content-type': contentTypeOf(answer.body),
        'x-content-type-options': 'nosniff',
        connection: 'close',
      });
      res.end(full.subarray(0, Math.floor(full.length / 2)));
      return;
    }
    this.send(res, answer.status, contentTypeOf(answer.body), answer.body);
  }

  /** A SOAP Client fault answered by the transport itself (the engine never saw the request). */
  private refuse(
    res: ServerResponse,
    started: number,
    remote: string | undefined,
    refusal: HeaderRefusal,
    closing: Closing = 'after-body',
  ) {
    this.o.logger.info({ ...refusalLogLine(refusal, started), remote }, 'exchange');
    this.send(
      res,
      refusal.status,
      'text/xml; charset=utf-8',
      this.faults.client(refusal.faultstring),
      closing,
      refusal.headers,
    );
  }

  private document(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    scheme: 'http' | 'https',
    host: string,
  ) {
    const view = clientView(
      { get: (n) => headerOf(req, n) },
      { scheme, host: `${displayHost(host)}:${req.socket.localPort}` },
      req.url,
    );
    const endpoint = `${view.scheme}://${view.host}${this.o.config.path}`;
    const answer = documentAnswer(this.o.documents, url.searchParams, endpoint);
    this.send(res, answer.status, answer.contentType, answer.body);
  }

  /**
   * Why a browser's request to the control API is refused before routing (see control-guard.ts):
   * a foreign Host on a loopback listener without a token, a foreign Origin on a mutating request.
   */
  private controlRefusal(
    req: IncomingMessage,
    method: string,
    scheme: 'http' | 'https',
    host: string,
  ): Refusal | undefined {
    const hostHeader = headerOf(req, 'host');
    if (this.o.config.control.token === undefined && isLoopback(host)) {
      const refused = hostRefusal(hostHeader, host);
      if (refused) return refused;
    }
    const origin = headerOf(req, 'origin');
    if (origin === undefined || !isMutating(method)) return undefined;
    // The origin the client addressed, and the one a reverse proxy says it did (X-Forwarded-*: a
    // page cannot set those on a request sent without preflight).
    const forwarded = clientView(
      { get: (n) => headerOf(req, n) },
      { scheme, host: `${displayHost(host)}:${req.socket.localPort}` },
      req.url,
    );
    const direct = hostHeader ? `${scheme}://${hostHeader}` : undefined;
    if (direct !== undefined && !originRefusal(origin, direct)) return undefined;
    return originRefusal(origin, `${forwarded.scheme}://${forwarded.host}`);
  }

  private async controlRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    scheme: 'http' | 'https',
    host: string,
  ): Promise<void> {
    const options = req.method === 'OPTIONS';
    // HEAD is answered as GET without the body (RFC 9110 §9.3.2).
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const refused = this.controlRefusal(req, method, scheme, host);
    const answer: ControlResponse = refused
      ? { status: refused.status, body: { error: refused.message } }
      : await this.control({
          method,
          path: url.pathname.slice(CONTROL_PREFIX.length) || '/',
          query: url.searchParams,
          authorization: req.headers.authorization ?? null,
          contentType: headerOf(req, 'content-type') ?? null,
          body: () =>
            readText(req, CONTROL_BODY_LIMIT, this.o.config.limits.bodyTimeoutMs, () => this.bodyWanted(res)),
        });
    // No route has OPTIONS: the router's 405 names the route's methods, and that is the answer.
    const allow = answer.headers?.allow;
    if (options && answer.status === 405 && allow) return this.options(res, controlAllow(allow));
    for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
    if (answer.status === 405 && allow) res.setHeader('allow', controlAllow(allow));
    this.o.logger.debug({ method: req.method, path: url.pathname, status: answer.status }, 'control');
    this.send(
      res,
      answer.status,
      'application/json; charset=utf-8',
      `${JSON.stringify(answer.body, null, 2)}\n`,
      // A body too slow (readText's 408): reading on would serve it.
      answer.status === 408 ? 'now' : 'keep',
    );
  }

  private send(
    res: ServerResponse,
    status: number,
    contentType: string,
    body: string,
    closing: Closing = 'keep',
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    // A body no handler read is thrown away within bounds, never read to its end by node:http.
    if (closing === 'keep' && hasUnreadBody(res.req)) closing = 'after-body';
    // The client still waits for 100 Continue: it sends no body, there is none to wait for.
    if (closing === 'after-body' && this.awaitingContinue.has(res)) closing = 'now';
    res.writeHead(status, {
      ...headers,
      // Plain-text errors quote the request: no browser may read them as HTML.
      'x-content-type-options': 'nosniff',
      ...(status !== 204
        ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body, 'utf8') }
        : {}),
      ...(closing !== 'keep' ? { connection: 'close' } : {}),
    });
    const socket = res.socket;
    // Backstop: a client that stops reading the answer must not keep the socket.
    const closeSoon = () => {
      if (socket) res.once('finish', () => setTimeout(() => socket.destroy(), 1_000).unref());
    };
    if (closing === 'after-body' && !res.req.readableEnded) {
      // The answer goes out now (complete: its Content-Length is met), but node:http closes the
      // socket when the response ends: ending it only once the rest of the request is read keeps
      // the kernel from resetting the connection under the client's feet.
      res.write(body, 'utf8');
      // An answer without a body (HEAD, 204) writes nothing above: its head must still go now.
      if (body === '' || res.req.method === 'HEAD') res.flushHeaders();
      void discardRest(res.req, this.discardBytes, this.discardMs).then((end) => {
        if (end !== 'end') this.o.logger.debug({ end }, 'refused request body not read to its end');
        if (res.destroyed) return;
        closeSoon();
        res.end();
      });
      return;
    }
    // A string body goes out in one write with the header (a Buffer would take a second chunk).
    res.end(body, 'utf8');
    if (closing !== 'keep') closeSoon();
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
