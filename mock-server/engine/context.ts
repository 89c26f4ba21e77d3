/**
 * What the operation handlers, the OI actions and the intake share: the profile, the store, the
 * clock, the writer, the refusals, and the hooks back into the engine (timers, intake).
 */
import type { OperationDef, ProfileIndex } from '../../src/profile/index.ts';
import type { DecodedMessage } from '../../src/soap/model.ts';
import type { MessageWriter } from '../../src/soap/write.ts';
import type { TicketRecord, TicketStore } from '../store/types.ts';
import type { Clock } from './clock.ts';
import type { EngineFields } from './fields.ts';
import type { Inventory } from './inventory.ts';
import type { Refusals } from './refusals.ts';
import type { Behaviour, OcAccount } from './types.ts';

export interface EngineContext {
  readonly index: ProfileIndex;
  readonly f: EngineFields;
  readonly codes: ProfileIndex['profile']['returnCodes'];
  readonly store: TicketStore;
  readonly clock: Clock;
  readonly writer: MessageWriter;
  readonly refusals: Refusals;
  readonly inventory: Inventory;
  readonly oiSiren: string;
  readonly oiName: string;
  readonly keyPrefix: string;
  behaviour(): Behaviour;
  /** (Re)computes a ticket's automatic-behaviour timer. */
  schedule(t: TicketRecord): void;
  /** Queues the intake checks of a new ticket, to run after its create is answered. */
  queueIntake(key: string): void;
}

/** An authenticated request of the OC, decoded, on its way to its operation's handler. */
export interface OcRequest {
  op: OperationDef;
  decoded: DecodedMessage;
  account: OcAccount;
  /** The body as received, for the ticket's history. */
  raw: Uint8Array;
}
