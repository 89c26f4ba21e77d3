/**
 * The contract between the mock OI's engine (tickets, life cycle, auth, push: mock-server/engine)
 * and its transport (HTTP/HTTPS server, control API, CLI: mock-server/http). The transport never
 * touches tickets directly; the engine never touches sockets.
 */
import type { TicketValue } from '../../src/soap/model.ts';

/** An OC account allowed to call the mock (config `accounts`). */
export interface OcAccount {
  login: string;
  password: string;
  /** The OC's SIREN: the account sees and changes only tickets whose serviceProviderID is this. */
  siren: string;
  name?: string;
}

/** The OC endpoint the mock pushes its R7 actions to (config `push`). */
export interface PushTarget {
  url: string;
  login: string;
  password: string;
  /** PEM of a CA to trust for an HTTPS endpoint. */
  ca?: string;
  /** Skip TLS verification (tests only). */
  insecure?: boolean;
  /** Retries after the first attempt, and the first backoff delay (doubles each time). */
  maxRetries: number;
  backoffMs: number;
  timeoutMs: number;
}

/** Automatic OI behaviour (config `behaviour`, control API `PUT /behaviour`). */
export interface Behaviour {
  /** Take every new QUEUED ticket in charge (T5) after this many ms; null: never. */
  takeInChargeAfterMs: number | null;
  /** After taking in charge, plan an appointment (T7) after this many ms; null: never. */
  planAfterMs: number | null;
  /** After planning, resolve (T9) with this closure code after this many ms; null: never. */
  resolveAfterMs: number | null;
  resolveWith: string;
  /** Reject (T6, ERR01) a ticket whose technicalId is not in the inventory. */
  rejectUnknownPto: boolean;
  /** Close (T6, ERR04) a new ticket when another one is open on the same access. */
  rejectDuplicateAccess: boolean;
  /** Answer a cancellation request (T3) with an agreement (T10) or a refusal (T11) after ms. */
  cancellationAnswer: 'agree' | 'refuse' | 'none';
  cancellationAnswerAfterMs: number;
}

/** Fault injection per operation (control API `PUT /faults`). */
export interface FaultInjection {
  operation: string | '*';
  latencyMs?: number;
  /** Probability (0..1) of answering with a SOAP Server fault. */
  soapFaultRate?: number;
  httpStatus?: 500 | 503;
  dropConnection?: boolean;
  truncateResponse?: boolean;
  /** Apply to the next N matching requests only; unlimited when absent. */
  times?: number;
}

export interface StoredTicket {
  troubleTicketKey: string;
  /** serviceProviderID of the owning OC. */
  ocSiren: string;
  state: string;
  lastUpdateVersionNumber: number;
  /** Every populated field, merged over the ticket's life. */
  fields: TicketValue;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntry {
  seq: number;
  troubleTicketKey: string;
  at: string;
  /** in: a request the mock received; push: an action the mock sent to the OC. */
  direction: 'in' | 'push';
  actor: 'OC' | 'OI';
  operation: string;
  action?: string;
  transition?: string;
  returnCode?: string;
  returnLabel?: string;
  requestXml: string;
  responseXml?: string;
  stateBefore?: string;
  stateAfter?: string;
}

export interface Delivery {
  id: number;
  troubleTicketKey: string;
  action: string;
  /**
   * The OC endpoint it goes to (its OC account's `push`, else the top-level `push`), as last
   * attempted; a password in the URL is masked. Absent when there is none to send it to.
   */
  targetUrl?: string;
  requestXml: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  responseXml?: string;
  returnCode?: string;
  createdAt: string;
  updatedAt: string;
}

export interface InventoryEntry {
  technicalId: string;
  commercialId: string;
  offerId: string;
  address?: string;
}

/** One structured log line per exchange. */
export interface ExchangeLog {
  operation: string;
  oc?: string;
  troubleTicketKey?: string;
  returnCode?: string;
  fault?: string;
  durationMs: number;
  /** in: a request the mock answered (default); push: one attempt to deliver an OI action to the OC. */
  direction?: 'in' | 'push';
  /** push: the login the mock presents to the OC's endpoint (`oc` is the OC's own account). */
  pushLogin?: string;
  /** push: attempt number (1 = first try). */
  attempt?: number;
  /** push: why the attempt failed. */
  error?: string;
  /** in: what fault injection did to this exchange (an operator tells an injected fault from a real one). */
  injected?: InjectedFault;
}

/** The parts of a fault injection rule that acted on one exchange. */
export type InjectedFault = Partial<
  Pick<FaultInjection, 'latencyMs' | 'httpStatus' | 'dropConnection' | 'truncateResponse'> & {
    soapFault: true;
  }
>;

export interface SoapAnswer {
  status: number;
  body: string;
  log: ExchangeLog;
  /** Transport-level fault injection the server must apply to this answer. */
  inject?: Pick<FaultInjection, 'dropConnection' | 'truncateResponse'>;
}

export interface TicketQuery {
  state?: string;
  ocSiren?: string;
  technicalId?: string;
  text?: string;
  limit?: number;
  offset?: number;
}

export interface Counters {
  requests: number;
  faults: number;
  byOperation: Record<string, number>;
  byReturnCode: Record<string, number>;
  tickets: number;
  deliveries: { pending: number; delivered: number; failed: number };
}

/**
 * Why a control method refused (thrown as `EngineError` from mock-server/engine/errors.ts):
 * unknown-ticket → 404, unknown-action / invalid-argument → 400, closed → 503.
 */
export type EngineErrorCode = 'unknown-ticket' | 'unknown-action' | 'invalid-argument' | 'closed';

/** The engine as the transport sees it. */
export interface MockEngine {
  /** Answers one SOAP request (raw body bytes); never throws. */
  handleSoap(raw: Uint8Array, meta: { soapAction?: string; remote?: string }): Promise<SoapAnswer>;
  listTickets(query: TicketQuery): StoredTicket[];
  /** How many tickets the query finds, whatever its limit and offset (paging). */
  countTickets(query: TicketQuery): number;
  getTicket(
    key: string,
  ): { ticket: StoredTicket; history: HistoryEntry[]; deliveries: Delivery[] } | undefined;
  /**
   * Performs an R7 action (e.g. `oi.takeInCharge`) with optional field overrides; returns the new
   * ticket. An action the ticket's state does not allow, or a value the rules refuse, gives
   * returnCode 1/2 with the label naming the field and leaves the ticket unchanged.
   * @throws EngineError unknown-ticket, unknown-action
   */
  triggerOiAction(
    key: string,
    action: string,
    fields?: TicketValue,
  ): Promise<{ ticket: StoredTicket; returnCode: string; returnLabel?: string }>;
  behaviour(): Behaviour;
  /** @throws EngineError invalid-argument (the message names the key) */
  setBehaviour(patch: Partial<Behaviour>): Behaviour;
  faults(): FaultInjection[];
  /** @throws EngineError invalid-argument (the message names the rule and key) */
  setFaults(faults: FaultInjection[]): void;
  inventory(): InventoryEntry[];
  deliveries(): Delivery[];
  counters(): Counters;
  reset(): void;
  /** The mock is stopping: requests waiting on an injected latency are answered now. */
  endLatencies?(): void;
  /** Stops timers and push workers and closes the store. */
  close(): Promise<void>;
}
