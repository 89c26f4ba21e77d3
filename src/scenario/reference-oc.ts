/**
 * The reference OC: a small, correct OC implementation used as the "OC under test" when the harness
 * plays the OI against no real OC (`sav-ftth run --role oi` with no target). It has
 *
 * - an OC endpoint (node:http) that receives the OI's pushes (setTroubleTicketByValue), checks the
 *   credentials and every protocol rule against the ticket as this OC knows it, and answers as §9
 *   requires: returnCode 0, 1 or 2 naming the field, or a SOAP 1.1 fault with HTTP 500;
 * - a client that sends the requests the scenario's OC steps ask for, and learns from the answers
 *   (new keys, states) what it needs to judge the next pushes.
 */
import type http from 'node:http';
import type { ProfileIndex } from '../profile/index.ts';
import { answerFor, checkMessage, codecErrorAnswer, type FaultAnswer, rolesOf } from '../rules/index.ts';
import { schemaValidator } from '../schema/validator.ts';
import { CodecError } from '../soap/errors.ts';
import type { Credentials, DecodedMessage } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import { MessageWriter } from '../soap/write.ts';
import { type Exchange, postSoap, type TlsOptions } from './http.ts';
import { listen, requestBody, stop } from './listener.ts';

export interface ReferenceOcOptions {
  index: ProfileIndex;
  /** The OI service this OC calls. */
  oiUrl: string;
  /** Credentials the OI's pushes must carry. */
  pushCredentials: Credentials;
  host?: string;
  port?: number;
  timeoutMs?: number;
  tls?: TlsOptions;
}

interface Known {
  state: string;
  lastUpdateVersionNumber: number;
}

const MAX_BODY = 4 * 1024 * 1024;

export class ReferenceOc {
  private server?: http.Server;
  private readonly writer: MessageWriter;
  /** Tickets as this OC knows them. */
  readonly tickets = new Map<string, Known>();
  endpointUrl = '';

  constructor(private readonly opts: ReferenceOcOptions) {
    this.writer = new MessageWriter(opts.index);
  }

  async start(): Promise<string> {
    const { server, origin } = await listen(
      (req, res) => this.handle(req, res),
      this.opts.host,
      this.opts.port,
    );
    this.server = server;
    this.endpointUrl = `${origin}${this.opts.index.profile.service.path}`;
    return this.endpointUrl;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await stop(s);
  }

  /** Sends one request to the OI and learns from a successful answer. */
  async send(xml: string, operation: string): Promise<Exchange> {
    const x = await postSoap(this.opts.oiUrl, xml, {
      soapAction: operation,
      maxBytes: this.opts.index.settings.maxMessageBytes,
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
    });
    if (x.response) this.learn(xml, x.response);
    return x;
  }

  private learn(requestXml: string, responseXml: string): void {
    const { index } = this.opts;
    let req: DecodedMessage;
    let res: DecodedMessage;
    try {
      req = readMessage(requestXml, index);
      res = readMessage(responseXml, index);
    } catch {
      return;
    }
    if (
      res.body.kind !== 'ticketResponse' ||
      res.body.response.returnCode !== index.profile.returnCodes.success
    )
      return;
    const stateField = rolesOf(index).state?.name;
    const key = res.body.response.troubleTicketKey;
    if (!key || !stateField) return;
    if (req.body.kind === 'createRequest') {
      this.tickets.set(key, {
        state: req.body.ticket[stateField] ?? '',
        lastUpdateVersionNumber: index.settings.initialVersionNumber,
      });
    } else if (req.body.kind === 'setRequest') {
      const known = this.tickets.get(key);
      const state = req.body.ticket[stateField];
      if (known && state) known.state = state;
    } else if (req.body.kind === 'getRequest' && res.body.ticket) {
      const t = res.body.ticket;
      const version = Number(t[index.settings.staleVersionField]);
      const state = t[stateField];
      if (state)
        this.tickets.set(key, { state, lastUpdateVersionNumber: Number.isFinite(version) ? version : 0 });
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    void requestBody(req, MAX_BODY).then((raw) => {
      if (!raw) return;
      const { status, body } = this.answer(raw);
      res.writeHead(status, { 'content-type': 'text/xml; charset=utf-8' }).end(body);
    });
  }

  /** The answer §9 requires to one push. */
  answer(raw: Uint8Array): { status: number; body: string } {
    const { index, pushCredentials } = this.opts;
    const op = index.operation.get('setTroubleTicketByValue')!;
    const fault = (f: FaultAnswer, withDetail: boolean) => ({
      status: 500,
      body: this.writer.fault({
        faultcode: f.faultcode,
        faultstring: f.faultstring,
        ...(withDetail ? { exception: op.exception, choice: f.choice } : {}),
      }),
    });
    let msg: DecodedMessage;
    try {
      msg = readMessage(raw, index, { validator: schemaValidator(index.profile) });
    } catch (e) {
      const err = e instanceof CodecError ? e : new CodecError('MALFORMED_XML', String(e));
      return fault(codecErrorAnswer(err, index), false);
    }
    if (msg.direction !== 'request' || msg.operation?.name !== op.name || msg.body.kind !== 'setRequest') {
      const what = msg.operation?.name ?? msg.direction;
      return fault(
        codecErrorAnswer(
          new CodecError('UNKNOWN_OPERATION', `this OC endpoint serves ${op.name} only, not ${what}`),
          index,
        ),
        false,
      );
    }
    const c = msg.credentials;
    if (!c || c.login !== pushCredentials.login || c.password !== pushCredentials.password) {
      return fault(
        {
          kind: 'fault',
          faultcode: 'Client',
          faultstring: c
            ? 'authentication failed: unknown LoginName or wrong Password'
            : 'authentication required',
          choice: 'ossIllegalArgumentException',
        },
        true,
      );
    }
    const ticket = msg.body.ticket;
    const keyField = index.settings.unknownKeyField;
    const key = ticket[keyField] ?? null;
    const known = key ? this.tickets.get(key) : undefined;
    const reply = (code: string, label?: string) => ({
      status: 200,
      body: this.writer.response(op.name, {
        troubleTicketKey: key,
        returnCode: code,
        ...(label ? { returnLabel: label } : {}),
      }),
    });
    const outcome = checkMessage(msg, index, { sender: 'OI', ...(known ? { current: known } : {}) });
    const answer = answerFor(outcome.findings, index);
    if (answer.kind === 'fault') return fault(answer, true);
    if (answer.kind === 'returnCode') return reply(answer.code, answer.label);
    if (!known) return reply(index.profile.returnCodes.invalid, `${keyField} : ticket inconnu de cet OC`);
    const stateField = rolesOf(index).state?.name;
    const state = stateField ? ticket[stateField] : undefined;
    if (state) known.state = state;
    const version = Number(ticket[index.settings.staleVersionField]);
    if (Number.isFinite(version)) known.lastUpdateVersionNumber = version;
    return reply(index.profile.returnCodes.success);
  }
}
