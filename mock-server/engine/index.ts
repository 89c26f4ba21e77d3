/**
 * The mock OI's engine: `createEngine(options)` gives the {@link MockEngine} the transport serves.
 * Tickets, history and deliveries live in the store; on creation the engine resumes what a previous
 * run left (intake checks, automatic timers, pending deliveries).
 */
import { defaultIndex } from '../../src/profile/index.ts';
import { isSirenShape } from '../../src/rules/index.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import type { TicketStore } from '../store/types.ts';
import { Authenticator, DEFAULT_RATE_LIMIT } from './auth.ts';
import { Automation, DEFAULT_BEHAVIOUR } from './automation.ts';
import { validateBehaviour } from './behaviour.ts';
import { systemClock } from './clock.ts';
import { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { FaultInjector } from './faults.ts';
import { engineFields } from './fields.ts';
import { Inventory } from './inventory.ts';
import {
  DEFAULT_KEY_PREFIX,
  DEFAULT_OI_NAME,
  DEFAULT_OI_SIREN,
  DEMO_ACCOUNTS,
  type EngineOptions,
} from './options.ts';
import { Pusher, PushRoutes } from './push.ts';
import type { MockEngine } from './types.ts';

export { DEFAULT_BEHAVIOUR } from './automation.ts';
export { type Clock, type ManualClock, manualClock, systemClock } from './clock.ts';
export { EngineError, isEngineError } from './errors.ts';
export { redactPassword } from './history.ts';
export { generateInventory, Inventory, type InventoryOptions, inventoryFromCsv } from './inventory.ts';
export * from './options.ts';
export type * from './types.ts';

/** The engine with what in-process users (tests, startMock) need beyond the transport contract. */
export interface LocalMockEngine extends MockEngine {
  /** Resolves once the intake checks of answered creates have run and no delivery is pending. */
  settle(): Promise<void>;
  endLatencies(): void;
  /** The profile index the engine runs on. */
  readonly index: Engine['index'];
}

export function createEngine(options: EngineOptions = {}): LocalMockEngine {
  const index = options.index ?? defaultIndex();
  engineFields(index);
  const clock = options.clock ?? systemClock;
  const accounts = options.accounts ?? DEMO_ACCOUNTS;
  accounts.forEach((a, i) => {
    if (!a.login) throw new EngineError('invalid-argument', `accounts[${i}].login must not be empty`);
    if (!isSirenShape(a.siren))
      throw new EngineError('invalid-argument', `accounts[${i}].siren must be 9 digits, got "${a.siren}"`);
  });
  const oiSiren = options.oiSiren ?? DEFAULT_OI_SIREN;
  if (!isSirenShape(oiSiren))
    throw new EngineError('invalid-argument', `oiSiren must be 9 digits, got "${oiSiren}"`);
  const oiName = options.oiName ?? DEFAULT_OI_NAME;
  const behaviour = { ...DEFAULT_BEHAVIOUR, ...(options.behaviour ?? {}) };
  validateBehaviour(behaviour, index);
  const inventory =
    options.inventory instanceof Inventory ? options.inventory : Inventory.load(options.inventory);
  const store = openStore(options.store);
  try {
    const engine = new Engine({
      index,
      store,
      clock,
      auth: new Authenticator(accounts, clock, options.loginRateLimit ?? DEFAULT_RATE_LIMIT),
      inventory,
      faults: new FaultInjector(index.profile.operations.map((o) => o.name)),
      behaviour,
      oiSiren,
      oiName,
      keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
      schemaValidation: options.schemaValidation ?? true,
      decodeWorkers: options.decodeWorkers ?? 0,
      random: options.random ?? Math.random,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const automation = new Automation({
      index,
      clock,
      store,
      behaviour: () => engine.behaviour(),
      run: (key, step) => engine.runStep(key, step),
    });
    const routes = new PushRoutes(accounts, options.push);
    let pusher: Pusher | undefined;
    if (!routes.empty) {
      pusher = new Pusher({
        routes,
        store,
        index,
        writer: engine.writer,
        clock,
        log: (line) => engine.emit(line),
        ...(options.pushConcurrency ? { concurrency: options.pushConcurrency } : {}),
      });
    }
    engine.attach(automation, pusher);
    engine.resume();
    return engine;
  } catch (e) {
    store.close();
    throw e;
  }
}

function openStore(option: EngineOptions['store']): TicketStore {
  if (option === undefined || option === 'memory') return openSqliteStore();
  if ('transaction' in option) return option;
  return openSqliteStore(option);
}
