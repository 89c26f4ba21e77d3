/**
 * `sav-ftth run [paths…]`: runs the conformance catalogue (or the given scenario files) in one or
 * both roles, against the embedded implementations or a real one, prints progress and coverage,
 * writes the reports, and exits 0 only when every mandatory check passed.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
// Types only, statically: the engine, the profile and the reports are imported once the Ctrl+C
// handler is in place, so that an interrupted start-up says so (their loading is most of it).
// environment.ts holds types and one error class: nothing of the engine is loaded with it.
import { NoOperatorError, type Prompt } from '../scenario/environment.ts';
import type { RunResult, TargetOptions } from '../scenario/index.ts';
import type { RunHooks } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { CliIo } from './commands.ts';

export const RUN_USAGE = `Usage: sav-ftth run [paths…] [options]

Runs the conformance scenarios. With no argument: the whole catalogue (scenarios/ and the
scenarios generated from the profile) in both roles, against embedded implementations.

Selection:
  [paths…]                   YAML scenario files or directories (default: the shipped catalogue)
      --generated            also run the scenarios generated from the profile (default without paths)
  -t, --tag <tag>            only scenarios with this tag (repeatable: any of them)
  -g, --grep <text>          only scenarios whose id or title contains text (or matches /regex/)
      --list                 list the selected scenarios and exit (with --json: a JSON array of
                             {id, title, roles, tags, file})

Role and target:
  -r, --role <oc|oi|both>    oc: the harness is the OC and certifies an OI; oi: the harness is the OI
                             and certifies an OC; both (default without --target)
      --target <url>         implementation under test: an OI service URL (role oc) or an OC
                             endpoint URL (role oi); default: embedded mock OI / reference OC
      --name <name>          name of the implementation under test in the reports
      --implementation-version <v>
                             its version, in the reports (with --target; the embedded mock OI
                             and reference OC are reported with this tool's version)
      --login <login>        OC account on the OI (role oc: sent by the harness; role oi: used by the OC)
      --password <password>  (or SAV_FTTH_PASSWORD: see Environment below)
      --oc-siren <siren>     SIREN of that OC account
      --oi-siren <siren>     SIREN of the OI (supplierID)
      --other-login <login>  a second OC account (cross-OC isolation scenarios), with
      --other-password <p>   its password and
      --other-oc-siren <s>   its SIREN
      --push-login <login>   credentials the OI's pushes carry (default: --login/--password in role oi)
      --push-password <p>
      --control-url <url>    role oc: control API of a target that is our mock (triggers OI actions)
      --control-token <t>    its bearer token
      --inventory <file.csv> role oc with --target: the OI's accesses (PTO), the CSV the mock reads
                             (header naming technicalId, and commercialId, offerId, address if
                             given); each create names its own access, so that a conforming OI
                             neither closes it with ERR01 (PTO not in its inventory) nor with ERR04
                             (another ticket open on the access). Default with --control-url: the
                             mock's inventory (GET <control-url>/inventory), less the accesses that
                             have an open ticket; without either, random PTOs (and a warning)
      --interactive          ask the operator (stdin) to perform the steps of the real implementation
      --data <field=value>   a value every create carries unless the scenario sets it, e.g.
                             troubleTicketType=3; repeatable (an access given this way is the
                             same for every create: prefer --inventory)

TLS (towards the target):
      --ca <file>            PEM CA certificate to trust
      --cert <file>          PEM client certificate, with
      --key <file>           its PEM private key
      --insecure             do not verify the target's certificate

Callback listener (role oc: the OC endpoint receiving pushes; role oi: the OI served to the OC):
      --callback-host <host> listen address (default 127.0.0.1)
      --callback-port <port> listen port (default: a free port)
      --callback-advertise <host>  host name the implementation uses to reach it

Execution and output:
  -c, --concurrency <n>      scenarios run in parallel (default 4; 1 with --interactive)
      --timeout <ms>         how long to wait for the OI's answer (role oc) or for a request of the
                             OC under test (role oi); default 10000, 60000 in role oi against a
                             target (600000 with --interactive)
      --push-timeout <ms>    how long to wait for a push (role oc) or for the OC's answer to a push,
                             relayed from the mock or forged by the harness (role oi); default 5000
                             embedded, 60000 (oc, 600000 with --interactive) / 30000 (oi) against a target
      --report-dir <dir>     root of the reports (default reports/): <dir>/<time>[/<role>]/ and <dir>/latest;
                             created and checked for writing before the run (exit 2 if it cannot be)
      --no-report            write no report
      --json                 print the RunResult JSON (an array, one per role) on standard output
  -h, --help                 show this help

Progress: one line updated in place on a terminal; plain lines, one per scenario, when standard
error is not a terminal, TERM=dumb, or CI is set (to anything but false or 0).

Environment (a flag wins over its variable; keeps secrets out of the process list on shared runners):
  SAV_FTTH_LOGIN, SAV_FTTH_PASSWORD              --login, --password
  SAV_FTTH_OTHER_LOGIN, SAV_FTTH_OTHER_PASSWORD  --other-login, --other-password
  SAV_FTTH_PUSH_LOGIN, SAV_FTTH_PUSH_PASSWORD    --push-login, --push-password (the names the mock
                                                 reads for the credentials its pushes carry)
  SAV_FTTH_CONTROL_TOKEN                         --control-token (used with --control-url only; the
                                                 name the mock reads for its control API token)
  An empty variable counts as unset.

Skipped scenarios: a scenario that needs what the target lacks (requires: in its file, e.g.
business-refusals against the embedded mock) is skipped, with its reason, in the console and every
report; it is neither a failure nor an incomplete run. A run that assessed no mandatory check (every
selected scenario skipped) is NOT ASSESSED, never PASS. With --role both (the default), a role that
none of the selected scenarios applies to is not run.

Exit status: 0 every mandatory check passed; 1 a mandatory check failed or a scenario could not
run; 2 usage or configuration error (bad option, invalid scenario file, missing credentials,
nothing listening at --target), or nothing assessed (no scenario selected, or every selected
scenario skipped: the reports say NOT ASSESSED and why); 130 interrupted (Ctrl+C).
`;

const OPTIONS = {
  tag: { type: 'string', short: 't', multiple: true },
  grep: { type: 'string', short: 'g' },
  list: { type: 'boolean' },
  generated: { type: 'boolean' },
  role: { type: 'string', short: 'r' },
  target: { type: 'string' },
  name: { type: 'string' },
  'implementation-version': { type: 'string' },
  login: { type: 'string' },
  password: { type: 'string' },
  'oc-siren': { type: 'string' },
  'oi-siren': { type: 'string' },
  'other-login': { type: 'string' },
  'other-password': { type: 'string' },
  'other-oc-siren': { type: 'string' },
  'push-login': { type: 'string' },
  'push-password': { type: 'string' },
  'control-url': { type: 'string' },
  'control-token': { type: 'string' },
  inventory: { type: 'string' },
  interactive: { type: 'boolean' },
  data: { type: 'string', multiple: true },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  'callback-host': { type: 'string' },
  'callback-port': { type: 'string' },
  'callback-advertise': { type: 'string' },
  concurrency: { type: 'string', short: 'c' },
  timeout: { type: 'string' },
  'push-timeout': { type: 'string' },
  'report-dir': { type: 'string' },
  'no-report': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

class UsageError extends Error {}

/**
 * Credentials that may come from the environment instead of the command line (visible in `ps`),
 * named as the mock names the same settings (SAV_FTTH_PUSH_*, SAV_FTTH_CONTROL_TOKEN).
 */
