/**
 * Push of the OI's actions (R7) to the OC's endpoint as setTroubleTicketByValue requests. Each OC
 * has its own endpoint (§1: "a service with the same WSDL exposed by the OC"): a ticket's deliveries
 * go to the target of the OC owning it (its SIREN), never to another OC's. Deliveries
 * of one ticket go out strictly in order (n+1 waits for the outcome of n); tickets are served in
 * parallel up to a concurrency limit. A delivery is retried with exponential backoff on transport
 * errors, timeouts, HTTP errors and SOAP faults; an answer with returnCode 1/2 is a refusal by the OC:
 * recorded as failed, not retried. Every attempt updates the stored delivery, so pending deliveries
 * resume after a restart.
 */
import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import type { ProfileIndex } from '../../src/profile/index.ts';
import { readMessage } from '../../src/soap/read.ts';
import { shownUrl } from '../../src/soap/redact.ts';
import type { MessageWriter } from '../../src/soap/write.ts';
import type { DeliveryRecord, TicketStore } from '../store/types.ts';
import { type Clock, iso } from './clock.ts';
import type { ExchangeLog, OcAccount, PushTarget } from './types.ts';

/** Where the OI's actions on an OC's tickets are pushed: per OC SIREN, with a default. */
export class PushRoutes {
  private readonly bySiren = new Map<string, PushTarget>();
  private readonly loginOf = new Map<string, string>();

  /**
   * An account's own `push` serves the tickets of its SIREN (accounts sharing a SIREN: the first
   * one naming a target); every other ticket goes to `fallback` (config `push`), if any.
   */
  constructor(
    accounts: readonly (OcAccount & { push?: PushTarget })[],
    private readonly fallback?: PushTarget,
  ) {
    for (const a of accounts) {
      if (a.push && !this.bySiren.has(a.siren)) this.bySiren.set(a.siren, a.push);
      if (!this.loginOf.has(a.siren)) this.loginOf.set(a.siren, a.login);
    }
  }

  /** The login of the OC account whose SIREN this is (the `oc` of log lines), if any. */
  ocLogin(ocSiren: string | undefined): string | undefined {
    return ocSiren === undefined ? undefined : this.loginOf.get(ocSiren);
  }

  /** The target of the OC whose SIREN this is, if any. */
  targetFor(ocSiren: string | undefined): PushTarget | undefined {
    return (ocSiren === undefined ? undefined : this.bySiren.get(ocSiren)) ?? this.fallback;
  }

  /** Distinct targets, each once. */
  targets(): PushTarget[] {
    return [...new Set([...this.bySiren.values(), ...(this.fallback ? [this.fallback] : [])])];
  }

  get empty(): boolean {
    return this.bySiren.size === 0 && this.fallback === undefined;
  }
}

/** One OC endpoint: its target, URL (as requested and as shown) and connection pool. */
interface Endpoint {
  target: PushTarget;
  url: URL;
  shown: string;
  agent: http.Agent;
}

export interface PusherDeps {
  routes: PushRoutes;
  store: TicketStore;
  index: ProfileIndex;
  writer: MessageWriter;
  clock: Clock;
  log: (line: ExchangeLog & { direction: 'push'; attempt: number; error?: string }) => void;
  /** Tickets served at the same time (default 4). */
  concurrency?: number;
}

type Outcome =
  | { kind: 'answered'; status: number; body: string; returnCode?: string; returnLabel?: string }
  | { kind: 'error'; error: string; body?: string };

const OPERATION = 'setTroubleTicketByValue';
/** Responses kept in the store are cut beyond this size. */
const MAX_STORED_RESPONSE = 64 * 1024;

export class Pusher {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly requests = new Set<ClientRequest>();
  private readonly sleeps = new Map<unknown, () => void>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** Bumped by reset(): a drain begun before it stops, whatever it was waiting for. */
  private generation = 0;
  private readonly endpoints = new Map<PushTarget, Endpoint>();
  private readonly concurrency: number;

  constructor(private readonly deps: PusherDeps) {
    this.concurrency = deps.concurrency ?? 4;
    const agentOptions = { keepAlive: true, maxSockets: this.concurrency };
    for (const target of deps.routes.targets()) {
      const url = new URL(target.url);
      const agent =
        url.protocol === 'https:'
          ? new https.Agent({
              ...agentOptions,
              ...(target.ca ? { ca: target.ca } : {}),
              rejectUnauthorized: !target.insecure,
            })
          : new http.Agent(agentOptions);
      this.endpoints.set(target, { target, url, shown: shownUrl(target.url), agent });
    }
  }

