/**
 * The mock OI as its transport and in-process users see it ({@link MockEngine}): it wires the
 * SOAP pipeline (soap.ts → op-*.ts), the OI's actions (oi-apply.ts), the intake checks
 * (intake.ts), the automatic behaviour and the push, and answers the control methods. Everything
 * the protocol says comes from the profile and the rule engine.
 */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import type { TicketRecord, TicketStore } from '../store/types.ts';
import type { Authenticator } from './auth.ts';
import { type Automation, hasTimedSteps, type Step } from './automation.ts';
import { patchBehaviour } from './behaviour.ts';
import type { Clock } from './clock.ts';
import type { EngineContext } from './context.ts';
import { DecodePool, decodeInThread } from './decoder.ts';
import { EngineError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { engineFields } from './fields.ts';
import { Intake } from './intake.ts';
import type { Inventory } from './inventory.ts';
import { applyOiAction, type OiActionResult } from './oi-apply.ts';
import type { EngineLogger } from './options.ts';
import type { Pusher } from './push.ts';
import { Refusals } from './refusals.ts';
import { SoapEndpoint } from './soap.ts';
import { EngineLog, ExchangeCounters } from './stats.ts';
import { publicDelivery, publicTicket } from './tickets.ts';
import type {
  Behaviour,
  Counters,
  Delivery,
  ExchangeLog,
  FaultInjection,
  HistoryEntry,
  InventoryEntry,
  MockEngine,
  SoapAnswer,
  StoredTicket,
  TicketQuery,
} from './types.ts';

export interface EngineParts {
  index: ProfileIndex;
  store: TicketStore;
  clock: Clock;
  auth: Authenticator;
  inventory: Inventory;
  faults: FaultInjector;
  behaviour: Behaviour;
  oiSiren: string;
  oiName: string;
  keyPrefix: string;
  schemaValidation: boolean;
  /** Worker threads decoding requests (0: in the event loop). */
  decodeWorkers: number;
  random: () => number;
  logger?: EngineLogger;
}

export class Engine implements MockEngine {
  readonly index: ProfileIndex;
  readonly writer: MessageWriter;
  private readonly store: TicketStore;
  private readonly ctx: EngineContext;
  private readonly soap: SoapEndpoint;
  private readonly intake: Intake;
  private readonly exchanges = new ExchangeCounters();
  private readonly log: EngineLog;
  private readonly decoder: DecodePool | undefined;
  private behaviourState: Behaviour;
  private automation!: Automation;
  private pusher: Pusher | undefined;
  private closed = false;

  constructor(private readonly parts: EngineParts) {
    this.index = parts.index;
    this.writer = new MessageWriter(parts.index);
    this.store = parts.store;
    this.behaviourState = { ...parts.behaviour };
    this.log = new EngineLog(parts.logger);
    this.ctx = {
      index: parts.index,
      f: engineFields(parts.index),
      codes: parts.index.profile.returnCodes,
      store: parts.store,
      clock: parts.clock,
      writer: this.writer,
      refusals: new Refusals(parts.index, parts.oiSiren),
      inventory: parts.inventory,
      oiSiren: parts.oiSiren,
      oiName: parts.oiName,
      keyPrefix: parts.keyPrefix,
      behaviour: () => this.behaviourState,
      schedule: (t: TicketRecord) => this.automation.schedule(t),
      queueIntake: (key: string) => this.intake.add(key),
    };
    const inThread = decodeInThread(
      parts.index,
      parts.schemaValidation ? schemaValidator(parts.index.profile) : undefined,
    );
    const pool =
      parts.decodeWorkers > 0
        ? new DecodePool(parts.index, inThread, parts.decodeWorkers, parts.schemaValidation)
        : undefined;
    this.decoder = pool;
    this.soap = new SoapEndpoint({
      ctx: this.ctx,
      auth: parts.auth,
      faults: parts.faults,
      decode: pool ? (raw) => pool.decode(raw) : inThread,
      random: parts.random,
      counters: this.exchanges,
      log: this.log,
      closed: () => this.closed,
    });
    this.intake = new Intake({
      ctx: this.ctx,
      reject: (key, code) => this.applyOiAction(key, 'oi.rejection', { [this.ctx.f.closureCode]: code }),
      warn: (message) => this.log.warn(message),
      error: (e) => this.log.internal(e),
    });
  }

  /** Wires the collaborators that need the engine itself (timers call back into it). */
  attach(automation: Automation, pusher: Pusher | undefined): void {
    this.automation = automation;
    this.pusher = pusher;
  }

  /** Resumes what a previous run left: intake checks, automatic timers, pending deliveries. */
  resume(): void {
    for (const t of this.store.pendingIntake()) this.intake.add(t.troubleTicketKey);
    this.automation.rescheduleAll();
    if (this.pusher) for (const key of this.store.ticketsWithPendingDeliveries()) this.pusher.enqueue(key);
  }

  handleSoap(raw: Uint8Array, meta: { soapAction?: string; remote?: string }): Promise<SoapAnswer> {
    return this.soap.handle(raw, meta);
  }

  // ---------------------------------------------------------------- OI actions (R7)

  async triggerOiAction(key: string, action: string, fields?: TicketValue): Promise<OiActionResult> {
    return this.applyOiAction(key, action, fields);
  }

  /** Applies an R7 action now: validated like any OI message, stored, pushed, rescheduled. */
  applyOiAction(key: string, actionId: string, overrides?: TicketValue): OiActionResult {
    if (this.closed) throw new EngineError('closed', 'the mock is shutting down');
    // Pushed to the target of the OC owning the ticket; an OC without one gets no delivery.
    const target = this.pusher?.targetFor(this.store.getTicket(key)?.ocSiren);
    return applyOiAction(
      {
        ctx: this.ctx,
        ...(this.pusher && target
          ? {
              pusher: this.pusher,
              pushCredentials: { login: target.login, password: target.password },
              pushUrl: this.pusher.shownUrl(target),
            }
          : {}),
      },
      key,
      actionId,
      overrides,
    );
  }

  /** Runs an automatic step; a step the rules refuse is logged and not retried. */
  runStep(key: string, step: Step): void {
    try {
      const r = this.applyOiAction(key, step.action, step.fields);
      if (r.returnCode !== this.ctx.codes.success) {
        this.log.warn(`automatic ${step.action} on ${key} refused: ${r.returnLabel ?? r.returnCode}`);
      }
    } catch (e) {
      this.log.internal(e);
    }
  }

  /** Resolves once queued intake checks have run and no delivery is pending (tests, graceful stop). */
  async settle(): Promise<void> {
    for (;;) {
      const pending = this.intake.pending;
      if (pending) {
        await pending;
        continue;
      }
      if (this.pusher) await this.pusher.idle();
      if (!this.intake.pending) return;
    }
  }

  emit(line: ExchangeLog): void {
    this.log.exchange(line);
  }

  // ---------------------------------------------------------------- control
  // Reads commit the open group first: the control API shows only what is durable.

  listTickets(query: TicketQuery): StoredTicket[] {
    this.store.flush();
    return this.store.listTickets(query).map(publicTicket);
  }

  countTickets(query: TicketQuery): number {
    this.store.flush();
    return this.store.countTickets(query);
  }

  getTicket(
    key: string,
  ): { ticket: StoredTicket; history: HistoryEntry[]; deliveries: Delivery[] } | undefined {
    this.store.flush();
    const t = this.store.getTicket(key);
    if (!t) return undefined;
    return {
      ticket: publicTicket(t),
      history: this.store.history(key),
      deliveries: this.store.deliveries(key).map(publicDelivery),
    };
  }

  behaviour(): Behaviour {
    return { ...this.behaviourState };
  }

  setBehaviour(patch: Partial<Behaviour>): Behaviour {
    const next = patchBehaviour(this.behaviourState, patch, this.index);
    const timersBefore = hasTimedSteps(this.behaviourState);
    this.behaviourState = next;
    if (timersBefore || hasTimedSteps(next)) this.automation.rescheduleAll();
    return this.behaviour();
  }

  faults(): FaultInjection[] {
    return this.parts.faults.list();
  }

  setFaults(faults: FaultInjection[]): void {
    if (!Array.isArray(faults))
      throw new EngineError('invalid-argument', 'faults must be a list of fault injections');
    this.parts.faults.set(faults);
  }

  inventory(): InventoryEntry[] {
    return this.parts.inventory.entries;
  }

  deliveries(): Delivery[] {
    this.store.flush();
    return this.store.deliveries().map(publicDelivery);
  }

  counters(): Counters {
    this.store.flush();
    return {
      ...this.exchanges.snapshot(),
      tickets: this.store.countTickets(),
      deliveries: this.store.countDeliveries(),
    };
  }

  /**
   * Clears tickets, history, deliveries (queued, retrying or in flight: none is sent afterwards),
   * counters and login failures; keeps the key sequence and the configuration.
   */
  reset(): void {
    this.automation.clear();
    this.intake.clear();
    this.pusher?.reset();
    this.store.reset();
    this.parts.auth.reset();
    this.exchanges.reset();
  }

  /** The mock is stopping: requests waiting on an injected latency are answered now. */
  endLatencies(): void {
    this.soap.endLatencies();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.soap.endLatencies();
    this.automation.stop();
    await this.intake.close();
    await this.pusher?.close();
    await this.decoder?.close();
    this.store.close();
  }
}
