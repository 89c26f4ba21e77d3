/**
 * Role oi: the harness serves the mock OI to the OC under test through this front, a recording
 * reverse proxy. Every request the OC sends passes through it (and is kept, with the ticket's state
 * before it, for the scenario engine to judge); the mock's pushes go out through its relay path to
 * the OC's endpoint, so the harness sees each push and the OC's answer with status and timing.
 */
import http from 'node:http';
import type { MockEngine } from '../../mock-server/engine/types.ts';
import type { ProfileIndex } from '../profile/index.ts';
import type { DecodedMessage } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import { type Exchange, postSoap, type TlsOptions } from './http.ts';
import { lenientIndex } from './judge.ts';
import { listen, requestBody, stop } from './listener.ts';

export const RELAY_PATH = '/__sav-ftth-push-relay';

export interface ObservedRequest {
  seq: number;
  /** request: as the OC sent it; response: the mock's answer. */
  exchange: Exchange;
  operation?: string;
  key?: string | null;
  technicalId?: string | null;
  /** The ticket as the OI knew it before this request. */
  current?: { state: string; lastUpdateVersionNumber: number };
  claimed: boolean;
}

export interface ObservedPush {
  seq: number;
  /** request: the mock's push; response: the OC's answer (absent when it did not answer). */
  exchange: Exchange;
  key?: string;
}

export interface OiFrontOptions {
  index: ProfileIndex;
  pushTimeoutMs: number;
  tls?: TlsOptions;
}

const MAX_BODY = 16 * 1024 * 1024;

export class OiFront {
  private server?: http.Server;
  private seq = 0;
  readonly requests: ObservedRequest[] = [];
  private readonly pushes = new Map<string, ObservedPush[]>();
  private readonly unkeyedPushes: ObservedPush[] = [];
  private waiters: (() => void)[] = [];
  private readonly agent = new http.Agent({ keepAlive: true });
  origin = '';

  private engine?: MockEngine;
  /** Origin of the mock (http://127.0.0.1:port). */
  private mockOrigin = '';
  /** The OC under test's endpoint, where pushes are relayed. */
  private ocEndpoint = '';

  constructor(private readonly opts: OiFrontOptions) {}

  /** Connects the front to the mock it serves and to the OC it relays pushes to (after start). */
  attach(target: { engine: MockEngine; mockUrl: string; ocEndpoint: string }): void {
    this.engine = target.engine;
    this.mockOrigin = new URL(target.mockUrl).origin;
    this.ocEndpoint = target.ocEndpoint;
  }

  get serviceUrl(): string {
    return `${this.origin}${this.opts.index.profile.service.path}`;
  }

  get relayUrl(): string {
    return `${this.origin}${RELAY_PATH}`;
  }

  async start(host = '127.0.0.1', port = 0, advertisedHost?: string): Promise<void> {
    const { server, origin } = await listen((req, res) => this.handle(req, res), host, port, advertisedHost);
    this.server = server;
    this.origin = origin;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.agent.destroy();
    this.server = undefined;
    await stop(s);
  }

  /** The seq of the last message the front saw: requests and pushes after it have a greater one. */
  mark(): number {
    return this.seq;
  }

  /**
   * Claims the request a step waits for: among the unclaimed requests matching that arrived after
   * `after` (a {@link mark} taken when the previous step ended), the most recent one, else the next
   * one to come. An OC that reads a ticket before changing it (§1: it may poll) leaves older
   * requests behind, which no later step takes: they are judged as requests no step waited for.
   */
  async waitRequest(
    match: (r: ObservedRequest) => boolean,
    timeoutMs: number,
    after = 0,
  ): Promise<ObservedRequest | undefined> {
    return this.waitFor(() => {
      let r: ObservedRequest | undefined;
      for (const x of this.requests)
        if (!x.claimed && x.seq > after && (!r || x.seq > r.seq) && match(x)) r = x;
      if (r) r.claimed = true;
      return r;
    }, timeoutMs);
  }

  /** The next relayed push of a ticket (with the OC's answer). */
  async waitPush(key: string, timeoutMs: number): Promise<ObservedPush | undefined> {
    return this.waitFor(() => this.pushes.get(key)?.shift(), timeoutMs);
  }