  /** The target of the OC whose SIREN this is; none: the OI's actions on its tickets are not pushed. */
  targetFor(ocSiren: string | undefined): PushTarget | undefined {
    return this.deps.routes.targetFor(ocSiren);
  }

  /** The URL of a target as its deliveries show it. */
  shownUrl(target: PushTarget): string {
    return this.endpoints.get(target)?.shown ?? shownUrl(target.url);
  }

  /** The request as sent: the stored ticket value with the target's current credentials. */
  requestXml(d: DeliveryRecord, target: PushTarget): string {
    const { login, password } = target;
    return this.deps.writer.setRequest(JSON.parse(d.ticketJson), { login, password });
  }

  /** Schedules the pending deliveries of a ticket. */
  enqueue(key: string): void {
    if (this.closed || this.active.has(key) || this.queued.has(key)) return;
    this.queued.add(key);
    this.ready.push(key);
    this.pump();
  }

  /** Resolves when no delivery is pending or in flight (backoff waits included). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: in-flight requests are aborted, their deliveries stay pending for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.ready.length = 0;
    this.queued.clear();
    this.abortUnderWay('mock closing');
    await this.idle();
    for (const e of this.endpoints.values()) e.agent.destroy();
  }

  /**
   * Forgets every delivery queued, retrying or in flight (control API reset: their tickets are
   * gone): in-flight requests are aborted, backoff waits ended, and nothing of theirs is written
   * back. Deliveries of tickets created afterwards go out as usual.
   */
  reset(): void {
    this.generation++;
    this.ready.length = 0;
    this.queued.clear();
    this.abortUnderWay('mock reset');
  }

  private abortUnderWay(reason: string): void {
    for (const r of this.requests) r.destroy(new Error(reason));
    for (const [handle, resolve] of this.sleeps) {
      this.deps.clock.clearTimeout(handle);
      resolve();
    }
    this.sleeps.clear();
  }

