/**
 * `npm run bench`: load on the mock OI beside two references, same client settings for all three
 * (autocannon, 10 connections, the same warm-up and duration), each server in its own process:
 *
 *   (a) a bare node:http server answering a fixed create response;
 *   (b) WireMock 3 (npm `wiremock`, request journal and request logging off, warmed) answering the
 *       same fixed response, matched by XPath on the operation element;
 *   (c) the mock (`sav-ftth mock`, SQLite in a temporary data directory, full XSD + protocol
 *       validation) under a create/get/set mix: every connection creates a ticket, reads it back
 *       and sends an OC information on it; every answer is checked for returnCode 0;
 *   (its warm-up's tickets removed through the control API before measuring, so the process is
 *   warm and the store empty), then (c) again after pre-loading the store to 100,000 tickets
 *   through the protocol.
 *
 * Targets: mock ≥ 1.5x WireMock's req/s, ≥ 20% of the bare server's, p99 < 10 ms at 10 connections,
 * and ≥ 80% of its fresh throughput after 100,000 tickets. Only 127.0.0.1 is targeted; every phase
 * is bounded in time. Environment: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 5),
 * BENCH_PRELOAD (tickets, default 100000), BENCH_STRICT=1 (exit 1 when a target is missed).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  createBody,
  fixedCreateResponse,
  getBody,
  index,
  KEY_IN_ANSWER,
  RETURN_CODE,
  setBody,
} from './mix.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const PRELOAD = Number(process.env.BENCH_PRELOAD ?? 100_000);
const CONNECTIONS = 10;
const HARD_LIMIT_MS = 20 * 60_000;
const TARGETS = { vsWiremock: 1.5, vsBare: 0.2, p99Ms: 10, afterPreload: 0.8 };

const root = fileURLToPath(new URL('..', import.meta.url));
const path = index.profile.service.path;
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
const deadline = setTimeout(() => {
  console.error(`bench: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping`);
  process.exit(2);
}, HARD_LIMIT_MS);

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Resolves with the first match of `re` in the child's stdout (rejects if it exits first or after timeoutMs). */
function waitFor(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      if (out.length < 1e6) out += d;
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.stdout!.on('end', () => undefined);
    child.on('exit', (code) => reject(new Error(`process exited (${code}) before ${re}:\n${out}`)));
  });
}

