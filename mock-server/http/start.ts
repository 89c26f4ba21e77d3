/**
 * Assembles a running mock from a validated config and an engine factory: profile index, TLS
 * material, served documents, listeners. Used by the CLI, startMock() and the transport tests.
 */
import type { Logger } from 'pino';
import { getProfile, indexProfile, type ProfileIndex } from '../../src/profile/index.ts';
import { type AccountConfig, CONTROL_PREFIX, type MockConfig } from '../config/schema.ts';
import type { MockEngine } from '../engine/types.ts';
import { mockInfo } from './control.ts';
import { serviceDocuments } from './documents.ts';
import { type ListenerInfo, MockTransport } from './server.ts';
import { loadTls, type TlsMaterial } from './tls.ts';

export interface RunningMock<E extends MockEngine = MockEngine> {
  /** SOAP endpoint (plain HTTP when enabled, else HTTPS). */
  url: string;
  wsdlUrl: string;
  /** HTTPS endpoint when HTTPS is enabled. */
  httpsUrl?: string;
  /** Base URL of the control API (…/_control). */
  controlUrl: string;
  accounts: AccountConfig[];
  engine: E;
  index: ProfileIndex;
  config: MockConfig;
  listeners: ListenerInfo[];
  /** The certificate served over HTTPS (PEM), e.g. to trust it as a CA in a client. */
  tls?: TlsMaterial;
  stop(): Promise<void>;
}

export type EngineFactory<E extends MockEngine = MockEngine> = (ctx: {
  config: MockConfig;
  index: ProfileIndex;
  logger: Logger;
}) => E | Promise<E>;

/** The profile index a config selects: the profile with its [decision] settings overridden. */
export const indexFor = (config: Pick<MockConfig, 'profile' | 'settings'>): ProfileIndex =>
  indexProfile(getProfile(config.profile, config.settings));

export async function startWithEngine<E extends MockEngine>(
  config: MockConfig,
  makeEngine: EngineFactory<E>,
  logger: Logger,
): Promise<RunningMock<E>> {
  const index = indexFor(config);
  // The engine first: its store takes the data directory's lock, so a second mock on the same
  // directory is refused before it reads or regenerates the certificate kept there.
  const engine = await makeEngine({ config, index, logger });
  // Whatever fails from here on (a certificate, the HTTPS server, a port in use) closes what was
  // started: the engine's decode workers would otherwise keep the process alive.
  let tls: TlsMaterial | undefined;
  let transport: MockTransport | undefined;
  let listeners: ListenerInfo[];
  try {
    tls = config.https.enabled ? await loadTls(config) : undefined;
    transport = new MockTransport({
      engine,
      index,
      config,
      logger,
      documents: serviceDocuments(index.profile),
      ...(tls ? { tls } : {}),
      info: () => mockInfo(index, config),
    });
    listeners = await transport.start();
  } catch (e) {
    await transport?.stop(0).catch(() => {});
    await engine.close().catch(() => {});
    throw e;
  }
  const started = transport;
  const soap = listeners.filter((l) => l.serves.soap);
  const main = soap.find((l) => l.scheme === 'http') ?? soap[0]!;
  const https = soap.find((l) => l.scheme === 'https');
  const control = listeners.find((l) => l.serves.control)!;
  let stopped: Promise<void> | undefined;
  return {
    url: `${main.origin}${config.path}`,
    wsdlUrl: `${main.origin}${config.path}?wsdl`,
    ...(https ? { httpsUrl: `${https.origin}${config.path}` } : {}),
    controlUrl: `${control.origin}${CONTROL_PREFIX}`,
    accounts: config.accounts,
    engine,
    index,
    config,
    listeners,
    ...(tls ? { tls } : {}),
    stop: () => {
      stopped ??= (async () => {
        const draining = started.stop();
        // Within the grace period the requests under way are answered, not those a latency holds.
        engine.endLatencies?.();
        await draining;
        await engine.close();
      })();
      return stopped;
    },
  };
}
