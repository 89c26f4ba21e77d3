/**
 * Loads scenario files (YAML, one or more documents each), validates them with the zod schema and
 * the profile, and reports every problem as `file:line:column: path: message`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { refuseOverrides } from '../../mock-server/engine/oi-actions.ts';
import type { ProfileIndex } from '../profile/index.ts';
import { rulebookOf, shortActionName } from './rulebook.ts';
import {
  EXPECT_KEYS_BY_KIND,
  PUSH_ANSWER_EXPECT,
  type Scenario,
  STEP_KINDS,
  type Step,
  type StepKind,
  scenarioSchemas,
  stepKind,
} from './schema.ts';
import { CONFIG_NAMES, OPEN, type ScopeShape, unknownVariables } from './vars.ts';

/** Root of the package (holds scenarios/ and src/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The catalogue shipped with the tool. */
export const DEFAULT_SCENARIO_DIR = path.join(PACKAGE_ROOT, 'scenarios');

export interface LoadProblem {
  file: string;
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `steps[2].expect.returnCode`. */
  where?: string;
  message: string;
}

export const formatProblem = (p: LoadProblem) =>
  `${p.file}${p.line !== undefined ? `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}` : ''}: ${p.where ? `${p.where}: ` : ''}${p.message}`;

export class ScenarioLoadError extends Error {
  constructor(readonly problems: LoadProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioLoadError';
  }
}

/** A path shown in results: relative to the package root when inside it, else to the working directory. */
export function displayPath(abs: string): string {
  const inPackage = path.relative(PACKAGE_ROOT, abs);
  if (!inPackage.startsWith('..') && !path.isAbsolute(inPackage)) return inPackage.split(path.sep).join('/');
  return path.relative(process.cwd(), abs).split(path.sep).join('/') || abs;
}

/** Expands files and directories (recursively) into the YAML files they hold, sorted. */
export function scenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string, explicit: boolean) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new ScenarioLoadError([{ file: p, message: 'no such file or directory' }]);
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name.startsWith('.')) continue;
        visit(path.join(p, name), false);
      }
    } else if (explicit || /\.ya?ml$/i.test(p)) out.push(path.resolve(p));
  };
  for (const p of paths) visit(p, true);
  return [...new Set(out)];
}

/** Parses and validates the scenarios of one file's text. Never throws: problems are returned. */
export function parseScenarioText(
  text: string,
  file: string,
  index: ProfileIndex,
): { scenarios: Scenario[]; problems: LoadProblem[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: LoadProblem[] = [];
  const scenarios: Scenario[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const at = (offset: number | undefined) => {
      if (offset === undefined) return {};
      const pos = lineCounter.linePos(offset);
      return { line: pos.line, column: pos.col };
    };
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        problems.push({ file, ...at(e.pos[0]), message: `YAML: ${e.message.split('\n')[0]}` });
      continue;
    }
    if (doc.contents === null) continue;
    const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
    const result = validateScenario(data, index);
    for (const issue of result.issues) {
      const offset = offsetOf(doc, issue.path, issue.key);
      problems.push({ file, ...at(offset), where: pathText(issue.path, issue.key), message: issue.message });
    }
    if (result.scenario) {
      const stepLines = result.scenario.steps.map((_, i) => at(offsetOf(doc, ['steps', i])).line ?? 0);
      scenarios.push({ ...result.scenario, file, stepLines });
    }
  }
  return { scenarios, problems };
}

/** Loads every scenario under the given paths; throws {@link ScenarioLoadError} listing all problems. */
export function loadScenarios(paths: string[], index: ProfileIndex): Scenario[] {
  const problems: LoadProblem[] = [];
  const scenarios: Scenario[] = [];
  for (const abs of scenarioFiles(paths)) {
    const file = displayPath(abs);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch (e) {
      problems.push({ file, message: `cannot read: ${(e as Error).message}` });
      continue;
    }
    const r = parseScenarioText(text, file, index);
    problems.push(...r.problems);
    scenarios.push(...r.scenarios);
  }
  problems.push(...duplicateIds(scenarios));
  if (problems.length > 0) throw new ScenarioLoadError(problems);
  return scenarios;
}

/** Scenario ids must be unique across the whole catalogue. */
export function duplicateIds(scenarios: Scenario[]): LoadProblem[] {
  const seen = new Map<string, Scenario>();
  const out: LoadProblem[] = [];
  for (const s of scenarios) {
    const first = seen.get(s.id);
    if (first)
      out.push({
        file: s.file,
        where: 'id',
        message: `scenario id "${s.id}" is already used in ${first.file}`,
      });
    else seen.set(s.id, s);
  }
  return out;
}

