/**
 * `npm run bench:scenarios`: the whole conformance catalogue (YAML scenarios and the scenarios
 * generated from the profile) against the embedded implementations, in both roles, as
 * `sav-ftth run` does it (concurrency 4, reports not written): wall time, scenarios and checks per
 * second. Target on this machine: the whole catalogue in under 15 s.
 */
import { defaultIndex } from '../src/profile/index.ts';
import { loadCatalogue, runCatalogue } from '../src/scenario/index.ts';

const TARGET_MS = 15_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const index = defaultIndex();

const t0 = performance.now();
const scenarios = loadCatalogue(index);
const loadMs = performance.now() - t0;
const perRole: { role: string; ms: number; scenarios: number; checks: number; verdict: string }[] = [];
for (const role of ['oc', 'oi'] as const) {
  const start = performance.now();
  const [run] = await runCatalogue({ roles: [role], scenarios, concurrency: CONCURRENCY, index });
  perRole.push({
    role,
    ms: performance.now() - start,
    scenarios: run!.totals.scenarios,
    checks: run!.totals.checks,
    verdict: run!.verdict,
  });
}
const wall = performance.now() - t0;
const checks = perRole.reduce((n, r) => n + r.checks, 0);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(
  `catalogue: ${scenarios.length} scenarios loaded and generated in ${Math.round(loadMs)} ms (concurrency ${CONCURRENCY})`,
);
for (const r of perRole) {
  console.log(
    `  role ${r.role}: ${r.scenarios} scenarios, ${r.checks} checks in ${fmt(r.ms)} — ${Math.round(r.checks / (r.ms / 1000))} checks/s, ${(r.scenarios / (r.ms / 1000)).toFixed(1)} scenarios/s — ${r.verdict.toUpperCase()}`,
  );
}
console.log(
  `whole catalogue: ${fmt(wall)} wall, ${checks} checks, ${Math.round(checks / (wall / 1000))} checks/s`,
);
console.log(`target: under ${fmt(TARGET_MS)} — ${wall < TARGET_MS ? 'MET' : 'MISSED'}`);
if (perRole.some((r) => r.verdict !== 'pass')) {
  console.error('the catalogue does not pass against the embedded implementations');
  process.exitCode = 1;
}