export const CREDENTIAL_ENV = {
  login: 'SAV_FTTH_LOGIN',
  password: 'SAV_FTTH_PASSWORD',
  'other-login': 'SAV_FTTH_OTHER_LOGIN',
  'other-password': 'SAV_FTTH_OTHER_PASSWORD',
  'push-login': 'SAV_FTTH_PUSH_LOGIN',
  'push-password': 'SAV_FTTH_PUSH_PASSWORD',
  'control-token': 'SAV_FTTH_CONTROL_TOKEN',
} as const satisfies Partial<Record<keyof typeof OPTIONS, string>>;

/** The options given by flag, completed from {@link CREDENTIAL_ENV} (a flag wins; empty is unset). */
function withEnvCredentials<V extends Partial<Record<keyof typeof CREDENTIAL_ENV, string>>>(
  values: V & { 'control-url'?: string },
  env: NodeJS.ProcessEnv,
): V {
  const filled = { ...values };
  for (const [option, name] of Object.entries(CREDENTIAL_ENV) as [keyof typeof CREDENTIAL_ENV, string][]) {
    const v = env[name];
    if (filled[option] !== undefined || v === undefined || v === '') continue;
    // The mock reads the same variable: beside a mock in the same job, it is no error without --control-url.
    if (option === 'control-token' && values['control-url'] === undefined) continue;
    filled[option] = v as V[typeof option];
  }
  return filled;
}

