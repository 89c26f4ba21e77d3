/**
 * The mock OI: answers the OC's SOAP requests (R6), performs the OI's actions (R7) and keeps every
 * ticket, its history and its deliveries in the store. Everything the protocol says comes from the
 * profile and the rule engine; this class only sequences them.
 */
import { closureLabel, type OperationDef, type ProfileIndex } from '../../src/profile/index.ts';
import {
  type Answer,
  answerFor,
  CLIENT_CHOICE,
  checkMessage,
  checkTicket,
  codecErrorAnswer,
  faultChoiceFor,
  internalErrorAnswer,
  SERVER_CHOICE,
} from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { CodecError, isCodecError } from '../../src/soap/errors.ts';
import type { DecodedMessage, TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import type { DeliveryRecord, TicketRecord, TicketStore } from '../store/types.ts';
import type { Authenticator } from './auth.ts';
import { type Automation, hasTimedSteps, type Step } from './automation.ts';
import { type Clock, iso, sleep } from './clock.ts';
import { EngineError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { type EngineFields, engineFields } from './fields.ts';
import type { Inventory } from './inventory.ts';
import {
  closesWithCode,
  closureCodesFor,
  identifyAction,
  isOpenState,
  targetState,
  transitionFor,
} from './lifecycle.ts';
import { buildOiTicket, managedFields } from './oi-actions.ts';
import type { EngineLogger } from './options.ts';
import type { Pusher } from './push.ts';
import type {
  Behaviour,
  Counters,
  Delivery,
  ExchangeLog,
  FaultInjection,
  HistoryEntry,
  InventoryEntry,
  MockEngine,
  OcAccount,
  SoapAnswer,
  StoredTicket,
  TicketQuery,
} from './types.ts';

/** Closure codes of the OI's intake checks (§9: business refusals are asynchronous T6 closures). */
export const INTAKE_CODES = { unknownPto: 'ERR01', duplicateAccess: 'ERR04' } as const;

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
  random: () => number;
  logger?: EngineLogger;
}

/** A refusal answered as a normal response: returnCode 1/2 and a label naming the field. */
interface Refusal {
  code: string;
  label: string;
}

type Handled = { answer: SoapAnswer; log: Partial<ExchangeLog> };

const HTTP_OK = 200;
const HTTP_FAULT = 500;

/** Replaces the header password in stored XML: history is readable through the control API. */
export const redactPassword = (xml: string) =>
  xml.replace(/(<(?:[\w.-]+:)?Password\b[^>]*>)[^<]*(<\/(?:[\w.-]+:)?Password>)/g, '$1***$2');

export class Engine implements MockEngine {
  readonly index: ProfileIndex;
  readonly writer: MessageWriter;
  private readonly f: EngineFields;
  private readonly store: TicketStore;
  private readonly clock: Clock;
  private readonly codes: ProfileIndex['profile']['returnCodes'];
  private behaviourState: Behaviour;
  private automation!: Automation;
  private pusher: Pusher | undefined;
  private readonly intakeQueue = new Set<string>();
  private intakeTick: Promise<void> | undefined;
  private closed = false;
  private stats = emptyStats();
  private readonly validator;

  constructor(private readonly parts: EngineParts) {
    this.index = parts.index;
    this.writer = new MessageWriter(parts.index);
    this.f = engineFields(parts.index);
    this.store = parts.store;
    this.clock = parts.clock;
    this.codes = parts.index.profile.returnCodes;
    this.behaviourState = { ...parts.behaviour };
    this.validator = parts.schemaValidation ? schemaValidator(parts.index.profile) : undefined;
  }

  /** Wires the collaborators that need the engine itself (timers call back into it). */
  attach(automation: Automation, pusher: Pusher | undefined): void {
    this.automation = automation;
    this.pusher = pusher;
  }

  /** Resumes what a previous run left: intake checks, automatic timers, pending deliveries. */
  resume(): void {
    for (const t of this.store.pendingIntake()) this.queueIntake(t.troubleTicketKey);
    this.automation.rescheduleAll();
    if (this.pusher) for (const key of this.store.ticketsWithPendingDeliveries()) this.pusher.enqueue(key);
  }

  // ---------------------------------------------------------------- SOAP

  async handleSoap(raw: Uint8Array, meta: { soapAction?: string; remote?: string }): Promise<SoapAnswer> {
    const started = performance.now();
    let operation = this.operationFromSoapAction(meta.soapAction);
    let handled: Handled;
    try {
      if (this.closed) throw new EngineError('closed', 'the mock is shutting down');
      let decoded: DecodedMessage | undefined;
      let codecError: CodecError | undefined;
      try {
        decoded = readMessage(raw, this.index, this.validator ? { validator: this.validator } : {});
        operation = decoded.operation ?? operation;
      } catch (e) {
        if (!isCodecError(e)) throw e;
        codecError = e;
      }
      const injected = await this.injectFault(operation);
      if (injected?.handled) handled = injected.handled;
      else if (codecError) handled = this.faultAnswer(operation, codecErrorAnswer(codecError, this.index));
      else handled = this.dispatch(decoded!, raw);
      if (injected?.rule && (injected.rule.dropConnection || injected.rule.truncateResponse)) {
        handled.answer.inject = {
          ...(injected.rule.dropConnection ? { dropConnection: true } : {}),
          ...(injected.rule.truncateResponse ? { truncateResponse: true } : {}),
        };
      }
    } catch (e) {
      this.logInternal(e);
      handled = this.faultAnswer(operation, internalErrorAnswer(e, this.index));
    }
    const log: ExchangeLog = {
      operation: operation?.name ?? 'unknown',
      ...handled.log,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    handled.answer.log = log;
    this.count(log);
    this.emit(log);
    return handled.answer;
  }

  private operationFromSoapAction(action: string | undefined): OperationDef | undefined {
    if (!action) return undefined;
    const name = action.trim().replace(/^"|"$/g, '').split(/[/#]/).pop() ?? '';
    return this.index.operation.get(name);
  }

  /** Fault injection: latency, then a SOAP fault or an HTTP error instead of processing. */
  private async injectFault(
    operation: OperationDef | undefined,
  ): Promise<{ rule: FaultInjection; handled?: Handled } | undefined> {
    const rule = this.parts.faults.take(operation?.name);
    if (!rule) return undefined;
    if (rule.latencyMs) await sleep(this.clock, rule.latencyMs);
    if (rule.httpStatus) {
      const body = `injected HTTP ${rule.httpStatus}`;
      return {
        rule,
        handled: {
          answer: { status: rule.httpStatus, body, log: blankLog() },
          log: { fault: `HTTP ${rule.httpStatus}` },
        },
      };
    }
    if (rule.soapFaultRate && this.parts.random() < rule.soapFaultRate) {
      return {
        rule,
        handled: this.faultAnswer(operation, {
          kind: 'fault',
          faultcode: 'Server',
          faultstring: 'injected fault: the OI is temporarily unable to process the request',
          choice: SERVER_CHOICE,
        }),
      };
    }
    return { rule };
  }

  private dispatch(decoded: DecodedMessage, raw: Uint8Array): Handled {
    const op = decoded.operation;
    if (decoded.direction !== 'request' || !op) {
      const what = decoded.direction === 'fault' ? 'a SOAP Fault' : `a ${op?.response ?? 'response'} element`;
      const error = new CodecError(
        'UNKNOWN_OPERATION',
        `the Body holds ${what}: this service accepts requests only`,
      );
      return this.faultAnswer(op, codecErrorAnswer(error, this.index));
    }
    const auth = this.parts.auth.authenticate(decoded.credentials);
    if (!auth.ok) {
      const faultstring =
        auth.reason === 'missing'
          ? 'authentication required: the SOAP Header must carry hdr:TroubleTicketHeaderRequest with LoginName and Password'
          : auth.reason === 'locked'
            ? `too many failed logins for "${auth.login}": refused for ${Math.ceil((auth.retryAfterMs ?? 0) / 1000)} s more`
            : 'authentication failed: unknown LoginName or wrong Password';
      const h = this.faultAnswer(op, {
        kind: 'fault',
        faultcode: 'Client',
        faultstring,
        choice: CLIENT_CHOICE,
      });
      if (auth.login !== undefined) h.log.oc = auth.login;
      return h;
    }
    const account = auth.account;
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
    let h: Handled;
    switch (op.kind) {
      case 'create':
        h = this.create(op, decoded, account, text);
        break;
      case 'set':
        h = this.set(op, decoded, account, text);
        break;
      case 'get':
        h = this.get(op, decoded, account, text);
        break;
      default:
        h = this.meta(op, decoded);
    }
    h.log.oc = account.login;
    return h;
  }

  // ---------------------------------------------------------------- create (T1)

  private create(op: OperationDef, decoded: DecodedMessage, account: OcAccount, text: string): Handled {
    if (decoded.body.kind !== 'createRequest') return this.faultAnswer(op, badBody(this.index));
    const ticket = decoded.body.ticket;
    const outcome = checkMessage(decoded, this.index, { sender: 'OC' });
    const answer = answerFor(outcome.findings, this.index);
    if (answer.kind === 'fault') return this.faultAnswer(op, answer);
    const action =
      outcome.action ?? identifyAction(this.index, op.name, ticket, 'OC', null, this.f.description);
    const t = action && (outcome.transition ?? transitionFor(this.index, action, null));
    const refusal =
      refusalOf(answer) ??
      this.identityRefusal(ticket, account) ??
      (!action || !t || t.actor !== 'OC' || t.to === 'unchanged'
        ? this.refuse(
            this.f.description,
            `« ${ticket[this.f.description] ?? ''} » n est pas une création de ticket`,
            'ACTION',
            '§7',
            'interop',
          )
        : undefined);
    if (refusal) return this.ticketAnswer(op, null, refusal);
    const now = iso(this.clock.now());
    let responseXml = '';
    const record = this.store.transaction(() => {
      const key = this.newKey();
      responseXml = this.writer.response(op.name, { troubleTicketKey: key, returnCode: this.codes.success });
      const state = t!.to as string;
      const rec = this.store.insertTicket({
        troubleTicketKey: key,
        ocSiren: this.ownerOf(ticket, account),
        state,
        open: isOpenState(this.index, state),
        lastUpdateVersionNumber: this.index.settings.initialVersionNumber,
        fields: this.merge({}, ticket),
        createdAt: now,
        updatedAt: now,
        stageAt: now,
        // Nothing to check at intake: done at once, which spares a write per create.
        intakeDone: !this.behaviourState.rejectUnknownPto && !this.behaviourState.rejectDuplicateAccess,
      });
      this.store.addHistory({
        troubleTicketKey: key,
        at: now,
        direction: 'in',
        actor: 'OC',
        operation: op.name,
        action: action!.id,
        transition: t!.id,
        returnCode: this.codes.success,
        requestXml: redactPassword(text),
        responseXml,
        stateAfter: state,
      });
      return rec;
    });
    // Committed: the answer may leave. Business refusals (ERR01/ERR04) come after it, as OI actions.
    if (record.intakeDone) this.automation.schedule(record);
    else this.queueIntake(record.troubleTicketKey);
    return {
      answer: { status: HTTP_OK, body: responseXml, log: blankLog() },
      log: { troubleTicketKey: record.troubleTicketKey, returnCode: this.codes.success },
    };
  }

  private newKey(): string {
    const n = this.store.nextSequence('troubleTicketKey');
    return `${this.parts.keyPrefix}${String(n).padStart(6, '0')}`;
  }

  /** The OC a new ticket belongs to: the authenticated account (its serviceProviderID without isolation). */
  private ownerOf(ticket: TicketValue, account: OcAccount): string {
    if (this.index.settings.ocIsolation) return account.siren;
    return ticket[this.f.serviceProviderID] ?? account.siren;
  }

  // ---------------------------------------------------------------- set (T2-T4)

  private set(op: OperationDef, decoded: DecodedMessage, account: OcAccount, text: string): Handled {
    if (decoded.body.kind !== 'setRequest') return this.faultAnswer(op, badBody(this.index));
    const ticket = decoded.body.ticket;
    const key = ticket[this.f.key] ?? null;
    const owned = key ? this.owned(this.store.getTicket(key), account) : undefined;
    const current = owned && { state: owned.state, lastUpdateVersionNumber: owned.lastUpdateVersionNumber };
    const outcome = checkMessage(decoded, this.index, { sender: 'OC', ...(current ? { current } : {}) });
    const answer = answerFor(outcome.findings, this.index);
    const record = (
      r: Refusal | undefined,
      extra: { action?: string; transition?: string } = {},
      responseXml?: string,
    ) => {
      if (!owned) return;
      this.store.addHistory({
        troubleTicketKey: owned.troubleTicketKey,
        at: iso(this.clock.now()),
        direction: 'in',
        actor: 'OC',
        operation: op.name,
        ...extra,
        returnCode: r ? r.code : this.codes.success,
        ...(r ? { returnLabel: r.label } : {}),
        requestXml: redactPassword(text),
        ...(responseXml !== undefined ? { responseXml } : {}),
        stateBefore: owned.state,
      });
    };
    if (answer.kind === 'fault') {
      const h = this.faultAnswer(op, answer);
      if (owned) this.store.addHistory(this.faultHistory(owned, op, text, h.answer.body));
      return h;
    }
    let refusal =
      refusalOf(answer) ??
      this.identityRefusal(ticket, account) ??
      (owned ? undefined : this.unknownKey(key));
    const action =
      owned &&
      (outcome.action ?? identifyAction(this.index, op.name, ticket, 'OC', owned.state, this.f.description));
    const t = owned && action && (outcome.transition ?? transitionFor(this.index, action, owned.state));
    if (!refusal && owned) {
      refusal =
        !action || !t || action.actor !== 'OC' || !t.from?.includes(owned.state)
          ? this.illegalTransition(ticket[this.f.description], owned.state)
          : this.staleVersion(ticket, owned);
    }
    if (refusal || !owned || !action || !t) {
      const r = refusal ?? this.unknownKey(key);
      const h = this.ticketAnswer(op, key, r);
      record(r, action ? { action: action.id } : {}, h.answer.body);
      return h;
    }
    const now = iso(this.clock.now());
    const state = targetState(t, owned.state);
    const fields = this.merge(owned.fields, ticket);
    const closure = closesWithCode(this.index, t);
    if (closure) {
      fields[this.f.closureCode] = closure.code;
      fields[this.f.closureLabel] = closureLabel(closure);
    }
    const open = isOpenState(this.index, state);
    if (!open) fields[this.f.interactionDateComplete] = now;
    const updated: TicketRecord = {
      ...owned,
      state,
      open,
      // The OC's own updates keep the version; the closure the OI sets itself (ERR07) is an OI update.
      lastUpdateVersionNumber: owned.lastUpdateVersionNumber + (closure ? 1 : 0),
      fields,
      updatedAt: now,
      stageAt: state !== owned.state ? now : owned.stageAt,
    };
    const responseXml = this.writer.response(op.name, {
      troubleTicketKey: owned.troubleTicketKey,
      returnCode: this.codes.success,
    });
    this.store.transaction(() => {
      this.store.updateTicket(updated);
      this.store.addHistory({
        troubleTicketKey: owned.troubleTicketKey,
        at: now,
        direction: 'in',
        actor: 'OC',
        operation: op.name,
        action: action.id,
        transition: t.id,
        returnCode: this.codes.success,
        requestXml: redactPassword(text),
        responseXml,
        stateBefore: owned.state,
        stateAfter: state,
      });
    });
    if (state !== owned.state || !open) this.automation.schedule(updated);
    return {
      answer: { status: HTTP_OK, body: responseXml, log: blankLog() },
      log: { troubleTicketKey: owned.troubleTicketKey, returnCode: this.codes.success },
    };
  }

  private faultHistory(owned: TicketRecord, op: OperationDef, text: string, responseXml: string) {
    return {
      troubleTicketKey: owned.troubleTicketKey,
      at: iso(this.clock.now()),
      direction: 'in' as const,
      actor: 'OC' as const,
      operation: op.name,
      requestXml: redactPassword(text),
      responseXml,
      stateBefore: owned.state,
    };
  }

  /** The ticket when the account may see it; another OC's ticket is treated exactly like an unknown one. */
  private owned(t: TicketRecord | undefined, account: OcAccount): TicketRecord | undefined {
    if (!t) return undefined;
    return !this.index.settings.ocIsolation || t.ocSiren === account.siren ? t : undefined;
  }

  /** Fields of a message merged over the ticket's: the engine keeps key, state and version itself. */
  private merge(base: TicketValue, message: TicketValue): TicketValue {
    const out: TicketValue = { ...base };
    const managed = managedFields(this.index);
    for (const [k, v] of Object.entries(message)) {
      if (managed.includes(k)) continue;
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return out;
  }

  // ---------------------------------------------------------------- get (R9)

  private get(op: OperationDef, decoded: DecodedMessage, account: OcAccount, text: string): Handled {
    if (decoded.body.kind !== 'getRequest') return this.faultAnswer(op, badBody(this.index));
    const g = decoded.body.get;
    const outcome = checkMessage(decoded, this.index, { sender: 'OC' });
    const answer = answerFor(outcome.findings, this.index);
    if (answer.kind === 'fault') return this.faultAnswer(op, answer);
    const requested = g.troubleTicketKey ?? null;
    const asValue: TicketValue = {};
    if (g.serviceProviderID !== undefined) asValue[this.f.serviceProviderID] = g.serviceProviderID;
    if (g.supplierID !== undefined) asValue[this.f.supplierID] = g.supplierID;
    let refusal = refusalOf(answer) ?? this.identityRefusal(asValue, account);
    let found: TicketRecord | undefined;
    if (!refusal) {
      if (requested) {
        found = this.owned(this.store.getTicket(requested), account);
        if (!found) refusal = this.unknownKey(requested);
      } else if (g.technicalId) {
        const owner = this.index.settings.ocIsolation
          ? account.siren
          : (g.serviceProviderID ?? account.siren);
        found = this.store.findByTechnicalId(
          owner,
          g.technicalId,
          this.index.settings.getByTechnicalIdOpenFirst,
        );
        if (!found) {
          refusal = this.refuse(
            this.f.technicalId,
            `aucun ticket de cet OC sur la PTO « ${g.technicalId} »`,
            'KEY.UNKNOWN',
            '§3',
            'spec',
          );
        }
      } else {
        refusal = {
          code: this.codes.missing,
          label: `${this.f.key} : troubleTicketKey ou technicalId est obligatoire (règle MANDATORY, spec 3.3.1 [spec])`,
        };
      }
    }
    if (refusal || !found) {
      const r = refusal ?? this.unknownKey(requested);
      const body = this.writer.getResponse({
        troubleTicketKey: requested,
        returnCode: r.code,
        returnLabel: r.label,
      });
      return {
        answer: { status: HTTP_OK, body, log: blankLog() },
        log: { ...(requested ? { troubleTicketKey: requested } : {}), returnCode: r.code },
      };
    }
    const value = this.filterAttrs(this.valueOf(found), g.attrNames);
    const body = this.writer.getResponse(
      { troubleTicketKey: found.troubleTicketKey, returnCode: this.codes.success },
      value,
    );
    this.store.addHistory({
      troubleTicketKey: found.troubleTicketKey,
      at: iso(this.clock.now()),
      direction: 'in',
      actor: 'OC',
      operation: op.name,
      returnCode: this.codes.success,
      requestXml: redactPassword(text),
      responseXml: body,
      stateBefore: found.state,
      stateAfter: found.state,
    });
    return {
      answer: { status: HTTP_OK, body, log: blankLog() },
      log: { troubleTicketKey: found.troubleTicketKey, returnCode: this.codes.success },
    };
  }

  /** The ticket as a TroubleTicketValue: its fields plus key, state and version. */
  private valueOf(t: TicketRecord): TicketValue {
    return {
      ...t.fields,
      [this.f.version]: String(t.lastUpdateVersionNumber),
      [this.f.key]: t.troubleTicketKey,
      [this.f.state]: t.state,
    };
  }

  /** attrNames: only the named fields (key and state always, the schema requires them); empty: all. */
  private filterAttrs(value: TicketValue, attrNames: string[] | undefined): TicketValue {
    if (!attrNames || attrNames.length === 0) return value;
    const wanted = new Set(attrNames.map((a) => this.index.field.get(a.trim())?.name ?? a.trim()));
    wanted.add(this.f.key);
    wanted.add(this.f.state);
    const out: TicketValue = {};
    for (const [k, v] of Object.entries(value)) if (wanted.has(k)) out[k] = v;
    return out;
  }

  // ---------------------------------------------------------------- meta (R8)

  private meta(op: OperationDef, decoded: DecodedMessage): Handled {
    const outcome = checkMessage(decoded, this.index, { sender: 'OC' });
    const answer = answerFor(outcome.findings, this.index);
    if (answer.kind === 'fault') return this.faultAnswer(op, answer);
    if (answer.kind === 'returnCode') {
      return this.faultAnswer(op, {
        kind: 'fault',
        faultcode: 'Client',
        faultstring: answer.label,
        choice: CLIENT_CHOICE,
      });
    }
    const m = op.meta!;
    if (m.requestChild) {
      const given = decoded.body.kind === 'metaRequest' ? decoded.body.eventType : undefined;
      if (given === undefined || !m.values.includes(given)) {
        return this.faultAnswer(op, {
          kind: 'fault',
          faultcode: 'Client',
          faultstring: `${m.requestChild} "${given ?? ''}" is unknown: this service publishes ${
            m.values.length ? m.values.join(', ') : 'no events'
          } (${this.index.profile.title})`,
          choice: CLIENT_CHOICE,
        });
      }
    }
    return {
      answer: { status: HTTP_OK, body: this.writer.metaResponse(op.name, m.values), log: blankLog() },
      log: {},
    };
  }

  // ---------------------------------------------------------------- refusals

  private refuse(field: string, explanation: string, rule: string, clause: string, basis: string): Refusal {
    return {
      code: this.codes.invalid,
      label: `${field} : ${explanation} (règle ${rule}, ${clause} [${basis}])`,
    };
  }

  /** A refusal resting on one of the profile's [decision] settings, labelled with that setting's basis. */
  private refuseBy(
    setting: keyof ProfileIndex['settings'],
    field: string,
    explanation: string,
    rule: string,
  ): Refusal {
    const b = this.index.profile.settingsBasis[setting];
    return this.refuse(field, explanation, rule, b.clause, b.basis);
  }

  /** serviceProviderID must be the authenticated OC's SIREN, supplierID this OI's (§3). */
  private identityRefusal(ticket: TicketValue, account: OcAccount): Refusal | undefined {
    const sp = ticket[this.f.serviceProviderID];
    if (this.index.settings.ocIsolation && typeof sp === 'string' && sp !== account.siren) {
      return this.refuseBy(
        'ocIsolation',
        this.f.serviceProviderID,
        `« ${sp} » n est pas le SIREN de l OC authentifié (${account.login})`,
        'OC.IDENTITY',
      );
    }
    const su = ticket[this.f.supplierID];
    if (typeof su === 'string' && su !== this.parts.oiSiren) {
      return this.refuse(
        this.f.supplierID,
        `« ${su} » n est pas le SIREN de cet OI (${this.parts.oiSiren})`,
        'OI.IDENTITY',
        '§3',
        'decision',
      );
    }
    return undefined;
  }

  /** Same answer for an unknown key and another OC's key (isolation, §3). */
  private unknownKey(key: string | null): Refusal {
    return this.refuseBy(
      'unknownKeyField',
      this.f.key,
      `aucun ticket « ${key ?? ''} » pour cet OC`,
      'KEY.UNKNOWN',
    );
  }

  private illegalTransition(description: string | null | undefined, state: string): Refusal {
    return this.refuseBy(
      'illegalTransitionField',
      this.f.state,
      `l action « ${description ?? ''} » n est pas permise dans l état « ${state} »`,
      'TRANSITION',
    );
  }

  private staleVersion(ticket: TicketValue, owned: TicketRecord): Refusal | undefined {
    if (!this.index.settings.rejectStaleVersion) return undefined;
    const given = ticket[this.f.version];
    if (typeof given !== 'string' || !/^\s*[+-]?\d+\s*$/.test(given)) return undefined;
    if (Number(given) >= owned.lastUpdateVersionNumber) return undefined;
    return this.refuseBy(
      'staleVersionField',
      this.f.version,
      `« ${given.trim()} » est inférieur à la dernière version ${owned.lastUpdateVersionNumber} : une mise à jour de l OI a été manquée`,
      'VERSION.STALE',
    );
  }

  // ---------------------------------------------------------------- answers

  private ticketAnswer(op: OperationDef, key: string | null, r: Refusal): Handled {
    const body = this.writer.response(op.name, {
      troubleTicketKey: key,
      returnCode: r.code,
      returnLabel: r.label,
    });
    return {
      answer: { status: HTTP_OK, body, log: blankLog() },
      log: { ...(key ? { troubleTicketKey: key } : {}), returnCode: r.code },
    };
  }

  private faultAnswer(op: OperationDef | undefined, a: Extract<Answer, { kind: 'fault' }>): Handled {
    const choice = faultChoiceFor(a, op);
    const body = this.writer.fault({
      faultcode: a.faultcode,
      faultstring: a.faultstring,
      ...(op ? { exception: op.exception, choice } : {}),
      message: a.finding?.message ?? a.faultstring,
    });
    return { answer: { status: HTTP_FAULT, body, log: blankLog() }, log: { fault: a.faultcode } };
  }

  // ---------------------------------------------------------------- OI actions (R7)

  async triggerOiAction(
    key: string,
    action: string,
    fields?: TicketValue,
  ): Promise<{ ticket: StoredTicket; returnCode: string; returnLabel?: string }> {
    return this.applyOiAction(key, action, fields);
  }

  /** Applies an R7 action now: validated like any OI message, stored, pushed, rescheduled. */
  applyOiAction(
    key: string,
    actionId: string,
    overrides?: TicketValue,
  ): { ticket: StoredTicket; returnCode: string; returnLabel?: string } {
    if (this.closed) throw new EngineError('closed', 'the mock is shutting down');
    const rec = this.store.getTicket(key);
    if (!rec) throw new EngineError('unknown-ticket', `no ticket ${key}`);
    const action = this.index.action.get(actionId);
    const oiActions = this.index.activeActions.filter((a) => a.actor === 'OI').map((a) => a.id);
    if (!action || !oiActions.includes(actionId)) {
      throw new EngineError(
        'unknown-action',
        `unknown OI action "${actionId}" (known: ${oiActions.join(', ')})`,
      );
    }
    const t = transitionFor(this.index, action, rec.state);
    if (!t) {
      const r = this.refuseBy(
        'illegalTransitionField',
        this.f.state,
        `l action ${action.id} (${action.title}) n est pas permise dans l état « ${rec.state} »`,
        'TRANSITION',
      );
      return { ticket: publicTicket(rec), returnCode: r.code, returnLabel: r.label };
    }
    const nowMs = this.clock.now();
    const now = iso(nowMs);
    const state = targetState(t, rec.state);
    const open = isOpenState(this.index, state);
    const value = buildOiTicket({
      index: this.index,
      action,
      transition: t,
      key,
      ocSiren: rec.ocSiren,
      oiSiren: this.parts.oiSiren,
      oiName: this.parts.oiName,
      state,
      version: rec.lastUpdateVersionNumber + 1,
      now: nowMs,
      ...(overrides ? { overrides } : {}),
    });
    if (!open) value[this.f.interactionDateComplete] = now;
    const outcome = checkTicket(value, 'setTroubleTicketByValue', this.index, {
      sender: 'OI',
      current: { state: rec.state, lastUpdateVersionNumber: rec.lastUpdateVersionNumber },
    });
    const answer = answerFor(outcome.findings, this.index);
    if (answer.kind !== 'ok') {
      return {
        ticket: publicTicket(rec),
        returnCode: answer.kind === 'returnCode' ? answer.code : this.codes.invalid,
        returnLabel: answer.kind === 'returnCode' ? answer.label : answer.faultstring,
      };
    }
    const updated: TicketRecord = {
      ...rec,
      state,
      open,
      lastUpdateVersionNumber: rec.lastUpdateVersionNumber + 1,
      fields: this.merge(rec.fields, value),
      updatedAt: now,
      stageAt: now,
    };
    const requestXml = redactPassword(
      this.writer.setRequest(value, this.pusher ? this.pushCredentials() : undefined),
    );
    this.store.transaction(() => {
      this.store.updateTicket(updated);
      this.store.addHistory({
        troubleTicketKey: key,
        at: now,
        direction: 'push',
        actor: 'OI',
        operation: 'setTroubleTicketByValue',
        action: action.id,
        transition: t.id,
        requestXml,
        stateBefore: rec.state,
        stateAfter: state,
      });
      if (this.pusher) {
        this.store.addDelivery({
          troubleTicketKey: key,
          action: action.id,
          ticketJson: JSON.stringify(value),
          requestXml,
          status: 'pending',
          attempts: 0,
          createdAt: now,
          updatedAt: now,
        });
      }
    });
    this.pusher?.enqueue(key);
    this.automation.schedule(updated);
    return { ticket: publicTicket(updated), returnCode: this.codes.success };
  }

  private pushCredentials(): { login: string; password: string } | undefined {
    return this.pushTarget && { login: this.pushTarget.login, password: this.pushTarget.password };
  }

  /** Set by createEngine when a push target is configured. */
  pushTarget: { login: string; password: string } | undefined;

  /** Runs an automatic step; a step the rules refuse is logged and not retried. */
  runStep(key: string, step: Step): void {
    try {
      const r = this.applyOiAction(key, step.action, step.fields);
      if (r.returnCode !== this.codes.success) {
        this.warn(`automatic ${step.action} on ${key} refused: ${r.returnLabel ?? r.returnCode}`);
      }
    } catch (e) {
      this.logInternal(e);
    }
  }

  // ---------------------------------------------------------------- intake (ERR01, ERR04)

  private queueIntake(key: string): void {
    if (this.closed) return;
    this.intakeQueue.add(key);
    this.intakeTick ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.intakeTick = undefined;
        try {
          const keys = [...this.intakeQueue];
          this.intakeQueue.clear();
          for (const k of keys) this.intake(k);
        } finally {
          resolve();
        }
      });
    });
  }

  /** The OI's checks on a new ticket, after the create was answered: inventory, then duplicate access. */
  private intake(key: string): void {
    if (this.closed) return;
    try {
      this.store.transaction(() => {
        const rec = this.store.getTicket(key);
        if (!rec || rec.intakeDone) return;
        const b = this.behaviourState;
        const access = {
          technicalId: rec.fields[this.f.technicalId] ?? undefined,
          commercialId: rec.fields[this.f.commercialId] ?? undefined,
        } as { technicalId?: string; commercialId?: string };
        let code: string | undefined;
        if (b.rejectUnknownPto && !this.parts.inventory.knows(access)) code = INTAKE_CODES.unknownPto;
        else if (b.rejectDuplicateAccess && this.store.findOpenOnAccess(rec.ocSiren, access, rec.id)) {
          code = INTAKE_CODES.duplicateAccess;
        }
        const done = { ...rec, intakeDone: true };
        this.store.updateTicket(done);
        if (!code) {
          this.automation.schedule(done);
          return;
        }
        const r = this.applyOiAction(key, 'oi.rejection', { [this.f.closureCode]: code });
        if (r.returnCode !== this.codes.success)
          this.warn(`intake rejection ${code} of ${key} refused: ${r.returnLabel}`);
      });
    } catch (e) {
      this.logInternal(e);
    }
  }

  /** Resolves once queued intake checks have run and no delivery is pending (tests, graceful stop). */
  async settle(): Promise<void> {
    for (;;) {
      if (this.intakeTick) {
        await this.intakeTick;
        continue;
      }
      if (this.pusher) await this.pusher.idle();
      if (!this.intakeTick) return;
    }
  }

  // ---------------------------------------------------------------- control

  listTickets(query: TicketQuery): StoredTicket[] {
    return this.store.listTickets(query).map(publicTicket);
  }

  getTicket(
    key: string,
  ): { ticket: StoredTicket; history: HistoryEntry[]; deliveries: Delivery[] } | undefined {
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
    const next = { ...this.behaviourState };
    for (const [k, v] of Object.entries(patch ?? {})) {
      if (!(k in next)) {
        throw new EngineError(
          'invalid-argument',
          `behaviour.${k} is not a behaviour key (known: ${Object.keys(next).join(', ')})`,
        );
      }
      (next as Record<string, unknown>)[k] = v;
    }
    validateBehaviour(next, this.index);
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
    return this.store.deliveries().map(publicDelivery);
  }

  counters(): Counters {
    return {
      requests: this.stats.requests,
      faults: this.stats.faults,
      byOperation: { ...this.stats.byOperation },
      byReturnCode: { ...this.stats.byReturnCode },
      tickets: this.store.countTickets(),
      deliveries: this.store.countDeliveries(),
    };
  }

  /** Clears tickets, history, deliveries, counters and login failures; keeps the key sequence and the configuration. */
  reset(): void {
    this.automation.clear();
    this.intakeQueue.clear();
    this.store.reset();
    this.parts.auth.reset();
    this.stats = emptyStats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.automation.stop();
    if (this.intakeTick) await this.intakeTick;
    await this.pusher?.close();
    this.store.close();
  }

  // ---------------------------------------------------------------- logs and counters

  private count(log: ExchangeLog): void {
    const s = this.stats;
    s.requests++;
    if (log.fault) s.faults++;
    s.byOperation[log.operation] = (s.byOperation[log.operation] ?? 0) + 1;
    if (log.returnCode !== undefined)
      s.byReturnCode[log.returnCode] = (s.byReturnCode[log.returnCode] ?? 0) + 1;
  }

  emit(line: ExchangeLog): void {
    const logger = this.parts.logger;
    if (!logger) return;
    if (typeof logger === 'function') logger(line);
    else if (line.error) logger.warn(line, line.direction === 'push' ? 'push attempt failed' : 'exchange');
    else logger.info(line, line.direction === 'push' ? 'push' : 'exchange');
  }

  private warn(message: string): void {
    const logger = this.parts.logger;
    if (logger && typeof logger !== 'function') logger.warn(message);
  }

  private logInternal(e: unknown): void {
    const logger = this.parts.logger;
    if (logger && typeof logger !== 'function') logger.error({ err: e }, 'internal error');
  }
}

function emptyStats() {
  return {
    requests: 0,
    faults: 0,
    byOperation: {} as Record<string, number>,
    byReturnCode: {} as Record<string, number>,
  };
}

const blankLog = (): ExchangeLog => ({ operation: 'unknown', durationMs: 0 });

function refusalOf(a: Answer): Refusal | undefined {
  return a.kind === 'returnCode' ? { code: a.code, label: a.label } : undefined;
}

function badBody(index: ProfileIndex): Extract<Answer, { kind: 'fault' }> {
  return codecErrorAnswer(
    new CodecError('BAD_STRUCTURE', 'the operation element does not hold the expected request'),
    index,
  );
}

export function publicTicket(t: TicketRecord): StoredTicket {
  return {
    troubleTicketKey: t.troubleTicketKey,
    ocSiren: t.ocSiren,
    state: t.state,
    lastUpdateVersionNumber: t.lastUpdateVersionNumber,
    fields: t.fields,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

function publicDelivery(d: DeliveryRecord): Delivery {
  const { ticketJson: _t, ...rest } = d;
  return rest;
}

const nullableMs = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

/** Checks a behaviour; the message names the key and the problem. */
export function validateBehaviour(b: Behaviour, index: ProfileIndex): void {
  const bad = (key: keyof Behaviour, problem: string) => {
    throw new EngineError('invalid-argument', `behaviour.${key} ${problem}, got ${JSON.stringify(b[key])}`);
  };
  for (const k of ['takeInChargeAfterMs', 'planAfterMs', 'resolveAfterMs'] as const) {
    if (!nullableMs(b[k])) bad(k, 'must be a number of milliseconds ≥ 0 or null');
  }
  if (!nullableMs(b.cancellationAnswerAfterMs) || b.cancellationAnswerAfterMs === null) {
    bad('cancellationAnswerAfterMs', 'must be a number of milliseconds ≥ 0');
  }
  for (const k of ['rejectUnknownPto', 'rejectDuplicateAccess'] as const) {
    if (typeof b[k] !== 'boolean') bad(k, 'must be true or false');
  }
  if (!['agree', 'refuse', 'none'].includes(b.cancellationAnswer))
    bad('cancellationAnswer', 'must be agree, refuse or none');
  const resolution = index.action.get('oi.resolution');
  const t = resolution && index.transition.get(resolution.transitions[0]!);
  const allowed = t ? closureCodesFor(index, t) : [];
  if (!allowed.some((c) => c.code === b.resolveWith)) {
    bad('resolveWith', `must be a resolution closure code (${allowed.map((c) => c.code).join(', ')})`);
  }
}
