/**
 * `sav-ftth mock`: runs the stateful mock OI until SIGINT/SIGTERM. Prints the endpoint, WSDL and
 * control API URLs and the OC accounts at start; logs one JSON line per exchange (pino, stdout).
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, ENV_VARS, loadConfig } from '../../mock-server/config/load.ts';
import {
  DEFAULT_HOST,
  DEFAULT_HTTPS_PORT,
  DEFAULT_PORT,
  type MockConfig,
} from '../../mock-server/config/schema.ts';
import { DEMO_ACCOUNTS } from '../../mock-server/engine/options.ts';
import { createLogger } from '../../mock-server/http/logger.ts';
import type { ListenerInfo } from '../../mock-server/http/server.ts';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { isWildcardHost, type TlsMaterial } from '../../mock-server/http/tls.ts';
import { luhnValid } from '../rules/index.ts';
import { shownUrl } from '../soap/redact.ts';
import type { CliIo } from './commands.ts';

export const MOCK_USAGE = `Usage: sav-ftth mock [options]

Runs the stateful mock OI (SAV FTTH v2.1 over SOAP 1.1): tickets with their real life cycle,
OC accounts, push of the OI's actions to the OC, control API, SQLite persistence, HTTPS.

Options:
  --port <n>            HTTP port (default ${DEFAULT_PORT}; 0: any free port)
  --host <host>         address to bind (default ${DEFAULT_HOST}; beyond localhost the control API
                        needs a token: control.token or SAV_FTTH_CONTROL_TOKEN)
  --config <file>       YAML configuration (see mock-server/config/example.yaml)
  --data-dir <dir>      SQLite database and generated certificate (default ./data)
  --memory              keep tickets in memory only (nothing survives a restart)
  --https               also serve HTTPS (certificate from the config, or self-signed in the data dir)
  --https-port <n>      HTTPS port (default ${DEFAULT_HTTPS_PORT}); implies --https
  --control-port <n>    serve the control API on its own port instead of under /_control
  --log-level <level>   fatal, error, warn, info (default), debug, trace, silent
  -h, --help            show this help

Priority: flags > environment variables > config file > defaults. Environment variables:
  ${ENV_VARS.map((e) => e.name).join(', ')}
  and SAV_FTTH_CONFIG (the config file).
`;

type FlagValues = {
  port?: string;
  host?: string;
  config?: string;
  'data-dir'?: string;
  memory?: boolean;
  https?: boolean;
  'https-port'?: string;
  'control-port'?: string;
  'log-level'?: string;
  help?: boolean;
};

const asInt = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);

/** Flag values as config overrides, each naming its flag for error messages. */
function flagOverrides(v: FlagValues) {
  const flags: { path: (string | number)[]; value: unknown; source: string }[] = [];
  if (v.port !== undefined) flags.push({ path: ['port'], value: asInt(v.port), source: '--port' });
  if (v.host !== undefined) flags.push({ path: ['host'], value: v.host, source: '--host' });
  if (v['data-dir'] !== undefined)
    flags.push({ path: ['dataDir'], value: v['data-dir'], source: '--data-dir' });
  if (v.memory) flags.push({ path: ['memory'], value: true, source: '--memory' });
  if (v.https) flags.push({ path: ['https', 'enabled'], value: true, source: '--https' });
  if (v['https-port'] !== undefined) {
    flags.push({ path: ['https', 'port'], value: asInt(v['https-port']), source: '--https-port' });
    if (!v.https) flags.push({ path: ['https', 'enabled'], value: true, source: '--https-port' });
  }
  if (v['control-port'] !== undefined)
    flags.push({ path: ['control', 'port'], value: asInt(v['control-port']), source: '--control-port' });
  if (v['log-level'] !== undefined)
    flags.push({ path: ['log', 'level'], value: v['log-level'], source: '--log-level' });
  return flags;
}

/** The built-in demo accounts keep their (public) password on screen; configured ones do not. */
const isDemoAccount = (a: { login: string; password: string }) =>
  DEMO_ACCOUNTS.some((d) => d.login === a.login && d.password === a.password);
const HIDDEN_PASSWORD = '********';

/** What a listener is bound to, and for a wildcard bind, where this machine answers. */
function listening(l: ListenerInfo): string {
  const role = l.serves.soap ? [] : ['control API'];
  if (!isWildcardHost(l.host)) return `listening on ${l.origin}${role.length ? ` (${role[0]})` : ''}`;
  const bound = l.host.includes(':') && !l.host.startsWith('[') ? `[${l.host}]` : l.host;
  const notes = [...role, 'all interfaces', `this machine: ${l.scheme}://${hostname()}:${l.port}`];
  return `listening on ${l.scheme}://${bound}:${l.port} (${notes.join('; ')})`;
}

