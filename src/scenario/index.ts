/**
 * Public API of the conformance scenarios: load the catalogue (YAML files plus the scenarios
 * generated from the profile), filter it, run it in one or both roles.
 */
import { defaultIndex, type ProfileIndex } from '../profile/index.ts';
import { generatedScenarios } from './generated.ts';
import { DEFAULT_SCENARIO_DIR, duplicateIds, loadScenarios, ScenarioLoadError } from './load.ts';
import type { RunResult } from './result.ts';
import type { HarnessRole } from './rulebook.ts';
import { forRole, type RunHooks, runRole } from './runner.ts';
import type { Scenario } from './schema.ts';
import { setupTarget, type TargetOptions } from './targets.ts';

export { generatedScenarios } from './generated.ts';
export { DEFAULT_SCENARIO_DIR, formatProblem, loadScenarios, ScenarioLoadError } from './load.ts';
export type { RunResult } from './result.ts';
export { coverageLines, type RunHooks } from './runner.ts';
export type { Scenario, Step } from './schema.ts';
export { checkTargetOptions, TargetError, type TargetOptions } from './targets.ts';

export interface CatalogueOptions {
  /** Files or directories of YAML scenarios; default: the shipped catalogue. */
  paths?: string[];
  /** Add the scenarios generated from the profile (default: true when no paths are given). */
  generated?: boolean;
}

/** The catalogue: YAML scenarios plus the generated ones; throws ScenarioLoadError. */
export function loadCatalogue(index: ProfileIndex, opts: CatalogueOptions = {}): Scenario[] {
  const paths = opts.paths?.length ? opts.paths : [DEFAULT_SCENARIO_DIR];
  const files = loadScenarios(paths, index);
  const withGenerated = opts.generated ?? !opts.paths?.length;
  const all = withGenerated ? [...files, ...generatedScenarios(index)] : files;
  const dup = duplicateIds(all);
  if (dup.length) throw new ScenarioLoadError(dup);
  return all;
}

export interface Filter {
  /** Keep scenarios carrying any of these tags. */
  tags?: string[];
  /** Keep scenarios whose id or title matches (a substring, or /regex/flags). */
  grep?: string;
}

/** A `--grep` that cannot be used: an invalid /regex/flags. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
}

/** The regular expression of a `/regex/flags` grep, undefined for a plain substring; throws FilterError. */
export function grepPattern(grep: string): RegExp | undefined {
  const m = /^\/(.*)\/([a-z]*)$/.exec(grep);
  if (!m) return undefined;
  try {
    return new RegExp(m[1]!, m[2]);
  } catch (e) {
    throw new FilterError(
      `--grep "${grep}" is not a valid /regex/flags (${(e as Error).message}); without the slashes it matches as plain text`,
    );
  }
}

export function filterScenarios(list: Scenario[], f: Filter): Scenario[] {
  let out = list;
  if (f.tags?.length) out = out.filter((s) => s.tags.some((t) => f.tags!.includes(t)));
  if (f.grep) {
    const re = grepPattern(f.grep);
    const needle = f.grep.toLowerCase();
    out = out.filter((s) =>
      re ? re.test(s.id) || re.test(s.title) : `${s.id} ${s.title}`.toLowerCase().includes(needle),
    );
  }
  return out;
}

export interface RunCatalogueOptions extends Omit<TargetOptions, 'role'>, CatalogueOptions, Filter {
  roles: HarnessRole[];
  concurrency?: number;
  hooks?: RunHooks;
  index?: ProfileIndex;
  /** Scenarios to run instead of loading the catalogue. */
  scenarios?: Scenario[];
}

/** Loads, filters and runs the catalogue in each role; one RunResult per role. */
export async function runCatalogue(opts: RunCatalogueOptions): Promise<RunResult[]> {
  const index = opts.index ?? defaultIndex();
  const scenarios = filterScenarios(opts.scenarios ?? loadCatalogue(index, opts), opts);
  const runs: RunResult[] = [];
  for (const role of opts.roles) {
    const env = await setupTarget(index, { ...opts, role });
    try {
      runs.push(
        await runRole(forRole(scenarios, role), env, {
          concurrency: opts.concurrency ?? 4,
          ...(opts.hooks ? { hooks: opts.hooks } : {}),
        }),
      );
    } finally {
      await env.close();
    }
  }
  return runs;
}