interface Issue {
  path: (string | number)[];
  /** An unknown key: the problem points at the key itself. */
  key?: string;
  message: string;
}

/** Validates one document: header, then each step against the schema of its kind, then the profile. */
export function validateScenario(
  data: unknown,
  index: ProfileIndex,
): { scenario?: Omit<Scenario, 'file'>; issues: Issue[] } {
  const schemas = scenarioSchemas(index);
  const issues: Issue[] = [];
  const header = schemas.scenarioHeader.safeParse(data);
  if (!header.success) issues.push(...zodIssues(header.error, [], schemas.scenarioHeader, data));
  const rawSteps = Array.isArray((data as { steps?: unknown })?.steps)
    ? ((data as { steps: unknown[] }).steps as unknown[])
    : [];
  const steps: Step[] = [];
  rawSteps.forEach((raw, i) => {
    const at: (string | number)[] = ['steps', i];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      issues.push({ path: at, message: `must be an object with one of ${STEP_KINDS.join(', ')}` });
      return;
    }
    const kinds = STEP_KINDS.filter((k) => k in raw);
    if (kinds.length !== 1) {
      issues.push({
        path: at,
        message:
          kinds.length === 0
            ? `must hold one of ${STEP_KINDS.join(', ')} (found: ${Object.keys(raw).join(', ') || 'nothing'})`
            : `holds ${kinds.join(' and ')}: one step does one thing`,
      });
      return;
    }
    const parsed = schemas.steps[kinds[0]!].safeParse(raw);
    if (!parsed.success)
      issues.push(...zodIssues(parsed.error, at, schemas.steps[kinds[0]!], raw, kindText(kinds[0]!, raw)));
    else steps.push(parsed.data as Step);
  });
  if (!header.success || steps.length !== rawSteps.length) return { issues };
  const scenario = { ...header.data, steps } as Omit<Scenario, 'file'>;
  issues.push(...semanticIssues(scenario, index));
  return issues.length > 0 ? { issues } : { scenario, issues };
}

/** The step keys whose strings hold `${…}` variables (vars.ts), replaced when the step runs. */
const INTERPOLATED = ['set', 'expect', 'get', 'raw'] as const;

/**
 * The names a step's variables may use (vars.ts): fixed namespaces, the config and settings names,
 * the ids of earlier steps and the names captured before; `ticket.*` and `data.*` once a create came.
 */
function scopeShape(
  index: ProfileIndex,
  before: { created: boolean; steps: string[]; vars: string[] },
): ScopeShape {
  const names = (list: Iterable<string>, leaf: ScopeShape[string]) =>
    Object.fromEntries([...list].map((n) => [n, leaf])) as ScopeShape;
  return {
    ticket: before.created ? names(['key', 'state', 'version'], true) : {},
    steps: names(before.steps, OPEN),
    data: before.created
      ? names(
          index.profile.fields.map((f) => f.name),
          true,
        )
      : {},
    vars: names(before.vars, true),
    config: names(CONFIG_NAMES, true),
    settings: names(Object.keys(index.settings), OPEN),
  };
}