/** Where the HTTPS certificate comes from and the names it is valid for. */
function certificateLine(tls: TlsMaterial): string {
  const where = tls.certPath ?? 'generated in memory';
  const how = tls.source === 'regenerated' ? `regenerated: ${tls.reason}` : tls.source;
  const origin = tls.certPath ? ` (${how})` : '';
  return `  certificate     ${where}${origin}; valid for ${tls.names.join(', ') || 'no name (no subjectAltName)'}`;
}

/** The lines printed at start: where to point an OC client, and with which credentials. */
export function banner(mock: RunningMock): string[] {
  const c = mock.config;
  const lines = [
    `sav-ftth mock OI: profile ${mock.index.profile.id}, ${c.memory ? 'tickets in memory' : `data in ${c.dataDir}`}`,
  ];
  for (const l of mock.listeners) lines.push(listening(l));
  lines.push(`  SOAP endpoint   ${mock.url}`);
  if (mock.httpsUrl) lines.push(`  HTTPS endpoint  ${mock.httpsUrl}`);
  lines.push(`  WSDL            ${mock.wsdlUrl}`);
  if (mock.tls) lines.push(certificateLine(mock.tls));
  lines.push(
    `  control API     ${mock.controlUrl}${c.control.token ? ' (Authorization: Bearer <control.token>)' : ''}`,
  );
  lines.push(`  OI SIREN        ${c.oiSiren} (supplierID)`);
  if (c.push)
    lines.push(
      `  push to OC      ${shownUrl(c.push.url)}${c.accounts.some((a) => a.push) ? ' (OCs without their own)' : ''}`,
    );
  const password = (a: { login: string; password: string }) =>
    isDemoAccount(a) ? a.password : HIDDEN_PASSWORD;
  const hidden = mock.accounts.some((a) => !isDemoAccount(a));
  lines.push(
    `OC accounts (LoginName / Password / SIREN${hidden ? `; ${HIDDEN_PASSWORD}: the password of the configuration` : ''}):`,
  );
  const width = Math.max(...mock.accounts.map((a) => a.login.length));
  const pwWidth = Math.max(...mock.accounts.map((a) => password(a).length));
  for (const a of mock.accounts) {
    const own = c.accounts.find((x) => x.login === a.login)?.push;
    lines.push(
      `  ${a.login.padEnd(width)}  ${password(a).padEnd(pwWidth)}  ${a.siren}${a.name ? `  ${a.name}` : ''}${own ? `  push to ${shownUrl(own.url)}` : ''}`,
    );
  }
  lines.push('Press Ctrl+C to stop.');
  return lines;
}

/** Waits for SIGINT or SIGTERM (or `stopSignal`, for in-process runs). */
function waitForStop(stopSignal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    stopSignal?.addEventListener('abort', () => done('stop requested'), { once: true });
  });
}

export async function mockCommand(
  argv: string[],
  io: CliIo,
  options: { stopSignal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<number> {
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
        https: { type: 'boolean' },
        'https-port': { type: 'string' },
        'control-port': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`sav-ftth mock: ${(e as Error).message}`);
    io.err(MOCK_USAGE);
    return 2;
  }
  if (values.help) {
    io.out(MOCK_USAGE);
    return 0;
  }
  let config: MockConfig;
  try {
    config = loadConfig({
      ...(values.config !== undefined ? { file: values.config } : {}),
      env: options.env ?? process.env,
      flags: flagOverrides(values),
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`sav-ftth mock: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.log.level);
  for (const [i, a] of config.accounts.entries()) {
    if (!luhnValid(a.siren))
      logger.warn({ key: `accounts[${i}].siren`, siren: a.siren }, 'SIREN fails the Luhn check (accepted)');
  }
  let mock: RunningMock;
  try {
    // The engine (libxml2-wasm, SQLite, faker) loads only once the configuration is known to be valid.
    const { startFromConfig } = await import('../../mock-server/http/real-engine.ts');
    mock = await startFromConfig(config, logger);
  } catch (e) {
    // A file the configuration names (certificate, key, CA) is a configuration error like any other.
    if (e instanceof ConfigError) {
      io.err(`sav-ftth mock: ${e.message}`);
      return 2;
    }
    io.err(`sav-ftth mock: cannot start: ${(e as Error).message}`);
    return 1;
  }
  // Listening before the banner: whoever reads "Press Ctrl+C" may signal at once, and a signal
  // arriving before the handlers would kill the process without stopping the mock.
  const stopped = waitForStop(options.stopSignal);
  for (const line of banner(mock)) io.out(line);
  logger.info(
    { endpoints: mock.listeners.map((l) => l.origin), path: config.path, profile: mock.index.profile.id },
    'mock OI started',
  );
  const why = await stopped;
  logger.info({ reason: why }, 'mock OI stopping');
  await mock.stop();
  logger.info('mock OI stopped');
  return 0;
}