/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, every thread) a process has used so far, in µs. */
function processCpuUs(pid: number): number {
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

const headers = (action: string) => ({
  'content-type': 'text/xml; charset=utf-8',
  soapaction: `"${action}"`,
});

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

interface Figures {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  rssMb: number;
  errors: number;
  /** Answers whose returnCode was not 0 (mock only). */
  refused: number;
  requests: number;
  /** CPU per request, all threads, during the measured run: the server's and the load client's. */
  serverCpuUs: number;
  clientCpuUs: number;
}

type Requests = autocannon.Request[];

function run(url: string, requests: Requests, seconds: number, amount?: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        pipelining: 1,
        timeout: 10,
        ...(amount ? { amount } : { duration: seconds }),
        requests,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function measure(
  name: string,
  url: string,
  pid: number,
  requests: Requests,
  refused: () => number,
  afterWarmup?: () => Promise<void>,
): Promise<Figures> {
  await run(url, requests, WARMUP);
  await afterWarmup?.();
  const before = refused();
  const server0 = processCpuUs(pid);
  const client0 = process.cpuUsage();
  const r = await run(url, requests, DURATION);
  const client = process.cpuUsage(client0);
  const perRequest = (us: number) => us / Math.max(1, r.requests.total);
  return {
    name,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    rssMb: peakRssMb(pid),
    errors: r.errors + r.timeouts + r.non2xx,
    refused: refused() - before,
    requests: r.requests.total,
    serverCpuUs: perRequest(processCpuUs(pid) - server0),
    clientCpuUs: perRequest(client.user + client.system),
  };
}

/** A fixed create request, for the references. */
const fixedRequests = (body: string): Requests => [
  { method: 'POST', path, headers: headers('createTroubleTicketByValue'), body },
];

/** The mock's mix: create, then get and set on the ticket just created (per connection). */
function mixRequests(
  ptos: { technicalId: string; commercialId: string }[],
  counter: { refused: number },
): Requests {
  const creates = ptos.map(createBody);
  let n = 0;
  const check = (status: number, body: string) => {
    if (status !== 200 || RETURN_CODE.exec(body)?.[1] !== '0') counter.refused++;
  };
  type Ctx = { key?: string };
  return [
    {
      method: 'POST',
      path,
      headers: headers('createTroubleTicketByValue'),
      setupRequest: (req) => ({ ...req, body: creates[n++ % creates.length] }),
      onResponse: (status, body, context) => {
        check(status, body);
        (context as Ctx).key = KEY_IN_ANSWER.exec(body)?.[1];
      },
    },
    {
      method: 'POST',
      path,
      headers: headers('getTroubleTicketByKey'),
      setupRequest: (req, context) => ({
        ...req,
        body: getBody((context as Ctx).key ?? 'none'),
      }),
      onResponse: (status, body) => check(status, body),
    },
    {
      method: 'POST',
      path,
      headers: headers('setTroubleTicketByValue'),
      setupRequest: (req, context) => ({
        ...req,
        body: setBody((context as Ctx).key ?? 'none'),
      }),
      onResponse: (status, body) => check(status, body),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The three servers
// ---------------------------------------------------------------------------------------------

async function bare(): Promise<Figures> {
  const script = `
    const http = require('node:http');
    const body = Buffer.from(process.env.BODY, 'utf8');
    const s = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length }); res.end(body); });
    });
    s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`;
  const child = track(
    spawn(process.execPath, ['-e', script], {
      env: { ...process.env, BODY: fixedCreateResponse },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const port = Number((await waitFor(child, /port (\d+)/))[1]);
  try {
    return await measure(
      'bare node:http',
      `http://127.0.0.1:${port}`,
      child.pid!,
      fixedRequests(createBody({ technicalId: 'FI-0000-0001', commercialId: 'ACC-1' })),
      () => 0,
    );
  } finally {
    await stop(child);
  }
}

async function wiremock(): Promise<Figures> {
  const dir = join(root, 'node_modules', 'wiremock', 'build');
  const jar = readdirSync(dir).find((f) => /^wiremock-standalone-.*\.jar$/.test(f));
  if (!jar) throw new Error(`no wiremock-standalone jar in ${dir}`);
  const port = await freePort();
  const child = track(
    spawn(
      'java',
      [
        '-jar',
        join(dir, jar),
        '--port',
        String(port),
        '--bind-address',
        '127.0.0.1',
        '--no-request-journal',
        '--disable-request-logging',
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(child, /port:\s+\d+|started/i, 120_000).catch(() => undefined);
    for (let i = 0; i < 600; i++) {
      const ok = await fetch(`${base}/__admin/mappings`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const op = index.operation.get('createTroubleTicketByValue')!;
    const stub = {
      request: {
        method: 'POST',
        url: path,
        bodyPatterns: [{ matchesXPath: `//op:${op.request}`, xPathNamespaces: { op: index.ns[op.ns] } }],
      },
      response: {
        status: 200,
        headers: { 'Content-Type': 'text/xml; charset=utf-8' },
        body: fixedCreateResponse,
      },
    };
    const created = await fetch(`${base}/__admin/mappings`, {
      method: 'POST',
      body: JSON.stringify(stub),
      headers: { 'content-type': 'application/json' },
    });
    if (!created.ok) throw new Error(`WireMock refused the stub: ${created.status} ${await created.text()}`);
    const body = createBody({ technicalId: 'FI-0000-0001', commercialId: 'ACC-1' });
    const probe = await fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: headers('createTroubleTicketByValue'),
    });
    if ((await probe.text()) !== fixedCreateResponse)
      throw new Error('WireMock stub does not match the create request');
    return await measure('WireMock 3', base, child.pid!, fixedRequests(body), () => 0);
  } finally {
    await stop(child);
  }
}

async function mock(): Promise<{ fresh: Figures; loaded: Figures; tickets: number; preloadSeconds: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sav-ftth-bench-'));
  const config = join(dataDir, 'bench.yaml');
  // Every create is on its own access as far as the OI cares: no ERR04 closing tickets under load.
  await writeFile(
    config,
    'behaviour:\n  rejectDuplicateAccess: false\ninventory:\n  count: 1000\n  seed: 1\n',
  );
  const child = track(
    spawn(
      process.execPath,
      [
        'bin/sav-ftth.js',
        'mock',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--config',
        config,
        '--log-level',
        'warn',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, SAV_FTTH_CONFIG: '' },
      },
    ),
  );
  try {
    const origin = (await waitFor(child, /listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    child.stdout!.resume();
    const control = `${origin}/_control`;
    const inventory = (await (await fetch(`${control}/inventory?limit=1000`)).json()) as {
      entries: { technicalId: string; commercialId: string }[];
    };
    const counter = { refused: 0 };
    const requests = mixRequests(inventory.entries, counter);
    // The warm-up's tickets are removed before measuring: a warm process on an empty store.
    const reset = async () => {
      const r = await fetch(`${control}/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`reset failed: ${r.status}`);
    };
    const fresh = await measure(
      'mock, empty store',
      origin,
      child.pid!,
      requests,
      () => counter.refused,
      reset,
    );

    const count = async () =>
      ((await (await fetch(`${control}/counters`)).json()) as { tickets: number }).tickets;
    const missing = PRELOAD - (await count());
    const started = performance.now();
    if (missing > 0) await run(origin, [requests[0]!], 0, missing);
    const preloadSeconds = (performance.now() - started) / 1000;
    const tickets = await count();
    const loaded = await measure(
      `mock, ${tickets.toLocaleString('en')} tickets`,
      origin,
      child.pid!,
      requests,
      () => counter.refused,
    );
    return { fresh, loaded, tickets, preloadSeconds };
  } finally {
    await stop(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = (n: number, d = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: d, maximumFractionDigits: d });

function table(rows: Figures[]): string {
  const head = [
    'server',
    'req/s',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'client µs/req',
    'peak RSS MB',
    'requests',
    'errors',
    'refused',
  ];
  const body = rows.map((r) => [
    r.name,
    fmt(r.reqPerSec),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    fmt(r.serverCpuUs),
    fmt(r.clientCpuUs),
    fmt(r.rssMb),
    fmt(r.requests),
    fmt(r.errors),
    fmt(r.refused),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * What the bare-server target asks of the CPU: server and load client share this machine's cores,
 * so at the target rate each request may use at most cores / rate of CPU, both sides together.
 */
function cpuBudget(bareFigures: Figures, mockFigures: Figures): string {
  const cores = availableParallelism();
  const rate = bareFigures.reqPerSec * TARGETS.vsBare;
  const budget = (cores * 1e6) / rate;
  const used = mockFigures.serverCpuUs + mockFigures.clientCpuUs;
  return [
    `CPU per request: ${fmt(rate)} req/s on ${cores} cores allows ${fmt(budget)} µs for server and client together;`,
    `the mock used ${fmt(mockFigures.serverCpuUs)} µs and its client ${fmt(mockFigures.clientCpuUs)} µs (${fmt(used)} µs: ${fmt((used * rate) / 1e6, 1)} cores at that rate).`,
  ].join('\n');
}

async function main(): Promise<number> {
  console.log(
    `sav-ftth mock bench: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per server, 127.0.0.1 only`,
  );
  const b = await bare();
  const w = await wiremock();
  const m = await mock();
  console.log('');
  console.log(table([b, w, m.fresh, m.loaded]));
  console.log(
    `(pre-load to ${fmt(m.tickets)} tickets through the protocol took ${fmt(m.preloadSeconds, 1)} s)`,
  );
  const checks = [
    {
      what: 'mock req/s vs WireMock',
      value: m.fresh.reqPerSec / w.reqPerSec,
      ok: m.fresh.reqPerSec / w.reqPerSec >= TARGETS.vsWiremock,
      show: (v: number) => `${fmt(v, 2)}x (target ≥ ${TARGETS.vsWiremock}x)`,
    },
    {
      what: 'mock req/s vs bare node:http',
      value: m.fresh.reqPerSec / b.reqPerSec,
      ok: m.fresh.reqPerSec / b.reqPerSec >= TARGETS.vsBare,
      // The budget this target leaves per request, for a server that must parse, validate and commit.
      show: (v: number) =>
        `${fmt(v * 100, 1)}% (target ≥ ${TARGETS.vsBare * 100}%: ${fmt(b.reqPerSec * TARGETS.vsBare)} req/s, ${fmt(1e6 / (b.reqPerSec * TARGETS.vsBare))} µs per request)`,
    },
    {
      what: 'mock p99 latency, fresh',
      value: m.fresh.p99,
      ok: m.fresh.p99 < TARGETS.p99Ms,
      show: (v: number) => `${fmt(v, 1)} ms (target < ${TARGETS.p99Ms} ms)`,
    },
    {
      what: 'mock p99 latency, loaded',
      value: m.loaded.p99,
      ok: m.loaded.p99 < TARGETS.p99Ms,
      show: (v: number) => `${fmt(v, 1)} ms (target < ${TARGETS.p99Ms} ms)`,
    },
    {
      what: `mock req/s after ${fmt(m.tickets)} tickets vs fresh`,
      value: m.loaded.reqPerSec / m.fresh.reqPerSec,
      ok: m.loaded.reqPerSec / m.fresh.reqPerSec >= TARGETS.afterPreload,
      show: (v: number) => `${fmt(v * 100, 1)}% (target ≥ ${TARGETS.afterPreload * 100}%)`,
    },
    {
      what: 'mock answers with returnCode 0',
      value: m.fresh.refused + m.loaded.refused,
      ok: m.fresh.refused + m.loaded.refused === 0,
      show: (v: number) => `${fmt(v)} refused`,
    },
  ];
  console.log('');
  for (const c of checks) console.log(`${c.ok ? 'met    ' : 'NOT MET'}  ${c.what}: ${c.show(c.value)}`);
  console.log('');
  console.log(cpuBudget(b, m.fresh));
  const missed = checks.filter((c) => !c.ok).length;
  return missed > 0 && process.env.BENCH_STRICT === '1' ? 1 : 0;
}

main()
  .then((code) => {
    clearTimeout(deadline);
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
    killAll();
    process.exit(1);
  });