function semanticIssues(s: Omit<Scenario, 'file'>, index: ProfileIndex): Issue[] {
  const issues: Issue[] = [];
  const book = rulebookOf(index);
  const ids = new Map<string, number>();
  const creates = new Set<string>();
  let created = false;
  const earlier: string[] = [];
  const captured: string[] = [];
  s.steps.forEach((step, i) => {
    const at = (...p: (string | number)[]) => ['steps', i, ...p];
    const kind = stepKind(step);
    const shape = scopeShape(index, { created, steps: earlier, vars: captured });
    for (const key of INTERPOLATED) {
      if (!(key in step)) continue;
      for (const message of unknownVariables((step as Record<string, unknown>)[key], shape))
        issues.push({ path: at(key), message });
    }
    if (step.id !== undefined) {
      if (ids.has(step.id))
        issues.push({
          path: at('id'),
          message: `step id "${step.id}" is already used by steps[${ids.get(step.id)}]`,
        });
      ids.set(step.id, i);
    }
    if ('rule' in step && step.rule !== undefined && !book.get(step.rule)) {
      issues.push({
        path: at('rule'),
        message: `unknown rule "${step.rule}" (see src/scenario/rulebook.ts)`,
      });
    }
    if ('ticket' in step && step.ticket !== undefined && !creates.has(step.ticket)) {
      issues.push({
        path: at('ticket'),
        message: `"${step.ticket}" is not the id of an earlier create step`,
      });
    }
    const isCreate = kind === 'oc' && 'oc' in step && step.oc === 'create';
    const needsTicket =
      (kind === 'oc' &&
        'oc' in step &&
        step.oc !== 'create' &&
        !(step.get && (step.get.key !== undefined || step.get.technicalId !== undefined))) ||
      kind === 'oi' ||
      kind === 'receive' ||
      kind === 'push' ||
      kind === 'endpoint';
    if (needsTicket && !created && !('ticket' in step && step.ticket)) {
      issues.push({ path: at(kind), message: 'acts on a ticket, but no create step comes before it' });
    }
    if (isCreate) {
      created = true;
      if (step.id) creates.add(step.id);
    }
    if (step.id !== undefined) earlier.push(step.id);
    if ('capture' in step && step.capture) captured.push(...Object.keys(step.capture));
    if ('credentials' in step && step.credentials === 'other') {
      if (kind === 'push')
        issues.push({
          path: at('credentials'),
          message:
            'credentials: other is a second OC account; a push step carries the OI credentials (default, wrong-password, unknown-login, none)',
        });
      else if (!s.requires?.includes('other-oc'))
        issues.push({
          path: at('credentials'),
          message:
            'credentials: other needs `requires: [other-oc]` (a second OC account: without one, the scenario is skipped rather than run halfway)',
        });
    }
    if (kind === 'push' && s.roles.includes('oc')) {
      issues.push({
        path: at('push'),
        message: 'push steps (the harness pushes as the OI) need roles: [oi]',
      });
    }
    if (kind === 'endpoint' && s.roles.includes('oi')) {
      issues.push({
        path: at('endpoint'),
        message: 'endpoint steps (the harness OC endpoint) need roles: [oc]',
      });
    }
    if ((kind === 'oi' || kind === 'receive') && s.roles.includes('oc') && 'expect' in step && step.expect) {
      for (const key of PUSH_ANSWER_EXPECT.filter((k) => step.expect?.[k] !== undefined))
        issues.push({
          path: at('expect'),
          key,
          message: `expectation "${key}" (given: ${JSON.stringify(step.expect[key])}) on a \`${kind}\` step is about the OC's answer to the push: role oi only (in role oc the harness OC endpoint answers, so it can only fail); put it in a scenario with roles: [oi]`,
        });
    }
    if (kind === 'oi' && 'oi' in step && step.set) {
      issues.push(...oiSetIssues(step.oi, step.set, index).map((p) => ({ ...p, path: at('set') })));
    }
    if (kind === 'meta' && s.roles.includes('oi')) {
      issues.push({ path: at('meta'), message: 'meta steps (the harness calls the OI) need roles: [oc]' });
    }
  });
  return issues;
}

/** How messages name a step kind: `oc: get` apart from the other `oc` steps. */
function kindText(kind: StepKind, raw: object): string {
  return kind === 'oc' && (raw as { oc?: unknown }).oc === 'get' ? '`oc: get`' : `\`${kind}\``;
}

/** The step kinds whose expectations include a key. */
const kindsExpecting = (key: string) =>
  Object.entries(EXPECT_KEYS_BY_KIND)
    .filter(([, keys]) => (keys as readonly string[]).includes(key))
    .map(([k]) => k);

/**
 * An expectation the step kind cannot meet (EXPECT_KEYS_BY_KIND): the kind, the value, the
 * expectations it accepts and the kinds that accept this one.
 */
function expectNotForKind(key: string, value: unknown, kind: string, allowed: string[]): string {
  const others = kindsExpecting(key);
  return `expectation "${key}"${value === undefined ? '' : ` (given: ${JSON.stringify(value)})`} does not apply to ${kind} steps, which could only fail it; ${kind} steps expect: ${allowed.join(', ')}${others.length ? ` ("${key}" is for ${others.join(', ')} steps)` : ''}`;
}

/**
 * The fields an \`oi\` step sets must be ones §8 lists for its R7 action (and that the OI side may
 * set: identity, state, version, action code and dates are the OI's own), as the mock's control API
 * and engine check them. \`push\` steps are free: they send hand-made messages on purpose.
 */
