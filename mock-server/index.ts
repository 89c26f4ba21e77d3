/**
 * The mock OI in process, for an OC developer's own tests:
 *
 * - `startMock({ port: 0 })` starts the real server on a free port and returns its URLs, the OC
 *   accounts, the engine and `stop()`;
 * - `mockHandlers({ baseUrl })` returns msw 2 request handlers that answer for a fake OI URL
 *   without any socket (plus `engine` and `close()` on the returned array).
 *
 * Both take the same keys as the YAML configuration (mock-server/config/example.yaml).
 */
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config/load.ts';
import type { MockConfig, MockConfigInput } from './config/schema.ts';
import type { LocalMockEngine } from './engine/index.ts';
import { createLogger } from './http/logger.ts';
import { baseUrlProblem, type MockHandlerList, mswHandlers } from './http/msw.ts';
import { engineFactory } from './http/real-engine.ts';
import { indexFor, type RunningMock, startWithEngine } from './http/start.ts';

export { ConfigError, ENV_VARS, loadConfig } from './config/load.ts';
export type { AccountConfig, MockConfig, MockConfigInput } from './config/schema.ts';
export type { LocalMockEngine } from './engine/index.ts';
export type * from './engine/types.ts';
export type { MockHandlerList } from './http/msw.ts';
export { engineFactory, startFromConfig } from './http/real-engine.ts';
export type { RunningMock } from './http/start.ts';

/** startMock()/mockHandlers() options: any configuration key, plus a logger of your own. */
export type StartMockOptions = Partial<MockConfigInput> & {
  /** pino logger; default: silent (the CLI logs to stdout). */
  logger?: Logger;
};

/** In-process defaults: any free port, in memory, silent, no environment variables read. */
function inProcessConfig(options: StartMockOptions): { config: MockConfig; logger: Logger } {
  const { logger, ...keys } = options;
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      memory: keys.dataDir === undefined,
      log: { level: 'silent' },
      ...keys,
      // HTTPS on any free port too, unless told otherwise.
      ...(keys.https ? { https: { port: 0, ...keys.https } } : {}),
    },
  });
  return { config, logger: logger ?? createLogger(config.log.level) };
}

/**
 * Starts the mock OI on 127.0.0.1 (port 0 by default: read `url`). Stop it with `await mock.stop()`.
 * Throws ConfigError naming the key of a bad option.
 */
export async function startMock(options: StartMockOptions = {}): Promise<RunningMock<LocalMockEngine>> {
  const { config, logger } = inProcessConfig(options);
  return startWithEngine(config, engineFactory, logger);
}

/**
 * msw 2 handlers answering as the mock OI at `baseUrl` (e.g. `https://oi.example.test`, or with a
 * path: `https://oi.example.test/api`): SOAP at `baseUrl + path`, WSDL/XSD, and the control API
 * under `baseUrl/_control`. Spread the result into `setupServer(...)`; call
 * `await handlers.close()` after the tests. Throws ConfigError naming the key of a bad option.
 */
export function mockHandlers(
  options: StartMockOptions & { baseUrl: string },
): MockHandlerList<LocalMockEngine> {
  const { baseUrl, ...rest } = options;
  const problem = baseUrlProblem(baseUrl);
  let loaded: ReturnType<typeof inProcessConfig>;
  try {
    loaded = inProcessConfig(rest);
  } catch (e) {
    // Every bad option in one error, baseUrl first.
    if (problem && e instanceof ConfigError) throw new ConfigError([problem, ...e.problems]);
    throw e;
  }
  if (problem) throw new ConfigError([problem]);
  const { config, logger } = loaded;
  const index = indexFor(config);
  const engine = engineFactory({ config, index, logger });
  return mswHandlers({ baseUrl, config, index, engine, logger });
}
