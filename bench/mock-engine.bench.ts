/**
 * In-process microbench of the mock OI engine: microseconds per create, get and set through
 * `engine.handleSoap` (no sockets), SQLite in a temporary data directory (WAL, as `sav-ftth mock`
 * runs it), full XSD + protocol validation. Two loops:
 *
 *   sequential  one request at a time (latency of the engine alone);
 *   concurrent  CONCURRENCY chains create → get → set in flight together (what 10 connections give
 *               the engine: requests of the same tick can share a commit).
 *
 * Environment: BENCH_ITERATIONS (create/get/set triples per loop, default 3000), BENCH_CONCURRENCY
 * (default 10), BENCH_PROFILE=1 (also run a codec-only loop for reference).
 * CPU profile: `node --import tsx --cpu-prof --cpu-prof-dir=.tmp/prof bench/mock-engine.bench.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../mock-server/engine/index.ts';
import { schemaValidator } from '../src/schema/validator.ts';
import { readMessage } from '../src/soap/read.ts';
import { createBody, getBody, index, KEY_IN_ANSWER, RETURN_CODE, setBody } from './mix.ts';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

const dataDir = await mkdtemp(join(tmpdir(), 'sav-ftth-engine-bench-'));
const engine = createEngine({
  store: { dataDir },
  behaviour: { rejectDuplicateAccess: false },
  inventory: { count: 1000, seed: 1 },
});
const creates = engine.inventory().map((pto) => Buffer.from(createBody(pto)));

const spent = { create: 0, get: 0, set: 0 };
let n = 0;
let refused = 0;

async function timed(kind: keyof typeof spent, raw: Uint8Array, action: string): Promise<string> {
  const t0 = performance.now();
  const a = await engine.handleSoap(raw, { soapAction: action });
  spent[kind] += performance.now() - t0;
  if (a.status !== 200 || RETURN_CODE.exec(a.body)?.[1] !== '0') {
    if (refused++ < 3) console.error(`refused ${kind}: ${a.body.slice(0, 600)}`);
  }
  return a.body;
}

async function chain(): Promise<void> {
  const created = await timed('create', creates[n++ % creates.length]!, 'createTroubleTicketByValue');
  const key = KEY_IN_ANSWER.exec(created)?.[1] ?? 'none';
  await timed('get', Buffer.from(getBody(key)), 'getTroubleTicketByKey');
  await timed('set', Buffer.from(setBody(key)), 'setTroubleTicketByValue');
}

async function loop(name: string, concurrency: number, iterations: number): Promise<void> {
  spent.create = spent.get = spent.set = 0;
  refused = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let left = iterations;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await chain();
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuPerRequest = ((cpu.user + cpu.system) / (iterations * 3)).toFixed(0);
  const us = (ms: number) => ((ms * 1000) / iterations).toFixed(0).padStart(5);
  const perRequest = ((wall * 1000) / (iterations * 3)).toFixed(0);
  console.log(
    `${name.padEnd(26)} wall ${perRequest.padStart(4)} µs/request, cpu ${cpuPerRequest.padStart(4)} µs (${Math.round((iterations * 3) / (wall / 1000))} req/s)` +
      (concurrency === 1
        ? `  create ${us(spent.create)}  get ${us(spent.get)}  set ${us(spent.set)} µs`
        : `  latency create ${us(spent.create)}  get ${us(spent.get)}  set ${us(spent.set)} µs`) +
      (refused ? `  REFUSED ${refused}` : ''),
  );
}

try {
  await loop('warm-up', 1, Math.min(1000, ITERATIONS));
  engine.reset();
  await engine.settle();
  await loop('sequential', 1, ITERATIONS);
  await loop(`concurrent ×${CONCURRENCY}`, CONCURRENCY, ITERATIONS);
  if (process.env.BENCH_PROFILE === '1') {
    const validator = schemaValidator(index.profile);
    const raw = creates[0]!;
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) readMessage(raw, index, { validator });
    console.log(
      `codec only (readMessage)   ${(((performance.now() - t0) * 1000) / ITERATIONS).toFixed(0)} µs per create`,
    );
  }
  await engine.settle();
} finally {
  await engine.close();
  await rm(dataDir, { recursive: true, force: true });
}
