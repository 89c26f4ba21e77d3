/**
 * Runs scenarios in one role against one environment, independent scenarios in parallel (exclusive
 * ones alone, at the end), and assembles the RunResult: totals, coverage, verdict.
 */
import { readFileSync } from 'node:fs';
import type { ProfileIndex } from '../profile/index.ts';
import { createsDrawing } from './access-pool.ts';
import type { RunEnv } from './environment.ts';
import { executeScenario } from './execute.ts';
import { CheckSink, judgeMessage } from './judge.ts';
import { PACKAGE_ROOT } from './load.ts';
import {
  type Coverage,
  type CoverageItem,
  percentText,
  RUN_RESULT_VERSION,
  type RunResult,
  type RunTotals,
  type RunVerdict,
  type ScenarioResult,
  type StepResult,
  verdictOf,
} from './result.ts';
import type { HarnessRole } from './rulebook.ts';
import type { Scenario } from './schema.ts';

export interface RunHooks {
  onStart?: (role: HarnessRole, total: number) => void;
  onScenario?: (role: HarnessRole, result: ScenarioResult, done: number, total: number) => void;
}

export function toolVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(`${PACKAGE_ROOT}package.json`, 'utf8')) as { version?: string }).version ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the items' order. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Scenarios that apply to a role. */
export const forRole = (scenarios: Scenario[], role: HarnessRole) =>
  scenarios.filter((s) => s.roles.includes(role));

export async function runRole(
  scenarios: Scenario[],
  env: RunEnv,
  opts: { concurrency: number; hooks?: RunHooks },
): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const list = forRole(scenarios, env.role);
  const total = list.length;
  env.accessPool?.plan(createsDrawing(list, env.index));
  opts.hooks?.onStart?.(env.role, total);
  let done = 0;
  const exec = async (s: Scenario) => {
    const r = await executeScenario(s, env);
    opts.hooks?.onScenario?.(env.role, r, ++done, total);
    return r;
  };
  const parallel = list.filter((s) => !s.exclusive);
  const alone = list.filter((s) => s.exclusive);
  const results = new Map<Scenario, ScenarioResult>();
  const first = await pool(parallel, opts.concurrency, exec);
  for (const [i, s] of parallel.entries()) results.set(s, first[i]!);
  for (const s of alone) results.set(s, await exec(s));
  const ordered = list.map((s) => results.get(s)!);
  const unsolicited = env.role === 'oi' ? unsolicitedRequests(env) : undefined;
  if (unsolicited) ordered.push(unsolicited);
  return assemble(ordered, env, startedAt);
}

/**
 * Role oi: requests the OC under test sent that no step waited for (a real OC polling, retrying…)
 * are judged too, in a scenario of their own.
 */
function unsolicitedRequests(env: RunEnv): ScenarioResult | undefined {
  const front = env.oc?.front;
  const requests = front?.unclaimed() ?? [];
  if (requests.length === 0) return undefined;
  const steps: StepResult[] = requests.map((r, i) => {
    const sink = new CheckSink(env.book, true);
    judgeMessage(sink, r.exchange, env.index, env.book, {
      sender: 'OC',
      ...(r.current ? { current: r.current } : {}),
      who: 'OC',
    });
    r.claimed = true;
    return {
      index: i,
      kind: r.operation ?? 'request',
      title: `requête de l OC non sollicitée par un scénario : ${r.operation ?? 'illisible'}${r.key ? ` (${r.key})` : ''}`,
      actor: 'OC',
      verdict: verdictOf(sink.checks),
      durationMs: r.exchange.durationMs,
      checks: sink.checks,
    };
  });
  return {
    id: 'harness.unsolicited-requests',
    title: 'Requêtes de l OC reçues hors des étapes des scénarios',
    file: 'harness',
    tags: ['harness'],
    clauses: ['§8', '§9'],
    verdict: verdictOf(steps),
    durationMs: steps.reduce((n, s) => n + s.durationMs, 0),
    steps,
    bookkeeping: true,
  };
}

export function assemble(
  scenarios: ScenarioResult[],
  env: Pick<RunEnv, 'index' | 'book' | 'role' | 'implementation'>,
  startedAt: string,
): RunResult {
  const totals = totalsOf(scenarios);
  const coverage = coverageOf(scenarios, env.index, env);
  return {
    schemaVersion: RUN_RESULT_VERSION,
    tool: { name: 'sav-ftth-conformance', version: toolVersion() },
    profile: { id: env.index.profile.id, version: env.index.profile.version },
    implementation: { ...implementationOf(env.implementation), role: env.role },
    startedAt,
    finishedAt: new Date().toISOString(),
    scenarios,
    coverage,
    totals,
    verdict: runVerdict(scenarios, totals),
  };
}

/** An embedded implementation is part of this tool: its version is the tool's. */
function implementationOf(i: RunEnv['implementation']): RunEnv['implementation'] {
  if (i.version !== undefined || i.kind !== 'embedded') return i;
  return { ...i, version: toolVersion() };
}

/**
 * Fail on a failed mandatory check or a scenario that could not run to its end. Nothing failed but
 * no mandatory check assessed (every selected scenario skipped, say) is no pass: the run certified
 * nothing, and a CI gate must not take it for a pass.
 */
export function runVerdict(scenarios: ScenarioResult[], totals: RunTotals): RunVerdict {
  if (totals.mandatoryFailed > 0 || scenarios.some((s) => s.verdict === 'error')) return 'fail';
  const assessed = scenarios.some((s) =>
    s.steps.some((st) => st.checks.some((c) => c.mandatory && c.verdict !== 'skip')),
  );
  return assessed ? 'pass' : 'not-assessed';
}

