/**
 * The harness's OC endpoint (role oc): a node:http server on the callback address that receives the
 * OI's pushed actions (setTroubleTicketByValue), answers each with returnCode 0 (or refuses it when
 * a scenario asked it to fail the ticket's next pushes), and queues it per ticket for the step that
 * waits for it. Judging a push is the scenario engine's job: it knows the ticket's state.
 */
import type http from 'node:http';
import type { ProfileIndex } from '../profile/index.ts';
import { codecErrorAnswer } from '../rules/index.ts';
import { CodecError } from '../soap/errors.ts';
import type { Credentials, TicketValue } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import { MessageWriter } from '../soap/write.ts';
import type { Exchange } from './http.ts';
import { lenientIndex } from './judge.ts';
import { listen, requestBody, stop } from './listener.ts';

export interface ReceivedPush {
  seq: number;
  /** request: the push as received; response: our answer. */
  exchange: Exchange;
  key?: string;
  /** The ticket the push carries (a setTroubleTicketByValue request). */
  ticket?: TicketValue;
  credentials?: Credentials;
  /** We refused it (a scenario asked the endpoint to fail). */
  refused: boolean;
  receivedAt: number;
}

export interface PushWait {
  push: ReceivedPush;
  /** Pushes of the ticket refused before it (attempts of the same delivery). */
  refused: ReceivedPush[];
}

const MAX_BODY = 4 * 1024 * 1024;

export class HarnessOcEndpoint {
  private server?: http.Server;
  private seq = 0;
  private readonly queues = new Map<string, ReceivedPush[]>();
  /** Every push of a ticket, taken by a step or not: what the OC knows of the ticket comes from them. */
  private readonly history = new Map<string, ReceivedPush[]>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly failures = new Map<string, { remaining: number; status: number }>();
  /** Pushes no ticket could be read from (unreadable XML). */
  readonly unreadable: ReceivedPush[] = [];
  private readonly writer: MessageWriter;
  url = '';

  constructor(
    private readonly index: ProfileIndex,
    private readonly path = index.profile.service.path,
  ) {
    this.writer = new MessageWriter(index);
  }

  async start(host = '127.0.0.1', port = 0, advertisedHost?: string): Promise<string> {
    const { server, origin } = await listen((req, res) => this.handle(req, res), host, port, advertisedHost);
    this.server = server;
    this.url = `${origin}${this.path}`;
    return this.url;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await stop(s);
  }

  /** The ticket's next `count` pushes are answered with this HTTP status and a Server fault. */
  failNext(key: string, count: number, status = 503): void {
    this.failures.set(key, { remaining: count, status });
  }

  /** The pushes of a ticket the endpoint acknowledged (returnCode 0) so far, in order of arrival. */
  accepted(key: string): readonly ReceivedPush[] {
    return (this.history.get(key) ?? []).filter((p) => !p.refused);
  }

  /** The ticket's next `count` pushes are refused too, on top of those already asked for. */
  refuseMore(key: string, count: number, status: number): void {
    const f = this.failures.get(key);
    this.failures.set(key, { remaining: (f?.remaining ?? 0) + count, status });
  }

  /** Waits until the endpoint acknowledged a push of the ticket after push `afterSeq`; true if it did. */
  async waitAccepted(key: string, afterSeq: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.accepted(key).some((p) => p.seq > afterSeq)) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.arrival(key, left);
    }
  }

  /** Resolves at the next push of the ticket, or after `ms`. */
  private arrival(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const list = this.waiters.get(key) ?? [];
      list.push(done);
      this.waiters.set(key, list);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** Waits for the next accepted push of a ticket; the refused ones before it come along. */
  async waitPush(key: string, timeoutMs: number): Promise<PushWait | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const queue = this.queues.get(key) ?? [];
      const accepted = queue.findIndex((p) => !p.refused);
      if (accepted >= 0) {
        const taken = queue.splice(0, accepted + 1);
        return { push: taken.at(-1)!, refused: taken.slice(0, -1) };
      }
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.arrival(key, left);
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const started = performance.now();
    if (req.method === 'GET' && req.url?.includes('?wsdl')) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    void requestBody(req, MAX_BODY).then((raw) => {
      if (!raw) return;
      const body = raw.toString('utf8');
      const push: ReceivedPush = {
        seq: ++this.seq,
        exchange: { url: this.url, request: body, durationMs: 0 },
        refused: false,
        receivedAt: Date.now(),
      };
      let status = 200;
      let answer: string;
      try {
        const msg = readMessage(body, lenientIndex(this.index));
        if (msg.credentials) push.credentials = msg.credentials;
        const key =
          msg.body.kind === 'setRequest'
            ? (msg.body.ticket[this.index.settings.unknownKeyField] ?? undefined)
            : undefined;
        if (key) push.key = key;
        if (msg.body.kind === 'setRequest') push.ticket = msg.body.ticket;
        const failing = key ? this.failures.get(key) : undefined;
        if (failing && failing.remaining > 0) {
          failing.remaining--;
          push.refused = true;
          status = failing.status;
          answer = this.writer.fault({
            faultcode: 'Server',
            faultstring: `harness OC endpoint refuses this push on purpose (HTTP ${failing.status})`,
            exception: 'setTroubleTicketByValueException',
            choice: 'remoteException',
          });
        } else {
          answer = this.writer.response('setTroubleTicketByValue', {
            troubleTicketKey: key ?? null,
            returnCode: this.index.profile.returnCodes.success,
          });
        }
      } catch (e) {
        const err = e instanceof CodecError ? e : new CodecError('MALFORMED_XML', String(e));
        const f = codecErrorAnswer(err, this.index);
        status = 500;
        answer = this.writer.fault({ faultcode: f.faultcode, faultstring: f.faultstring });
      }
      push.exchange.response = answer;
      push.exchange.httpStatus = status;
      push.exchange.durationMs = Math.round((performance.now() - started) * 100) / 100;
      res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(answer);
      if (push.key) {
        const q = this.queues.get(push.key) ?? [];
        q.push(push);
        this.queues.set(push.key, q);
        const h = this.history.get(push.key) ?? [];
        h.push(push);
        this.history.set(push.key, h);
        const waiting = this.waiters.get(push.key) ?? [];
        this.waiters.delete(push.key);
        for (const w of waiting) w();
      } else this.unreadable.push(push);
    });
  }
}
