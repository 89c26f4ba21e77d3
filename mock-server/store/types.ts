/**
 * The mock OI's persistence contract. The engine talks only to this interface; the one
 * implementation is SQLite (a file in the data directory, or `:memory:` for tests).
 */
import type { Delivery, HistoryEntry, StoredTicket, TicketQuery } from '../engine/types.ts';

/**
 * The access a ticket is on, as the OI resolved it through its inventory when the ticket was
 * created (an inventory entry holds both references); as the OC sent it when the inventory does
 * not know it. Indexed: ERR04 and get by technicalId find a ticket whichever reference the OC used.
 */
export interface Access {
  technicalId: string | null;
  commercialId: string | null;
}

/** A ticket as stored: the public {@link StoredTicket} plus the engine's bookkeeping. */
export interface TicketRecord extends StoredTicket {
  /** Set at creation, never changed (the ticket's fields keep the references as the OC sent them). */
  access: Access;
  /** Row id: creation order, used to tell "the second ticket on this access" from the first. */
  id: number;
  /** false once the ticket's state is final (CLOSED): indexed, so open tickets are found without a scan. */
  open: boolean;
  /** When the ticket entered its current stage (creation, state change, OI action): the automatic behaviour's clock. */
  stageAt: string;
  /** The OI's intake checks (inventory ERR01, duplicate access ERR04) have run. */
  intakeDone: boolean;
}

/** A history entry to store; its request may be given as the UTF-8 bytes received (stored as text). */
export type NewHistoryEntry = Omit<HistoryEntry, 'seq' | 'requestXml'> & { requestXml: string | Uint8Array };

/** A delivery as stored: the ticket value it carries, so the request can be rebuilt on resend. */
export interface DeliveryRecord extends Delivery {
  ticketJson: string;
}

export type NewDelivery = Omit<DeliveryRecord, 'id'>;

export interface TicketStore {
  /**
   * Runs `fn` in one transaction (nested calls join the outer one); committed when it returns,
   * together with the open group commit if any. Called inside `grouped`, it commits with the group.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Runs `fn` atomically in the group commit of this event-loop turn (opened when needed): its
   * writes are visible at once on this connection and committed, with every other write of the
   * turn, at the end of the turn. Await {@link committed} before acknowledging them.
   */
  grouped<T>(fn: () => T): T;
  /** Resolves once every write made so far is committed; rejects when that commit failed. */
  committed(): Promise<void>;
  /** Commits the open group now (no-op when there is none, or inside a transaction). */
  flush(): void;
  /** True while a group commit holds writes not committed yet. */
  readonly pending: boolean;
  /** Next value of the persistent troubleTicketKey sequence (never reused, survives restarts and reset). */
  nextSequence(name: string): number;
  insertTicket(t: Omit<TicketRecord, 'id'>): TicketRecord;
  /**
   * Stores a ticket's new values. With `before` (the record as read), an update that leaves every
   * indexed column (state, open, intake, access references) unchanged skips the index maintenance.
   */
  updateTicket(t: TicketRecord, before?: TicketRecord): void;
  /** The ticket (recent ones from memory): the record is shared, callers must not modify it. */
  getTicket(key: string): TicketRecord | undefined;
  /**
   * The newest ticket of one OC on one access (open ones first when `openFirst`): a ticket whose
   * stored technicalId or commercialId is the access's (rows written before the access was
   * resolved hold only the reference the OC sent).
   */
  findByAccess(ocSiren: string, access: Access, openFirst: boolean): TicketRecord | undefined;
  /** The oldest open ticket of the OC on the same access (as findByAccess) created before `beforeId`. */
  findOpenOnAccess(ocSiren: string, access: Access, beforeId: number): TicketRecord | undefined;
  listTickets(query: TicketQuery): TicketRecord[];
  /** Open tickets, for rescheduling the automatic behaviour after a restart. */
  openTickets(): TicketRecord[];
  /** Tickets whose intake checks have not run (the process stopped between the answer and the checks). */
  pendingIntake(): TicketRecord[];
  /** How many tickets a search finds, whatever its limit and offset (all of them without criteria). */
  countTickets(query?: TicketQuery): number;
  addHistory(e: NewHistoryEntry): number;
  history(key: string): HistoryEntry[];
  addDelivery(d: NewDelivery): DeliveryRecord;
  updateDelivery(d: DeliveryRecord): void;
  /** The oldest pending delivery of a ticket (deliveries go out in order per ticket). */
  nextPendingDelivery(key: string): DeliveryRecord | undefined;
  /** Keys of tickets that have pending deliveries. */
  ticketsWithPendingDeliveries(): string[];
  deliveries(key?: string, limit?: number): DeliveryRecord[];
  countDeliveries(): { pending: number; delivered: number; failed: number };
  /** Removes tickets, history and deliveries; keeps the key sequence. */
  reset(): void;
  close(): void;
  /** Where the data lives (a file path, or `:memory:`). */
  readonly location: string;
}