/** "--role oc --target needs --password": say that the environment can give it too. */
function envHints(message: string): string[] {
  return Object.entries(CREDENTIAL_ENV)
    .filter(([option]) => new RegExp(`(?<![\\w-])--${option}(?![\\w-])`).test(message))
    .map(([option, name]) => `--${option} may also be given in the environment, as ${name}`);
}

/**
 * The report root, created and proven writable (a probe file written and removed) before the run,
 * so that a read-only checkout or a path under a regular file is found at once, not after the run.
 */
async function reportDirProblem(root: string): Promise<string | undefined> {
  const probe = join(root, `.sav-ftth-write-probe-${process.pid}`);
  try {
    await mkdir(root, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return undefined;
  } catch (e) {
    return `--report-dir ${root}: the reports cannot be written there: ${(e as Error).message} (give a writable --report-dir, or --no-report)`;
  }
}

function int(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} "${v}" must be an integer between ${min} and ${max}`);
  }
  return Number(v);
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * A PEM file of --ca, --cert or --key, read and parsed now: a file that is not what the option
 * needs is a usage error naming the option and the file, not an error in every scenario.
 */
function pem(file: string, name: 'ca' | 'cert' | 'key'): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--${name} ${file}: cannot read the file: ${(e as Error).message}`);
  }
  const what = name === 'key' ? 'a PEM private key' : 'a PEM certificate (-----BEGIN CERTIFICATE-----)';
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE').map((b) => b[0]);
  try {
    if (name === 'key') createPrivateKey(text);
    else {
      if (certs.length === 0) throw new Error('no certificate block found');
      for (const c of name === 'ca' ? certs : certs.slice(0, 1)) new X509Certificate(c);
    }
  } catch (e) {
    throw new UsageError(`--${name} ${file}: not ${what}: ${(e as Error).message}`);
  }
  return text;
}

export const PROMPT_QUESTION = 'Press Enter when done (or type "skip"): ';

export const NO_OPERATOR =
  'no operator: standard input closed (--interactive needs an operator answering each prompt on stdin)';

/**
 * The operator of --interactive, on standard input. One reading interface for the whole run, so
 * that a line typed (or piped) ahead answers the next prompt instead of being lost; `close()` once
 * the run is over lets the process exit though stdin stays open. At end of input, every pending
 * and later prompt is rejected with {@link NO_OPERATOR} (the step that asked errors, the run goes
 * on: steps that need no operator are still assessed, and the reports say which could not run).
 */
