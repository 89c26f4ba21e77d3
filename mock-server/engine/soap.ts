/**
 * One SOAP request from decoding to answer: decode (XSD included), fault injection, authentication,
 * the operation's handler, then — before the answer leaves — the commit of the writes it made or
 * read. Never throws: an unreadable request is a Client fault, an internal error a Server fault.
 */
import type { OperationDef } from '../../src/profile/index.ts';
import { codecErrorAnswer, internalErrorAnswer, SERVER_CHOICE } from '../../src/rules/index.ts';
import { CodecError, isCodecError } from '../../src/soap/errors.ts';
import type { DecodedMessage } from '../../src/soap/model.ts';
import { clientFault, faultAnswer, type Handled } from './answers.ts';
import type { Authenticator } from './auth.ts';
import type { EngineContext, OcRequest } from './context.ts';
import type { Decode } from './decoder.ts';
import { EngineError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { createTicket } from './op-create.ts';
import { getTicket } from './op-get.ts';
import { metaOperation } from './op-meta.ts';
import { setTicket } from './op-set.ts';
import type { EngineLog, ExchangeCounters } from './stats.ts';
import type { ExchangeLog, FaultInjection, InjectedFault, SoapAnswer } from './types.ts';

const HANDLERS: Record<OperationDef['kind'], (ctx: EngineContext, req: OcRequest) => Handled> = {
  create: createTicket,
  set: setTicket,
  get: getTicket,
  meta: metaOperation,
};

export interface SoapDeps {
  ctx: EngineContext;
  auth: Authenticator;
  faults: FaultInjector;
  /** In this thread or on a worker (decoder.ts). */
  decode: Decode;
  random: () => number;
  counters: ExchangeCounters;
  log: EngineLog;
  closed(): boolean;
}

export class SoapEndpoint {
  /** Injected latencies under way: their timer, and how to end the wait at once (close). */
  private readonly latencies = new Map<unknown, () => void>();

  constructor(private readonly d: SoapDeps) {}

  /** Set once the mock stops: an injected latency no longer delays an answer. */
  private latenciesEnded = false;

  /**
   * Ends the injected latencies, those under way and those to come: the requests waiting on one are
   * answered at once (the mock is stopping and gives them its grace period, not the latency).
   */
  endLatencies(): void {
    this.latenciesEnded = true;
    for (const [handle, wake] of this.latencies) {
      this.d.ctx.clock.clearTimeout(handle);
      wake();
    }
    this.latencies.clear();
  }

  async handle(raw: Uint8Array, meta: { soapAction?: string }): Promise<SoapAnswer> {
    const { ctx } = this.d;
    const started = performance.now();
    let operation = this.operationFromSoapAction(meta.soapAction);
    let handled: Handled;
    let injectedFault: InjectedFault | undefined;
    try {
      if (this.d.closed()) throw new EngineError('closed', 'the mock is shutting down');
      let decoded: DecodedMessage | undefined;
      let codecError: CodecError | undefined;
      try {
        const d = this.d.decode(raw);
        decoded = d instanceof Promise ? await d : d;
        operation = decoded.operation ?? operation;
      } catch (e) {
        if (!isCodecError(e)) throw e;
        codecError = e;
        // A server dispatches on the Body (model §1): its operation's fault detail, whatever the SOAPAction.
        operation = (e.operation && ctx.index.operation.get(e.operation)) || operation;
      }
      const injected = await this.injectFault(operation);
      // Writes of this turn not committed yet: what this request reads may not be durable.
      const readsPending = ctx.store.pending;
      if (injected?.handled) handled = injected.handled;
      else if (codecError) {
        // SOAP 1.1 §4.4: the detail is for errors of the Body; one of a header entry or of the
        // envelope's version (no SOAP 1.1 Body was read) is told without it.
        const ofBody = !codecError.header && codecError.kind !== 'SOAP_VERSION_MISMATCH';
        const detailOf = ofBody ? operation : undefined;
        handled = faultAnswer(ctx.writer, detailOf, codecErrorAnswer(codecError, ctx.index));
      } else handled = this.dispatch(decoded!, raw);
      const rule = injected?.rule;
      if (rule && (rule.dropConnection || rule.truncateResponse)) {
        handled.answer.inject = {
          ...(rule.dropConnection ? { dropConnection: true } : {}),
          ...(rule.truncateResponse ? { truncateResponse: true } : {}),
        };
      }
      if (injected) injectedFault = injectedParts(injected, handled.answer.inject);
      // Nothing leaves before the writes it reports (or read) are committed; a get's own history
      // row need not be durable, so a get that found nothing pending answers at once.
      if (ctx.store.pending && (readsPending || operation?.kind !== 'get')) await ctx.store.committed();
    } catch (e) {
      // A request the stopping mock can no longer process is answered so, not logged as a defect.
      if (!(e instanceof EngineError && e.code === 'closed')) this.d.log.internal(e);
      handled = faultAnswer(ctx.writer, operation, internalErrorAnswer(e, ctx.index));
    }
    const log: ExchangeLog = {
      operation: operation?.name ?? 'unknown',
      ...handled.log,
      ...(injectedFault ? { injected: injectedFault } : {}),
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    handled.answer.log = log;
    this.d.counters.count(log);
    this.d.log.exchange(log);
    return handled.answer;
  }

  private operationFromSoapAction(action: string | undefined): OperationDef | undefined {
    if (!action) return undefined;
    const name = action.trim().replace(/^"|"$/g, '').split(/[/#]/).pop() ?? '';
    return this.d.ctx.index.operation.get(name);
  }

  /** Fault injection: latency, then a SOAP fault or an HTTP error instead of processing. */
  private async injectFault(
    operation: OperationDef | undefined,
  ): Promise<{ rule: FaultInjection; handled?: Handled } | undefined> {
    const rule = this.d.faults.take(operation?.name);
    if (!rule) return undefined;
    const { ctx } = this.d;
    if (rule.latencyMs && !this.latenciesEnded) {
      await this.latency(rule.latencyMs);
      if (this.d.closed()) throw new EngineError('closed', 'the mock is shutting down');
    }
    if (rule.httpStatus) {
      const body = `injected HTTP ${rule.httpStatus}`;
      return {
        rule,
        handled: {
          answer: { status: rule.httpStatus, body, log: { operation: 'unknown', durationMs: 0 } },
          log: { fault: `HTTP ${rule.httpStatus}` },
        },
      };
    }
    if (rule.soapFaultRate && this.d.random() < rule.soapFaultRate) {
      return {
        rule,
        handled: faultAnswer(ctx.writer, operation, {
          kind: 'fault',
          faultcode: 'Server',
          faultstring: 'injected fault: the OI is temporarily unable to process the request',
          choice: SERVER_CHOICE,
        }),
      };
    }
    return { rule };
  }

  /**
   * The wait of an injected latency. Its timer keeps the process alive: an answer is pending, and in
   * process (msw) no socket keeps the event loop running until it is given.
   */
  private latency(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.d.ctx.clock.setTimeout(
        () => {
          this.latencies.delete(handle);
          resolve();
        },
        ms,
        { keepAlive: true },
      );
      this.latencies.set(handle, resolve);
    });
  }

  /** Requests only, from an authenticated OC, to their operation's handler. */
  private dispatch(decoded: DecodedMessage, raw: Uint8Array): Handled {
    const { ctx } = this.d;
    const op = decoded.operation;
    if (decoded.direction !== 'request' || !op) {
      const what = decoded.direction === 'fault' ? 'a SOAP Fault' : `a ${op?.response ?? 'response'} element`;
      const error = new CodecError(
        'UNKNOWN_OPERATION',
        `the Body holds ${what}: this service accepts requests only`,
      );
      return faultAnswer(ctx.writer, op, codecErrorAnswer(error, ctx.index));
    }
    const auth = this.d.auth.authenticate(decoded.credentials);
    if (!auth.ok) {
      const faultstring =
        auth.reason === 'missing'
          ? 'authentication required: the SOAP Header must carry hdr:TroubleTicketHeaderRequest with LoginName and Password'
          : auth.reason === 'locked'
            ? `too many failed logins for "${auth.login}": refused for ${Math.ceil((auth.retryAfterMs ?? 0) / 1000)} s more`
            : 'authentication failed: unknown LoginName or wrong Password';
      const h = faultAnswer(ctx.writer, op, clientFault(faultstring));
      if (auth.login !== undefined) h.log.oc = auth.login;
      return h;
    }
    const h = HANDLERS[op.kind](ctx, { op, decoded, account: auth.account, raw });
    h.log.oc = auth.account.login;
    return h;
  }
}

/** What a fault injection rule did to one exchange, as its log line tells it. */
function injectedParts(
  injected: { rule: FaultInjection; handled?: Handled },
  transport: SoapAnswer['inject'],
): InjectedFault | undefined {
  const { rule, handled } = injected;
  const parts: InjectedFault = {
    ...(rule.latencyMs ? { latencyMs: rule.latencyMs } : {}),
    ...(handled && rule.httpStatus ? { httpStatus: rule.httpStatus } : {}),
    ...(handled && !rule.httpStatus ? { soapFault: true as const } : {}),
    ...transport,
  };
  return Object.keys(parts).length > 0 ? parts : undefined;
}
