/**
 * Builds what a run plays against, per role:
 *
 * - role oc, embedded (default): our mock OI in process on a free port, pushing to the harness OC
 *   endpoint; OI steps go through its control API.
 * - role oc, `--target <url>`: a real OI; the harness OC endpoint listens on the callback address
 *   (the OI must be configured to push there); OI steps use `--control-url` when the OI is our mock,
 *   else wait for the OI's push (with `--interactive`, the operator is asked to perform them).
 * - role oi, embedded (default): our mock OI served through the recording front to the reference
 *   OC, which performs the OC steps and answers the pushes.
 * - role oi, `--target <url>`: the real OC's endpoint receives the pushes; the OC is pointed at the
 *   OI the harness serves on the callback address, and performs the OC steps itself (the operator
 *   is asked with `--interactive`).
 */
import { startMock } from '../../mock-server/index.ts';
import type { ProfileIndex } from '../profile/index.ts';
import { isSirenShape, luhnValid, sirenFrom } from '../rules/index.ts';
import type { Credentials } from '../soap/model.ts';
import { MessageWriter } from '../soap/write.ts';
import { ACCESS_FIELDS, AccessPool, inventoryFile, inventoryFromControl } from './access-pool.ts';
import type { OcAccount, Prompt, RunEnv } from './environment.ts';
import { closeAgents, connectProblem, postSoap, type TlsOptions } from './http.ts';
import { HarnessOcEndpoint } from './oc-endpoint.ts';
import { OiFront } from './oi-front.ts';
import { ReferenceOc } from './reference-oc.ts';
import { rulebookOf } from './rulebook.ts';

/** A stand-in placed in front of an implementation (test doubles): gets its URL, returns the one to use. */
export type Interceptor = (url: string) => Promise<{ url: string; close(): Promise<void> }>;

