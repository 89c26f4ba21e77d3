/** What `createEngine` accepts, and the defaults of everything the caller leaves out. */
import type { Logger } from 'pino';
import type { ProfileIndex } from '../../src/profile/index.ts';
import type { SqliteStoreOptions } from '../store/sqlite.ts';
import type { TicketStore } from '../store/types.ts';
import type { RateLimit } from './auth.ts';
import type { Clock } from './clock.ts';
import type { Inventory, InventoryOptions } from './inventory.ts';
import type { Behaviour, ExchangeLog, OcAccount, PushTarget } from './types.ts';

/**
 * The demo OC accounts: SIRENs from the protocol model's examples (§1), so their tickets pass every
 * SIREN rule. The second one exists to show isolation (an OC sees only its own tickets).
 */
export const DEMO_ACCOUNTS: OcAccount[] = [
  { login: 'demo-oc', password: 'demo-oc-password', siren: '380129866', name: 'OC de démonstration' },
  {
    login: 'demo-oc-2',
    password: 'demo-oc-2-password',
    siren: '421938861',
    name: 'Second OC de démonstration',
  },
];

/** The mock's own SIREN (supplierID), another example SIREN of §1. */
export const DEFAULT_OI_SIREN = '343059564';
export const DEFAULT_OI_NAME = 'OI de démonstration';
export const DEFAULT_KEY_PREFIX = 'TT-';

export type EngineLogger = Logger | ((line: ExchangeLog) => void);

/** An OC account with, optionally, its own endpoint for the OI's actions on its tickets (config `accounts[].push`). */
export type EngineAccount = OcAccount & { push?: PushTarget };

export interface EngineOptions {
  /** The protocol profile (default: SAV FTTH 2.1 with its default settings). */
  index?: ProfileIndex;
  /**
   * OC accounts allowed to call the mock (default {@link DEMO_ACCOUNTS}). An account's `push` is
   * where the OI's actions on that OC's tickets go; without one, `push` below.
   */
  accounts?: EngineAccount[];
  /** The OI's SIREN: every supplierID must be this (default 343059564). */
  oiSiren?: string;
  /** supplierName in the OI's actions (≤ 40 characters). */
  oiName?: string;
  /**
   * Where tickets live: a store, `{ dataDir }` (SQLite file in that directory), `{ file }`, or
   * `'memory'` (default).
   */
  store?: TicketStore | SqliteStoreOptions | 'memory';
  /** Automatic OI behaviour; unspecified keys take {@link DEFAULT_BEHAVIOUR}. */
  behaviour?: Partial<Behaviour>;
  /**
   * The default OC endpoint: the OI's actions on the tickets of every OC without its own
   * `accounts[].push` are pushed there. An OC with neither: its tickets' actions are only stored.
   */
  push?: PushTarget;
  /** Tickets whose deliveries are in flight at the same time (default 4). */
  pushConcurrency?: number;
  /** Inventory of PTO: entries, a CSV file or text, or generated (default 200 entries, seed 42). */
  inventory?: InventoryOptions | Inventory;
  clock?: Clock;
  /** One structured line per exchange (pino: `info`, or a function receiving the line). */
  logger?: EngineLogger;
  /** Random source of fault injection (tests). */
  random?: () => number;
  /** Login failures allowed per login (default 5 per 60 s). */
  loginRateLimit?: RateLimit;
  /** troubleTicketKey prefix (default `TT-`): keys are the prefix and a 6+ digit sequence number. */
  keyPrefix?: string;
  /** Validate request bodies against the profile's generated XSD (default true). */
  schemaValidation?: boolean;
  /**
   * Worker threads that decode requests (parse, XSD, typed reading) off the event loop (default 0:
   * decoded in the event loop). `sav-ftth mock` uses one per spare core.
   */
  decodeWorkers?: number;
}