  /** Whether a drain begun in this generation must stop (stop or reset since). */
  private stopped(generation: number): boolean {
    return this.closed || generation !== this.generation;
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      void this.drain(key).finally(() => {
        this.active.delete(key);
        this.pump();
        if (this.active.size === 0 && this.ready.length === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async drain(key: string): Promise<void> {
    const generation = this.generation;
    for (;;) {
      if (this.stopped(generation)) return;
      const d = this.deps.store.nextPendingDelivery(key);
      if (!d) return;
      await this.deliver(d, generation);
    }
  }

  private async deliver(d: DeliveryRecord, generation: number): Promise<void> {
    const { store, clock, index } = this.deps;
    const { success, missing, invalid } = index.profile.returnCodes;
    const ocSiren = store.getTicket(d.troubleTicketKey)?.ocSiren;
    const target = this.targetFor(ocSiren);
    const endpoint = target && this.endpoints.get(target);
    if (!target || !endpoint) {
      // Left pending by a run whose configuration pushed this OC's tickets; never sent elsewhere.
      d.status = 'failed';
      d.updatedAt = iso(clock.now());
      delete d.targetUrl;
      d.lastError = `not sent: OC ${ocSiren ?? '(unknown ticket)'} has no push target (neither its account's push nor push is configured)`;
      store.transaction(() => store.updateDelivery(d));
      this.deps.log({
        direction: 'push',
        operation: OPERATION,
        troubleTicketKey: d.troubleTicketKey,
        error: d.lastError,
        durationMs: 0,
        attempt: d.attempts,
      });
      return;
    }
    const xml = this.requestXml(d, target);
    // Where it goes now: the configuration may have changed since it was stored (a restart).
    d.targetUrl = endpoint.shown;
    for (;;) {
      if (this.stopped(generation)) return;
      d.attempts++;
      d.updatedAt = iso(clock.now());
      // Counted (and committed) before it leaves: a request cut by a stop or a crash may still have reached the OC.
      store.transaction(() => store.updateDelivery(d));
      const started = performance.now();
      const outcome = await this.send(endpoint, xml);
      if (generation !== this.generation) return; // reset: the ticket and its deliveries are gone
      const durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (this.closed) return this.cutByStop(d, target, ocSiren, durationMs);
      d.updatedAt = iso(clock.now());
      let retry = false;
      if (outcome.kind === 'answered') {
        d.responseXml = outcome.body.slice(0, MAX_STORED_RESPONSE);
        if (outcome.returnCode !== undefined) d.returnCode = outcome.returnCode;
        if (outcome.returnCode === undefined || outcome.returnCode === success) {
          d.status = 'delivered';
          delete d.lastError;
        } else {
          d.status = 'failed';
          const refusal = outcome.returnCode === missing || outcome.returnCode === invalid;
          d.lastError = `${refusal ? 'refused by the OC' : 'unexpected answer'}: returnCode ${outcome.returnCode}${
            outcome.returnLabel ? ` (${outcome.returnLabel})` : ''
          }`;
        }
      } else {
        d.lastError = outcome.error;
        if (outcome.body !== undefined) d.responseXml = outcome.body.slice(0, MAX_STORED_RESPONSE);
        retry = d.attempts <= target.maxRetries;
        d.status = retry ? 'pending' : 'failed';
      }
      store.transaction(() => store.updateDelivery(d));
      this.logAttempt(d, target, ocSiren, durationMs, {
        ...(d.returnCode !== undefined && outcome.kind === 'answered' ? { returnCode: d.returnCode } : {}),
        ...(outcome.kind === 'error' ? { error: outcome.error } : {}),
      });
      if (!retry) return;
      await this.sleep(target.backoffMs * 2 ** (d.attempts - 1));
    }
  }

  /**
   * An attempt the mock's stop cut: it may have reached the OC, so it stays counted, and the
   * delivery stays pending for the next start, which sends it again.
   */
  private cutByStop(
    d: DeliveryRecord,
    target: PushTarget,
    ocSiren: string | undefined,
    durationMs: number,
  ): void {
    d.lastError =
      'attempt cut by the mock stopping (it may have reached the OC): sent again at the next start';
    d.updatedAt = iso(this.deps.clock.now());
    this.deps.store.transaction(() => this.deps.store.updateDelivery(d));
    this.logAttempt(d, target, ocSiren, durationMs, { error: d.lastError });
  }

  /** The log line of one attempt: its outcome (`returnCode` or `error`) beside who and what. */
  private logAttempt(
    d: DeliveryRecord,
    target: PushTarget,
    ocSiren: string | undefined,
    durationMs: number,
    outcome: Pick<ExchangeLog, 'returnCode' | 'error'>,
  ): void {
    const oc = this.deps.routes.ocLogin(ocSiren);
    this.deps.log({
      direction: 'push',
      operation: OPERATION,
      ...(oc !== undefined ? { oc } : {}),
      pushLogin: target.login,
      troubleTicketKey: d.troubleTicketKey,
      ...outcome,
      durationMs,
      attempt: d.attempts,
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.deps.clock.setTimeout(() => {
        this.sleeps.delete(handle);
        resolve();
      }, ms);
      this.sleeps.set(handle, resolve);
    });
  }

  private async send(endpoint: Endpoint, xml: string): Promise<Outcome> {
    let status: number;
    let body: string;
    try {
      ({ status, body } = await this.post(endpoint, xml));
    } catch (e) {
      return { kind: 'error', error: (e as Error).message || String(e) };
    }
    let decoded: ReturnType<typeof readMessage>;
    try {
      decoded = readMessage(body, this.deps.index);
    } catch (e) {
      return { kind: 'error', error: `HTTP ${status}: unreadable answer (${(e as Error).message})`, body };
    }
    if (decoded.body.kind === 'fault') {
      const f = decoded.body.fault;
      return { kind: 'error', error: `HTTP ${status}: SOAP fault ${f.faultcode}: ${f.faultstring}`, body };
    }
    if (status !== 200) return { kind: 'error', error: `HTTP ${status}`, body };
    if (decoded.body.kind !== 'ticketResponse' || decoded.operation?.name !== OPERATION) {
      return { kind: 'error', error: `HTTP ${status}: not a ${OPERATION} response`, body };
    }
    const r = decoded.body.response;
    return {
      kind: 'answered',
      status,
      body,
      ...(r.returnCode != null ? { returnCode: r.returnCode } : {}),
      ...(r.returnLabel != null ? { returnLabel: r.returnLabel } : {}),
    };
  }

  private post({ target, url, agent }: Endpoint, xml: string): Promise<{ status: number; body: string }> {
    const { timeoutMs } = target;
    const limit = this.deps.index.settings.maxMessageBytes;
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            soapaction: `"${OPERATION}"`,
            'content-length': Buffer.byteLength(xml),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) req.destroy(new Error(`answer larger than ${limit} bytes`));
            else chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      this.requests.add(req);
      // A network timeout is real time, whatever clock drives the automatic behaviour.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', reject);
      req.on('close', () => {
        clearTimeout(timer);
        this.requests.delete(req);
      });
      req.end(xml);
    });
  }
}
