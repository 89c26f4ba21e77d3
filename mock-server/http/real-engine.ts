/**
 * The real engine behind the transport: a validated config turned into createEngine() options.
 * Kept apart from mock-server/index.ts so that the CLI does not load msw.
 */

import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { configSource, readPem } from '../config/load.ts';
import type { MockConfig, PushConfig } from '../config/schema.ts';
import {
  createEngine,
  type EngineAccount,
  type EngineOptions,
  type LocalMockEngine,
} from '../engine/index.ts';
import type { Behaviour, PushTarget } from '../engine/types.ts';
import { engineLogger } from './logger.ts';
import { type EngineFactory, type RunningMock, startWithEngine } from './start.ts';

/** A validated `push` block (top-level or an account's) as the engine's target; `key` names it in errors. */
function pushTarget(config: MockConfig, p: PushConfig, key: string): PushTarget {
  return {
    url: p.url,
    login: p.login,
    password: p.password,
    insecure: p.insecure,
    maxRetries: p.maxRetries,
    backoffMs: p.backoffMs,
    timeoutMs: p.timeoutMs,
    ...(p.ca ? { ca: readPem(p.ca, `${key}.ca`, configSource(config, `${key}.ca`)) } : {}),
  };
}

/** The accounts with their own push target, if any. */
const engineAccounts = (config: MockConfig): EngineAccount[] =>
  config.accounts.map(({ push, ...a }, i) => ({
    ...a,
    ...(push ? { push: pushTarget(config, push, `accounts[${i}].push`) } : {}),
  }));

/**
 * Accounts whose tickets are not pushed while others' are: said once at start, as the deliveries
 * view shows nothing for them.
 */
function warnUnpushed(config: MockConfig, logger: Logger): void {
  if (config.push || !config.accounts.some((a) => a.push)) return;
  config.accounts.forEach((a, i) => {
    if (a.push || config.accounts.some((b) => b.siren === a.siren && b.push)) return;
    logger.warn(
      `push: accounts[${i}] (${a.login}, siren ${a.siren}) has no push target (neither accounts[${i}].push nor push): ` +
        "the OI's actions on its tickets are stored, not pushed",
    );
  });
}

/** The engine a validated config describes. SOAP exchanges are logged by the transport; push lines here. */
export const engineFactory = (ctx: Parameters<EngineFactory>[0]): LocalMockEngine =>
  createEngine(engineOptions(ctx));

/** The server's engine: the same, with requests decoded on worker threads (config decodeWorkers). */
const serverEngineFactory = (ctx: Parameters<EngineFactory>[0]): LocalMockEngine =>
  createEngine({ ...engineOptions(ctx), decodeWorkers: decodeWorkers(ctx.config) });

/** 'auto': one worker per spare core, at most two. */
export const decodeWorkers = (config: Pick<MockConfig, 'decodeWorkers'>): number =>
  config.decodeWorkers === 'auto'
    ? Math.min(2, Math.max(0, availableParallelism() - 1))
    : config.decodeWorkers;

const engineOptions = ({ config, index, logger }: Parameters<EngineFactory>[0]): EngineOptions => {
  warnUnpushed(config, logger);
  return {
    index,
    accounts: engineAccounts(config),
    oiSiren: config.oiSiren,
    oiName: config.oiName,
    store: config.memory ? 'memory' : { dataDir: config.dataDir },
    behaviour: config.behaviour as Partial<Behaviour>,
    ...(config.push ? { push: pushTarget(config, config.push, 'push') } : {}),
    inventory: config.inventory.csv
      ? { csv: config.inventory.csv }
      : { count: config.inventory.count, seed: config.inventory.seed },
    logger: engineLogger(logger),
    loginRateLimit: { maxFailures: config.limits.loginMaxFailures, windowMs: config.limits.loginWindowMs },
  };
};

/** Starts the mock from a validated config (the CLI's path). */
export function startFromConfig(config: MockConfig, logger: Logger): Promise<RunningMock<LocalMockEngine>> {
  return startWithEngine(config, serverEngineFactory, logger);
}