export function stdinPrompt(
  io: CliIo,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompt & { close(): void } {
  let rl: Interface | undefined;
  let ended = false;
  let closing = false;
  const typedAhead: string[] = [];
  let waiting: { resolve(line: string): void; reject(): void } | undefined;
  const reader = (): Interface | undefined => {
    if (rl || ended) return rl;
    rl = createInterface({ input, output });
    rl.on('line', (line) => {
      const w = waiting;
      waiting = undefined;
      if (w) w.resolve(line);
      else typedAhead.push(line);
    });
    rl.on('close', () => {
      ended = true;
      rl = undefined;
      if (closing) return;
      io.err(`sav-ftth run: ${NO_OPERATOR}: every step that needs the operator errors from now on`);
      const w = waiting;
      waiting = undefined;
      w?.reject();
    });
    // Ctrl+C at a prompt (a terminal in raw mode gives it to readline): the run's interrupt.
    rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    return rl;
  };
  return {
    async ask(text) {
      const r = reader();
      if (!r && typedAhead.length === 0) throw new NoOperatorError(NO_OPERATOR);
      output.write(`\n${text}\n`);
      let line = typedAhead.shift();
      if (line === undefined) {
        r!.setPrompt(PROMPT_QUESTION);
        r!.prompt();
        line = await new Promise<string>((resolve, reject) => {
          waiting = { resolve, reject: () => reject(new NoOperatorError(NO_OPERATOR)) };
        });
      } else output.write(`${PROMPT_QUESTION}${line}\n`);
      return line.trim().toLowerCase() !== 'skip';
    },
    close() {
      closing = true;
      rl?.close();
      input.pause();
      (input as { unref?: () => void }).unref?.();
    },
  };
}

/** The --interactive operator, released when the run is over. */
function operator(io: CliIo, release: (() => void)[]): Prompt {
  const p = stdinPrompt(io);
  release.push(() => p.close());
  return p;
}

export interface RunCommandOptions {
  /** Force the progress style (default: a TTY on stderr and CI not set). */
  tty?: boolean;
  /** Extra target options (test hooks such as interceptors). */
  target?: Partial<TargetOptions>;
}

/** Where the run is, for the Ctrl+C message. */
interface Progress {
  /** The roles the run will play, once known. */
  roles: ('oc' | 'oi')[];
  /** The role running, once its first scenario is about to start. */
  role?: 'oc' | 'oi';
  done: number;
  total: number;
  /** The progress line on a terminal, to clear before the message. */
  line?: { done(): void };
}

/**
 * Ctrl+C: say what was cut short, from the very start (loading the engine and the catalogue,
 * starting the embedded implementations take a second or so); a partial run is no conformance
 * result, so no report is written.
 */
function interruptMessage(p: Progress): string {
  const none = 'No report written (a partial run is not a conformance result)';
  if (!p.role)
    return `sav-ftth run: interrupted (Ctrl+C) before the first scenario, while starting up. ${none}.`;
  const notRun = p.roles.slice(p.roles.indexOf(p.role) + 1);
  return `sav-ftth run: interrupted (Ctrl+C) in role ${p.role} after ${p.done} of ${p.total} scenarios${notRun.length ? `; role ${notRun.join(', ')} not run` : ''}. ${none}: ${p.line ? 'the failed scenarios so far are listed above' : 'the finished scenarios are the lines above'}.`;
}

export async function runCommand(args: string[], io: CliIo, extra: RunCommandOptions = {}): Promise<number> {
  const where: Progress = { roles: [], done: 0, total: 0 };
  const onInterrupt = () => {
    where.line?.done();
    io.err(interruptMessage(where));
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  // Things to release once the run is over (the operator's stdin), so that the process exits.
  const release: (() => void)[] = [];
  try {
    return await runSelected(args, io, extra, where, release);
  } finally {
    for (const r of release) r();
    process.off('SIGINT', onInterrupt);
  }
}

async function runSelected(
  args: string[],
  io: CliIo,
  extra: RunCommandOptions,
  where: Progress,
  release: (() => void)[],
): Promise<number> {
  let values: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true }));
    values = withEnvCredentials(values, process.env);
  } catch (e) {
    io.err(`sav-ftth run: ${(e as Error).message}`);
    io.err('Run `sav-ftth run --help` for the options.');
    return 2;
  }
  const [{ defaultIndex }, engine, progressStyles] = await Promise.all([
    import('../profile/index.ts'),
    import('../scenario/index.ts'),
    import('../scenario/progress.ts'),
  ]);
  const {
    checkTargetOptions,
    coverageLines,
    FilterError,
    filterScenarios,
    formatProblem,
    grepPattern,
    loadCatalogue,
    runCatalogue,
    ScenarioLoadError,
    TargetError,
  } = engine;
  const index = defaultIndex();
  let roles: ('oc' | 'oi')[];
  let target: TargetOptions;
  let concurrency: number;
  try {
    const role = values.role ?? (values.target ? undefined : 'both');
    if (role === undefined)
      throw new UsageError('--target needs --role oc (the target is an OI) or --role oi (an OC)');
    if (!['oc', 'oi', 'both'].includes(role)) throw new UsageError(`--role "${role}" must be oc, oi or both`);
    if (role === 'both' && values.target)
      throw new UsageError('--role both runs embedded implementations: give --role oc or oi with --target');
    roles = role === 'both' ? ['oc', 'oi'] : [role as 'oc' | 'oi'];
    if (values.target) {
      try {
        const u = new URL(values.target);
        if (!/^https?:$/.test(u.protocol)) throw new Error('not http(s)');
      } catch {
        throw new UsageError(`--target "${values.target}" must be an http:// or https:// URL`);
      }
    }
    if (values.inventory !== undefined && !(values.target && role === 'oc'))
      throw new UsageError(
        '--inventory lists the accesses of an OI under test: it goes with --role oc --target <OI URL>',
      );
    if (values['control-url'] !== undefined && !(values.target && role === 'oc'))
      throw new UsageError(
        '--control-url is the control API of an OI under test that is the sav-ftth mock: it goes with --role oc --target <OI URL>',
      );
    if (values['implementation-version'] !== undefined && !values.target)
      throw new UsageError(
        "--implementation-version is the version of the implementation at --target: the embedded mock OI and reference OC are reported with this tool's version",
      );
    if (values['implementation-version'] !== undefined && values['implementation-version'].trim() === '')
      throw new UsageError('--implementation-version "" must name a version, e.g. 2.3.1');
    if (values['report-dir'] !== undefined && values['report-dir'].trim() === '')
      throw new UsageError(
        `--report-dir "${values['report-dir']}" must name a directory (default reports/; --no-report writes none)`,
      );
    if (values['control-token'] !== undefined && values['control-url'] === undefined)
      throw new UsageError('--control-token is the bearer token of --control-url: give --control-url too');
    if (values.grep !== undefined) {
      try {
        grepPattern(values.grep);
      } catch (e) {
        if (e instanceof FilterError) throw new UsageError(e.message);
        throw e;
      }
    }
    concurrency = int(values.concurrency, 'concurrency', 1, 64) ?? (values.interactive ? 1 : 4);
    if ((values.cert === undefined) !== (values.key === undefined))
      throw new UsageError('--cert and --key go together');
    const tls = {
      ...(values.ca ? { ca: pem(values.ca, 'ca') } : {}),
      ...(values.cert ? { cert: pem(values.cert, 'cert') } : {}),
      ...(values.key ? { key: pem(values.key, 'key') } : {}),
      ...(values.insecure ? { insecure: true } : {}),
    };
    if (tls.cert && tls.key) {
      try {
        createSecureContext({ cert: tls.cert, key: tls.key });
      } catch (e) {
        throw new UsageError(
          `--cert ${values.cert} and --key ${values.key} do not make a client certificate: ${(e as Error).message}`,
        );
      }
    }
    const pushTimeout = int(values['push-timeout'], 'push-timeout', 1, 3_600_000);
    const timeout = int(values.timeout, 'timeout', 1, 3_600_000);
    const port = int(values['callback-port'], 'callback-port', 0, 65535);
    const createData: Record<string, string> = {};
    for (const d of values.data ?? []) {
      const m = /^([^=]+)=(.*)$/.exec(d);
      const field = m ? index.field.get(m[1]!.trim()) : undefined;
      if (!m || !field)
        throw new UsageError(
          `--data "${d}" must be <field>=<value> with a field of profile ${index.profile.id}`,
        );
      createData[field.name] = m[2]!;
    }
    target = {
      role: roles[0]!,
      ...(values.target ? { target: values.target } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(values['implementation-version']
        ? { implementationVersion: values['implementation-version'].trim() }
        : {}),
      ...(values.login ? { login: values.login } : {}),
      ...(values.password ? { password: values.password } : {}),
      ...(values['oc-siren'] ? { ocSiren: values['oc-siren'] } : {}),
      ...(values['oi-siren'] ? { oiSiren: values['oi-siren'] } : {}),
      ...(values['other-login'] ? { otherLogin: values['other-login'] } : {}),
      ...(values['other-password'] ? { otherPassword: values['other-password'] } : {}),
      ...(values['other-oc-siren'] ? { otherOcSiren: values['other-oc-siren'] } : {}),
      ...(values['push-login'] ? { pushLogin: values['push-login'] } : {}),
      ...(values['push-password'] ? { pushPassword: values['push-password'] } : {}),
      ...(values['control-url'] ? { controlUrl: values['control-url'] } : {}),
      ...(values['control-token'] ? { controlToken: values['control-token'] } : {}),
      ...(values.inventory ? { inventory: values.inventory } : {}),
      ...(Object.keys(tls).length ? { tls } : {}),
      ...(values['callback-host'] ? { callbackHost: values['callback-host'] } : {}),
      ...(port !== undefined ? { callbackPort: port } : {}),
      ...(values['callback-advertise'] ? { callbackAdvertise: values['callback-advertise'] } : {}),
      ...(timeout !== undefined ? { requestTimeoutMs: timeout } : {}),
      ...(pushTimeout !== undefined ? { pushTimeoutMs: pushTimeout } : {}),
      ...(Object.keys(createData).length ? { createData } : {}),
      ...(values.interactive ? { prompt: operator(io, release) } : {}),
      announce: (line) => io.err(line),
      ...extra.target,
    };
    // Credentials and SIRENs, before listing or starting anything (their warnings come at setup).
    for (const role of roles) checkTargetOptions(index, { ...target, role });
  } catch (e) {
    if (e instanceof UsageError || e instanceof TargetError) {
      io.err(`sav-ftth run: ${e.message}`);
      for (const hint of envHints(e.message)) io.err(`sav-ftth run: ${hint}`);
      return 2;
    }
    throw e;
  }

  let scenarios: Scenario[];
  try {
    const loaded = loadCatalogue(index, {
      paths: positionals,
      ...(values.generated ? { generated: true } : {}),
    });
    scenarios = filterScenarios(loaded, {
      ...(values.tag ? { tags: values.tag } : {}),
      ...(values.grep ? { grep: values.grep } : {}),
    });
  } catch (e) {
    if (e instanceof ScenarioLoadError) {
      for (const p of e.problems) io.err(`sav-ftth run: ${formatProblem(p)}`);
      return 2;
    }
    throw e;
  }
  if (values.list) {
    const listed = scenarios.filter((s) => s.roles.some((r) => roles.includes(r)));
    if (values.json) {
      const rows = listed.map(({ id, title, roles, tags, file }) => ({ id, title, roles, tags, file }));
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    for (const s of listed) io.out(`${s.id}  [${s.roles.join(',')}]  ${s.tags.join(',')}  ${s.title}`);
    return 0;
  }
  // With --role both, a role none of the selected scenarios applies to is not run: a run of no
  // scenario would assess nothing.
  const requested = roles;
  roles = roles.filter((r) => scenarios.some((s) => s.roles.includes(r)));
  if (roles.length === 0) {
    io.err('sav-ftth run: no scenario selected');
    return 2;
  }
  for (const r of requested.filter((x) => !roles.includes(x)))
    io.err(`sav-ftth run: role ${r} not run: none of the selected scenarios applies to it`);
  where.roles = roles;

  const root = values['report-dir'] ?? 'reports';
  if (!values['no-report']) {
    const problem = await reportDirProblem(root);
    if (problem) {
      io.err(`sav-ftth run: ${problem}`);
      return 2;
    }
  }

  const tty = extra.tty ?? progressStyles.terminalProgress(process.stderr, process.env);
  const progress = tty ? progressStyles.ttyProgress(process.stderr) : undefined;
  const shown: RunHooks = progress ?? progressStyles.plainProgress((l) => io.err(l));
  if (progress) where.line = progress;
  const hooks: RunHooks = {
    onStart: (role, total) => {
      Object.assign(where, { role, done: 0, total });
      shown.onStart?.(role, total);
    },
    onScenario: (role, r, done, total) => {
      where.done = done;
      shown.onScenario?.(role, r, done, total);
    },
  };
  let runs: RunResult[];
  try {
    const { role: _role, ...rest } = target;
    void _role;
    runs = await runCatalogue({ ...rest, roles, scenarios, concurrency, hooks, index });
  } catch (e) {
    progress?.done();
    if (e instanceof TargetError) {
      io.err(`sav-ftth run: ${e.message}`);
      return 2;
    }
    throw e;
  }
  progress?.done();

  const model = await import('../reports/model.ts');
  const out = values.json ? (l: string) => io.err(l) : (l: string) => io.out(l);
  for (const run of runs) {
    const t = run.totals;
    const c = model.conformance(run);
    out('');
    out(
      `role ${run.implementation.role} (${model.underTestText(run)}: ${model.implementationText(run)}, ${run.implementation.endpoint}): ${model.VERDICT_TITLE[run.verdict]}`,
    );
    if (run.verdict === 'not-assessed') out(`  ${c.statement}`);
    const advisory = c.advisory.failed + c.advisory.errors;
    out(
      `  scenarios ${model.scenarioCountsText(model.scenarioCounts(run))}; checks ${t.passed} passed, ${t.failed} failed, ${t.errors} errors, ${t.skipped} skipped; mandatory failed ${t.mandatoryFailed}${advisory ? `; advisory failed ${advisory} (warnings: never fail the run)` : ''}`,
    );
    for (const [reason, ids] of groupBy(
      c.skipped,
      (x) => x.reason,
      (x) => x.scenario.id,
    ))
      out(`  skipped (${reason}): ${ids.join(', ')}`);
    for (const s of run.scenarios.filter((x) => x.bookkeeping)) {
      const checks = s.steps.flatMap((st) => st.checks);
      const failing = checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error').length;
      out(
        `  outside the scenarios (${s.id}): ${checks.length} checks, ${failing} failed or in error: ${s.verdict.toUpperCase()}`,
      );
    }
    for (const l of coverageLines(run.coverage)) out(`  ${l}`);
  }
  // The results come first: a report that fails to be written must not lose the --json output.
  let reportFailure: string | undefined;
  if (!values['no-report']) {
    try {
      const { writeReports, runDirName, pointLatest } = await import('../reports/index.ts');
      // Both roles: one folder for the run, a sub-folder per role, `latest` pointing at the run.
      const base = runs.length > 1 ? `${root}/${runDirName(runs[0]!)}` : undefined;
      for (const run of runs) {
        const dir = base ? `${base}/${run.implementation.role}` : undefined;
        const written = await writeReports(run, dir, { root, latest: !base });
        out(`report (${run.implementation.role}): ${written.dir}`);
      }
      if (base) await pointLatest(root, base);
    } catch (e) {
      reportFailure = `cannot write the reports to ${root}: ${(e as Error).message}`;
    }
  }
  if (values.json) io.out(JSON.stringify(runs, null, 2));
  if (reportFailure) {
    io.err(`sav-ftth run: ${reportFailure}`);
    return 2;
  }
  // A failure wins; a run that assessed nothing is a selection the target cannot run, as "no
  // scenario selected" is: exit 2, not 0 (a CI gate must not pass) nor 1 (nothing failed).
  if (runs.some((r) => r.verdict === 'fail')) return 1;
  return runs.some((r) => r.verdict === 'not-assessed') ? 2 : 0;
}

/** Values grouped by key, groups in first-seen order. */
function groupBy<T>(items: T[], key: (t: T) => string, value: (t: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), value(item)]);
  return groups;
}