export interface TargetOptions {
  role: 'oc' | 'oi';
  /** URL of the implementation under test (an OI service in role oc, an OC endpoint in role oi). */
  target?: string;
  name?: string;
  /** Version of the implementation at `target`, for the reports (an embedded one has the tool's). */
  implementationVersion?: string;
  login?: string;
  password?: string;
  ocSiren?: string;
  oiSiren?: string;
  otherLogin?: string;
  otherPassword?: string;
  otherOcSiren?: string;
  /** Credentials the OI's pushes carry. */
  pushLogin?: string;
  pushPassword?: string;
  controlUrl?: string;
  controlToken?: string;
  tls?: TlsOptions;
  callbackHost?: string;
  callbackPort?: number;
  /** Host name the implementation under test uses to reach the callback listener. */
  callbackAdvertise?: string;
  prompt?: Prompt;
  requestTimeoutMs?: number;
  pushTimeoutMs?: number;
  /** Values every create carries unless a scenario sets them (`--data technicalId=FI-…`). */
  createData?: Record<string, string>;
  /**
   * Role oc with a target: CSV of the OI's inventory (the format the mock reads); each create names
   * an access of it. Without it, the inventory is read from `controlUrl` when given.
   */
  inventory?: string;
  /** Test hooks: put a double in front of the embedded OI (role oc) or OC endpoint (role oi). */
  interceptOi?: Interceptor;
  interceptOc?: Interceptor;
  /** Told where the harness listens, for the operator of a real implementation. */
  announce?: (line: string) => void;
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** OC accounts of the embedded mock: Orange's and Free's SIRENs, examples of §1 (valid Luhn keys). */
const DEFAULT_OC: OcAccount = {
  login: 'harness-oc',
  password: 'harness-oc-password',
  siren: sirenFrom('38012986'),
};
const OTHER_OC: OcAccount = {
  login: 'harness-oc-2',
  password: 'harness-oc-2-password',
  siren: sirenFrom('42193886'),
};
const EMBEDDED_PUSH: Credentials = { login: 'oi-push', password: 'oi-push-password' };

/** Embedded mock: no automatic behaviour (the scenarios drive every OI action), fast retries. */
const QUIET = {
  takeInChargeAfterMs: null,
  planAfterMs: null,
  resolveAfterMs: null,
  rejectUnknownPto: false,
  rejectDuplicateAccess: false,
  cancellationAnswer: 'none' as const,
};

function required(o: TargetOptions, keys: (keyof TargetOptions)[], why: string): void {
  const missing = keys.filter((k) => o[k] === undefined || o[k] === '');
  if (missing.length) throw new TargetError(`${why} needs ${missing.map((k) => `--${kebab(k)}`).join(', ')}`);
}
const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * What can be checked before anything starts: the credentials a target needs and the SIRENs given.
 * Throws TargetError naming the option; returns warnings (a SIREN whose Luhn key is wrong, accepted
 * when the profile's strictSirenKey is off, as the rules and the mock accept it).
 */
export function checkTargetOptions(index: ProfileIndex, o: TargetOptions): string[] {
  if (o.target && o.role === 'oc')
    required(o, ['login', 'password', 'ocSiren', 'oiSiren'], '--role oc --target');
  if (o.target && o.role === 'oi') required(o, ['login', 'password', 'ocSiren'], '--role oi --target');
  const warnings: string[] = [];
  for (const key of ['ocSiren', 'oiSiren', 'otherOcSiren'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    if (!isSirenShape(v))
      throw new TargetError(`--${kebab(key)} "${v}" is not a SIREN: 9 digits expected (§1)`);
    if (!luhnValid(v)) {
      const why = `--${kebab(key)} "${v}": the SIREN's check digit (Luhn key, §1) is wrong`;
      const clause = index.profile.settingsBasis.strictSirenKey.clause;
      if (index.settings.strictSirenKey) throw new TargetError(`${why} (strictSirenKey is on, ${clause})`);
      warnings.push(`warning: ${why}; accepted, as the profile accepts it (strictSirenKey off, ${clause})`);
    }
  }
  return warnings;
}

export async function setupTarget(index: ProfileIndex, o: TargetOptions): Promise<RunEnv> {
  for (const w of checkTargetOptions(index, o)) o.announce?.(w);
  return o.role === 'oc' ? setupRoleOc(index, o) : setupRoleOi(index, o);
}

/** Starts a harness listener on the callback address; a port in use or a bad host is a TargetError naming the option. */
async function onCallback<T>(o: TargetOptions, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const host = o.callbackHost ?? '127.0.0.1';
    const port = o.callbackPort ?? 0;
    if (code === 'EADDRINUSE')
      throw new TargetError(
        `--callback-port ${port}: ${host}:${port} is already in use (EADDRINUSE): give another port, or 0 for a free one`,
      );
    if (code === 'EACCES')
      throw new TargetError(
        `--callback-port ${port}: not allowed to listen on ${host}:${port} (EACCES): ports below 1024 need privileges`,
      );
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAFNOSUPPORT')
      throw new TargetError(`--callback-host "${host}": cannot listen on this address (${code})`);
    throw e;
  }
}

const pushTimeout = (o: TargetOptions, fallback: number) => o.pushTimeoutMs ?? fallback;

async function setupRoleOc(index: ProfileIndex, o: TargetOptions): Promise<RunEnv> {
  const endpoint = new HarnessOcEndpoint(index);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closeAgents();
  };
  try {
    const requestMs = o.requestTimeoutMs ?? 10_000;
    const startEndpoint = async () => {
      await onCallback(o, () =>
        endpoint.start(o.callbackHost ?? '127.0.0.1', o.callbackPort ?? 0, o.callbackAdvertise),
      );
      closers.push(() => endpoint.close());
    };
    if (!o.target) {
      await startEndpoint();
      const pushMs = pushTimeout(o, 5_000);
      const mock = await startMock({
        accounts: [DEFAULT_OC, OTHER_OC],
        push: { url: endpoint.url, ...EMBEDDED_PUSH, maxRetries: 3, backoffMs: 10, timeoutMs: pushMs },
        behaviour: QUIET,
        inventory: { count: 20, seed: 42 },
      });
      closers.push(() => mock.stop());
      const wrapped = o.interceptOi ? await o.interceptOi(mock.url) : undefined;
      if (wrapped) closers.push(() => wrapped.close());
      const serviceUrl = wrapped?.url ?? mock.url;
      return {
        role: 'oc',
        index,
        book: rulebookOf(index),
        writer: new MessageWriter(index),
        oiSiren: mock.config.oiSiren,
        accounts: { default: DEFAULT_OC, other: OTHER_OC },
        pushCredentials: EMBEDDED_PUSH,
        timeouts: { requestMs, pushMs },
        capabilities: new Set(['control', 'other-oc']),
        oi: {
          serviceUrl,
          control: { url: mock.controlUrl },
          endpoint,
          send: (xml, opts) =>
            postSoap(serviceUrl, xml, {
              ...opts,
              maxBytes: index.settings.maxMessageBytes,
              timeoutMs: requestMs,
            }),
        },
        implementation: { name: 'sav-ftth mock OI (embedded)', endpoint: serviceUrl, kind: 'embedded' },
        close,
      };
    }
    const pushMs = pushTimeout(o, o.prompt ? 600_000 : 60_000);
    const tls = o.tls;
    const serviceUrl = o.target;
    const other =
      o.otherLogin && o.otherPassword && o.otherOcSiren
        ? { login: o.otherLogin, password: o.otherPassword, siren: o.otherOcSiren }
        : undefined;
    const control = o.controlUrl
      ? { url: o.controlUrl.replace(/\/$/, ''), ...(o.controlToken ? { token: o.controlToken } : {}) }
      : undefined;
    // The inputs first (the inventory may be wrong): nothing is announced before they are read.
    const accessPool = await accessPoolOf(index, o, control);
    await assertReachable(o, requestMs);
    await startEndpoint();
    o.announce?.(`harness OC endpoint (configure the OI to push there): ${endpoint.url}`);
    const capabilities: RunEnv['capabilities'] = new Set();
    if (o.controlUrl) capabilities.add('control');
    if (other) capabilities.add('other-oc');
    // An OI under test performs its intake checks (§9); with its inventory known, a create can name
    // an access it refuses on purpose. The embedded mock runs without them (QUIET).
    if (accessPool) capabilities.add('business-refusals');
    return {
      role: 'oc',
      index,
      book: rulebookOf(index),
      writer: new MessageWriter(index),
      oiSiren: o.oiSiren!,
      accounts: {
        default: { login: o.login!, password: o.password!, siren: o.ocSiren! },
        ...(other ? { other } : {}),
      },
      pushCredentials: { login: o.pushLogin ?? '', password: o.pushPassword ?? '' },
      timeouts: { requestMs, pushMs },
      ...(o.createData ? { createData: o.createData } : {}),
      ...(accessPool ? { accessPool } : {}),
      ...(tls ? { tls } : {}),
      ...(o.prompt ? { prompt: o.prompt } : {}),
      capabilities,
      oi: {
        serviceUrl,
        ...(control ? { control } : {}),
        endpoint,
        send: (xml, opts) =>
          postSoap(serviceUrl, xml, {
            ...opts,
            maxBytes: index.settings.maxMessageBytes,
            timeoutMs: requestMs,
            ...(tls ? { tls } : {}),
          }),
      },
      implementation: {
        name: o.name ?? new URL(serviceUrl).host,
        ...(o.implementationVersion ? { version: o.implementationVersion } : {}),
        endpoint: serviceUrl,
        kind: 'url',
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The OI's accesses the creates draw from: `--inventory`, else our mock's inventory through its
 * control API; without either, the generated (random) PTOs, with a warning.
 */
async function accessPoolOf(
  index: ProfileIndex,
  o: TargetOptions,
  control: { url: string; token?: string } | undefined,
): Promise<AccessPool | undefined> {
  const warn = (line: string) => o.announce?.(line);
  if (o.inventory) {
    let entries: ReturnType<typeof inventoryFile>;
    try {
      entries = inventoryFile(o.inventory);
    } catch (e) {
      throw new TargetError((e as Error).message);
    }
    if (entries.length === 0) throw new TargetError(`--inventory ${o.inventory}: no access listed`);
    return new AccessPool(entries, `--inventory ${o.inventory}`, warn);
  }
  if (control) {
    let entries: Awaited<ReturnType<typeof inventoryFromControl>>;
    try {
      entries = await inventoryFromControl(control, index);
    } catch (e) {
      throw new TargetError(`cannot read the OI's inventory: ${(e as Error).message}`);
    }
    if (entries.length === 0)
      throw new TargetError(
        `the inventory at ${control.url}/inventory has no access without an open ticket: close those tickets (or POST ${control.url}/reset) or give --inventory`,
      );
    return new AccessPool(entries, `the inventory at ${control.url}/inventory`, warn);
  }
  const fixed = ACCESS_FIELDS.filter((f) => o.createData?.[f] !== undefined);
  warn(
    fixed.length
      ? `warning: every create names the same access (--data ${fixed.map((f) => `${f}=${o.createData![f]}`).join(' ')}): a conforming OI closes every create after the first with ERR04 (another ticket open on the access, §9). Give the OI's inventory with --inventory <file.csv> (one access per create).`
      : `warning: no inventory given: creates name random PTOs, which a conforming OI closes with ERR01 (PTO not in its inventory, §9). Give the OI's accesses with --inventory <file.csv> (header technicalId,commercialId; one access per create), or --control-url when the OI is the sav-ftth mock.`,
  );
  return undefined;
}

/**
 * Nothing to assess when nothing listens at the target: a usage-level error before the run rather
 * than every check failed (a CI gate must tell "staging is down" from "the implementation is wrong").
 * Role oc with --interactive: not checked, the operator may bring the OI up when asked. Role oi:
 * always, the target is where the OI pushes and no prompt ever asks the operator to bring it up.
 */
async function assertReachable(o: TargetOptions, timeoutMs: number): Promise<void> {
  if (!o.target || (o.prompt && o.role === 'oc')) return;
  const problem = await connectProblem(o.target, timeoutMs);
  if (problem)
    throw new TargetError(
      `--target ${o.target}: cannot connect (${problem}); is the ${o.role === 'oc' ? 'OI' : 'OC'} under test up and reachable from here?`,
    );
}

async function setupRoleOi(index: ProfileIndex, o: TargetOptions): Promise<RunEnv> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    closeAgents();
  };
  const embedded = !o.target;
  const requestMs = o.requestTimeoutMs ?? (embedded ? 10_000 : o.prompt ? 600_000 : 60_000);
  const pushMs = pushTimeout(o, embedded ? 5_000 : 30_000);
  try {
    // The OC's endpoint is reached as a push is: within the push timeout.
    await assertReachable(o, pushMs);
    const front = new OiFront({ index, pushTimeoutMs: pushMs, ...(o.tls ? { tls: o.tls } : {}) });
    await onCallback(o, () =>
      front.start(o.callbackHost ?? '127.0.0.1', o.callbackPort ?? 0, o.callbackAdvertise),
    );
    closers.push(() => front.close());
    const account: OcAccount = embedded
      ? DEFAULT_OC
      : { login: o.login!, password: o.password!, siren: o.ocSiren! };
    const push: Credentials = embedded
      ? EMBEDDED_PUSH
      : { login: o.pushLogin ?? o.login!, password: o.pushPassword ?? o.password! };
    let reference: ReferenceOc | undefined;
    let ocEndpoint: string;
    if (embedded) {
      reference = new ReferenceOc({
        index,
        oiUrl: front.serviceUrl,
        pushCredentials: push,
        timeoutMs: requestMs,
      });
      await reference.start();
      closers.push(() => reference!.close());
      ocEndpoint = reference.endpointUrl;
    } else ocEndpoint = o.target!;
    const wrapped = o.interceptOc ? await o.interceptOc(ocEndpoint) : undefined;
    if (wrapped) closers.push(() => wrapped.close());
    const endpointUrl = wrapped?.url ?? ocEndpoint;
    const mock = await startMock({
      accounts: [account],
      ...(o.oiSiren ? { oiSiren: o.oiSiren } : {}),
      // The mock pushes once; the front relays and waits for the OC's answer up to pushMs.
      push: { url: front.relayUrl, ...push, maxRetries: 0, backoffMs: 10, timeoutMs: pushMs + 2_000 },
      behaviour: QUIET,
      inventory: { count: 20, seed: 42 },
    });
    closers.push(() => mock.stop());
    front.attach({ engine: mock.engine, mockUrl: mock.url, ocEndpoint: endpointUrl });
    if (!embedded) {
      o.announce?.(
        `OI service for the OC under test: ${front.serviceUrl} (WSDL ${front.serviceUrl}?wsdl), login ${account.login}`,
      );
    }
    const tls = o.tls;
    const prompt = o.prompt;
    return {
      role: 'oi',
      index,
      book: rulebookOf(index),
      writer: new MessageWriter(index),
      oiSiren: mock.config.oiSiren,
      accounts: { default: account },
      pushCredentials: push,
      timeouts: { requestMs, pushMs },
      ...(o.createData ? { createData: o.createData } : {}),
      ...(tls ? { tls } : {}),
      ...(prompt ? { prompt } : {}),
      capabilities: new Set(['control']),
      oc: {
        under: reference
          ? {
              endpointUrl,
              sendsExactly: true,
              perform: async ({ xml, operation }) => {
                await reference!.send(xml, operation);
                return true;
              },
            }
          : {
              endpointUrl,
              sendsExactly: false,
              perform: async ({ describe }) =>
                prompt ? prompt.ask(`Make the OC under test perform: ${describe}.`) : true,
            },
        front,
        engine: mock.engine,
        // Whatever the harness sends the OC's endpoint is a push (forged R7 actions, raw XML):
        // bounded by the push timeout, like the pushes the front relays.
        send: (xml, opts) =>
          postSoap(endpointUrl, xml, {
            ...opts,
            maxBytes: index.settings.maxMessageBytes,
            timeoutMs: pushMs,
            ...(tls ? { tls } : {}),
          }),
      },
      implementation: embedded
        ? { name: 'sav-ftth reference OC (embedded)', endpoint: endpointUrl, kind: 'embedded' }
        : {
            name: o.name ?? new URL(endpointUrl).host,
            ...(o.implementationVersion ? { version: o.implementationVersion } : {}),
            endpoint: endpointUrl,
            kind: 'url',
          },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