function oiSetIssues(
  name: string,
  set: Record<string, unknown>,
  index: ProfileIndex,
): { key: string; message: string }[] {
  const action = index.activeActions.find((a) => a.catalogue === 'R7' && shortActionName(a) === name);
  if (!action) return [];
  const overrides = Object.fromEntries(
    Object.entries(set).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]),
  );
  const refusal = refuseOverrides(index, action, overrides);
  if (!refusal) return [];
  const accepted = refusal.accepted.join(', ') || 'no field';
  return refusal.problems.map((problem) => {
    const key = problem.slice(0, problem.indexOf(':'));
    return {
      key,
      message: `set on ${action.id}: ${problem}; the fields ${action.id} lists that a scenario may set (§8): ${accepted}`,
    };
  });
}

function zodIssues(
  error: z.ZodError,
  prefix: (string | number)[],
  schema: z.ZodType,
  data: unknown,
  kind?: string,
): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const rel = issue.path as (string | number)[];
    const p = [...prefix, ...rel];
    const value = valueAt(data, rel);
    const given = value === undefined ? '' : ` (given: ${JSON.stringify(value)})`;
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(schema, rel) ?? [];
      const inExpect = kind !== undefined && rel.at(-1) === 'expect';
      for (const key of issue.keys) {
        if (inExpect && kindsExpecting(key).length > 0) {
          const value = valueAt(data, [...rel, key]);
          out.push({ path: p, key, message: expectNotForKind(key, value, kind, allowed) });
          continue;
        }
        const near = closest(key, allowed);
        const hint = allowed.length
          ? ` (${near ? `did you mean "${near}"? ` : ''}allowed: ${allowed.join(', ')})`
          : '';
        out.push({ path: p, key, message: `unknown key "${key}"${hint}` });
      }
    } else if (issue.code === 'invalid_union' && 'errors' in issue && Array.isArray(issue.errors)) {
      const msgs = [
        ...new Set(
          (issue.errors as z.core.$ZodIssue[][]).flat().map((i) => {
            const where = i.path.length ? `${pathText(i.path as (string | number)[])}: ` : '';
            return `${where}${i.message.replace(/^Invalid option: expected one of /, 'must be one of ')}`;
          }),
        ),
      ];
      out.push({ path: p, message: `${msgs.length ? msgs.join('; or ') : issue.message}${given}` });
    } else if (issue.code === 'invalid_value' && 'values' in issue) {
      out.push({
        path: p,
        message: `${issue.message.replace(/^Invalid option: expected one of /, 'must be one of ')}${given}`,
      });
    } else out.push({ path: p, message: `${issue.message}${given}` });
  }
  return out;
}

function valueAt(data: unknown, p: (string | number)[]): unknown {
  let cur = data;
  for (const part of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[part];
  }
  return cur;
}

/** The keys the object schema at a path allows (through optional, default and array wrappers). */
function keysAt(schema: z.ZodType, p: (string | number)[]): string[] | undefined {
  const unwrap = (x: z.ZodType): z.ZodType => {
    let cur = x;
    while (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable)
      cur = cur.unwrap() as z.ZodType;
    return cur;
  };
  let cur: z.ZodType | undefined = schema;
  for (const part of p) {
    cur = unwrap(cur);
    if (typeof part === 'number') cur = cur instanceof z.ZodArray ? (cur.element as z.ZodType) : undefined;
    else cur = cur instanceof z.ZodObject ? (cur.shape[part] as z.ZodType | undefined) : undefined;
    if (!cur) return undefined;
  }
  cur = unwrap(cur);
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : undefined;
}

/** The allowed name nearest a misspelt one (edit distance at most 2, or a case-only difference). */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const a of allowed) {
    const d = a.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, a);
    if (d < bestD) [best, bestD] = [a, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      // Damerau-free Levenshtein; a swap of two letters ("expcet") costs 2.
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

function pathText(p: (string | number)[], key?: string): string {
  let s = '';
  for (const part of key !== undefined ? [...p, key] : p) {
    s += typeof part === 'number' ? `[${part}]` : s ? `.${part}` : part;
  }
  return s || '(document)';
}

/** Offset of the node at a path (or of its nearest existing ancestor, or of an unknown key). */
function offsetOf(doc: Document, p: (string | number)[], key?: string): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = doc.getIn(p.slice(0, n), true) as Node | undefined;
    if (!node || !('range' in node) || !node.range) continue;
    if (key !== undefined && n === p.length && isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (n < p.length && isMap(node)) {
      // Point at the key of the missing or wrong entry when it exists.
      const next = p[n];
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === next);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    return node.range[0];
  }
  return undefined;
}