  unclaimed(): ObservedRequest[] {
    return this.requests.filter((r) => !r.claimed);
  }

  private async waitFor<T>(take: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        this.waiters.push(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private decode(text: string): DecodedMessage | undefined {
    try {
      return readMessage(text, lenientIndex(this.opts.index));
    } catch {
      return undefined;
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    void requestBody(req, MAX_BODY).then((body) => {
      if (!body) return;
      if (req.method === 'POST' && req.url?.startsWith(RELAY_PATH)) void this.relay(req, body, res);
      else this.forward(req, body, res);
    });
  }

  /** Forwards to the mock; POSTs are recorded as the OC's requests. */
  private forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const started = performance.now();
    const text = body.toString('utf8');
    const observed = req.method === 'POST' ? this.observe(text) : undefined;
    const target = new URL(req.url ?? '/', this.mockOrigin);
    const upstream = http.request(
      target,
      {
        method: req.method,
        headers: { ...req.headers, 'content-length': String(body.byteLength) },
        agent: this.agent,
      },
      (up) => {
        const parts: Buffer[] = [];
        up.on('data', (c: Buffer) => parts.push(c));
        up.on('end', () => {
          const out = Buffer.concat(parts);
          const headers = { ...up.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(out.byteLength);
          res.writeHead(up.statusCode ?? 502, headers).end(out);
          if (observed) {
            observed.exchange.response = out.toString('utf8');
            observed.exchange.httpStatus = up.statusCode ?? 0;
            observed.exchange.durationMs = Math.round((performance.now() - started) * 100) / 100;
            this.requests.push(observed);
            this.wake();
          }
        });
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`mock unreachable: ${e.message}`);
      if (observed) {
        observed.exchange.error = e.message;
        this.requests.push(observed);
        this.wake();
      }
    });
    upstream.end(body);
  }

  private observe(text: string): ObservedRequest {
    const { index } = this.opts;
    const engine = this.engine;
    const r: ObservedRequest = {
      seq: ++this.seq,
      exchange: { url: this.serviceUrl, request: text, durationMs: 0 },
      claimed: false,
    };
    const msg = this.decode(text);
    if (!msg) return r;
    if (msg.operation) r.operation = msg.operation.name;
    const keyField = index.settings.unknownKeyField;
    if (msg.body.kind === 'createRequest' || msg.body.kind === 'setRequest') {
      r.key = msg.body.ticket[keyField] ?? null;
    } else if (msg.body.kind === 'getRequest') {
      r.key = msg.body.get.troubleTicketKey ?? null;
      r.technicalId = msg.body.get.technicalId ?? null;
    }
    const stored = r.key ? engine?.getTicket(r.key)?.ticket : undefined;
    if (stored) r.current = { state: stored.state, lastUpdateVersionNumber: stored.lastUpdateVersionNumber };
    return r;
  }

  /** Relays one push of the mock to the OC under test and keeps the exchange. */
  private async relay(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const text = body.toString('utf8');
    const soapAction = req.headers.soapaction;
    const x = await postSoap(this.ocEndpoint, text, {
      timeoutMs: this.opts.pushTimeoutMs,
      maxBytes: this.opts.index.settings.maxMessageBytes,
      ...(typeof soapAction === 'string' ? { soapAction } : {}),
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
    });
    const msg = this.decode(text);
    const key =
      msg?.body.kind === 'setRequest'
        ? (msg.body.ticket[this.opts.index.settings.unknownKeyField] ?? undefined)
        : undefined;
    const push: ObservedPush = { seq: ++this.seq, exchange: x, ...(key ? { key } : {}) };
    if (key) {
      const list = this.pushes.get(key) ?? [];
      list.push(push);
      this.pushes.set(key, list);
    } else this.unkeyedPushes.push(push);
    this.wake();
    if (x.response !== undefined && x.httpStatus !== undefined) {
      res
        .writeHead(x.httpStatus, { 'content-type': x.contentType ?? 'text/xml; charset=utf-8' })
        .end(x.response);
    } else {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`OC under test: ${x.error ?? 'no answer'}`);
    }
  }
}