/** Checks of every result; scenarios counted without the bookkeeping ones. */
export function totalsOf(scenarios: ScenarioResult[]): RunTotals {
  const t: RunTotals = {
    scenarios: scenarios.filter((s) => !s.bookkeeping).length,
    scenariosPassed: 0,
    scenariosSkipped: scenarios.filter((s) => s.verdict === 'skip' && !s.bookkeeping).length,
    checks: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    errors: 0,
    mandatoryFailed: 0,
  };
  for (const s of scenarios) {
    if (s.verdict === 'pass' && !s.bookkeeping) t.scenariosPassed++;
    for (const step of s.steps) {
      for (const c of step.checks) {
        t.checks++;
        if (c.verdict === 'pass') t.passed++;
        else if (c.verdict === 'fail') t.failed++;
        else if (c.verdict === 'skip') t.skipped++;
        else t.errors++;
        if (c.mandatory && (c.verdict === 'fail' || c.verdict === 'error')) t.mandatoryFailed++;
      }
    }
  }
  return t;
}

/**
 * Coverage. A transition or an action is exercised by a step that performs it on its happy path,
 * and by every check whose rule is about it: the transition's own check (`T10`) or its closure code
 * (`CLOSURE:T10`), the action's field and state rules (`MANDATORY:oc.create:…`, `ONEOF:`,
 * `CONDITION:`, `ALLOWED:`, `ILLEGAL:`), and a transition check made in a step of the action. A
 * rule is exercised by any check of it. Passed: exercised and nothing of it failed (a happy-path
 * step that failed, or any failed check of it): a failed check never leaves its transition, action
 * or rule "not covered" or "passed".
 */
export function coverageOf(
  scenarios: ScenarioResult[],
  index: ProfileIndex,
  env: Pick<RunEnv, 'book' | 'role'>,
): Coverage {
  const tally = () => new Map<string, { exercised: boolean; failed: boolean }>();
  const transitions = tally();
  const actions = tally();
  const rules = tally();
  const mark = (m: Map<string, { exercised: boolean; failed: boolean }>, id: string, failed: boolean) => {
    const e = m.get(id) ?? { exercised: false, failed: false };
    e.exercised = true;
    e.failed ||= failed;
    m.set(id, e);
  };
  const about = subjectsOfRules(index);
  for (const s of scenarios) {
    for (const step of s.steps) {
      const failed = step.verdict === 'fail' || step.verdict === 'error';
      if (step.transition) {
        mark(transitions, step.transition, failed);
        if (step.action) mark(actions, step.action, failed);
      }
      for (const c of step.checks) {
        if (c.verdict === 'skip') continue;
        const bad = c.verdict !== 'pass';
        mark(rules, c.rule, bad);
        const subject = about(c.rule);
        if (subject?.transition) {
          mark(transitions, subject.transition, bad);
          if (step.action && c.rule === subject.transition) mark(actions, step.action, bad);
        }
        if (subject?.action) mark(actions, subject.action, bad);
      }
    }
  }
  const item = (m: typeof transitions, id: string, title: string): CoverageItem => {
    const e = m.get(id);
    return { id, title, exercised: !!e?.exercised, passed: !!e?.exercised && !e.failed, failed: !!e?.failed };
  };
  return {
    transitions: index.activeTransitions.map((t) => item(transitions, t.id, `${t.id} ${t.title}`)),
    actions: index.activeActions.map((a) => item(actions, a.id, `${a.catalogue} ${a.title}`)),
    rules: env.book.coverable(env.role).map((r) => item(rules, r.id, r.title)),
  };
}

/** The transition or the action a rule id (see rulebook.ts) is about, if any. */
function subjectsOfRules(
  index: ProfileIndex,
): (rule: string) => { transition?: string; action?: string } | undefined {
  const transitionIds = new Set(index.activeTransitions.map((t) => t.id));
  const actionIds = new Set(index.activeActions.map((a) => a.id));
  const conditionAction = new Map<string, string>();
  for (const a of index.activeActions) for (const c of a.conditions ?? []) conditionAction.set(c.id, a.id);
  return (rule) => {
    if (transitionIds.has(rule)) return { transition: rule };
    const m = /^(CLOSURE|MANDATORY|ONEOF|ALLOWED|ILLEGAL|CONDITION):([^:@]+)/.exec(rule);
    if (!m) return undefined;
    const [, kind, id] = m as unknown as [string, string, string];
    if (kind === 'CLOSURE') return transitionIds.has(id) ? { transition: id } : undefined;
    const action = kind === 'CONDITION' ? conditionAction.get(id) : id;
    return action !== undefined && actionIds.has(action) ? { action } : undefined;
  };
}

/** `transitions 11/11 exercised, 11/11 passed` and the like. */
export function coverageLines(c: Coverage): string[] {
  const line = (name: string, items: CoverageItem[]) => {
    const ex = items.filter((i) => i.exercised).length;
    const ok = items.filter((i) => i.passed).length;
    const pct = (n: number) => percentText(n, items.length);
    return `${name.padEnd(11)} ${ex}/${items.length} exercised (${pct(ex)}), ${ok}/${items.length} passed (${pct(ok)})`;
  };
  return [line('transitions', c.transitions), line('actions', c.actions), line('rules', c.rules)];
}
