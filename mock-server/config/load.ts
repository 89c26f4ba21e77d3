/**
 * Builds the mock's configuration from, in increasing priority: defaults, one YAML file,
 * environment variables, CLI flags (or an in-process object). Every problem is reported with the
 * key, the value, what is wrong and where the value came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { maskUrlPasswords } from '../../src/soap/redact.ts';
import { configSchema, type MockConfig } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid mock configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Path = (string | number)[];
type Kind = 'string' | 'int' | 'bool';

/** Environment variables the mock reads; documented in mock-server/config/example.yaml. */
export const ENV_VARS: { name: string; path: Path; kind: Kind }[] = [
  { name: 'SAV_FTTH_HOST', path: ['host'], kind: 'string' },
  { name: 'SAV_FTTH_PORT', path: ['port'], kind: 'int' },
  { name: 'SAV_FTTH_HTTPS', path: ['https', 'enabled'], kind: 'bool' },
  { name: 'SAV_FTTH_HTTPS_PORT', path: ['https', 'port'], kind: 'int' },
  { name: 'SAV_FTTH_HTTPS_CERT', path: ['https', 'cert'], kind: 'string' },
  { name: 'SAV_FTTH_HTTPS_KEY', path: ['https', 'key'], kind: 'string' },
  { name: 'SAV_FTTH_PATH', path: ['path'], kind: 'string' },
  { name: 'SAV_FTTH_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { name: 'SAV_FTTH_MEMORY', path: ['memory'], kind: 'bool' },
  { name: 'SAV_FTTH_PROFILE', path: ['profile'], kind: 'string' },
  { name: 'SAV_FTTH_OI_SIREN', path: ['oiSiren'], kind: 'string' },
  { name: 'SAV_FTTH_PUSH_URL', path: ['push', 'url'], kind: 'string' },
  { name: 'SAV_FTTH_PUSH_LOGIN', path: ['push', 'login'], kind: 'string' },
  { name: 'SAV_FTTH_PUSH_PASSWORD', path: ['push', 'password'], kind: 'string' },
  { name: 'SAV_FTTH_PUSH_CA', path: ['push', 'ca'], kind: 'string' },
  { name: 'SAV_FTTH_PUSH_INSECURE', path: ['push', 'insecure'], kind: 'bool' },
  { name: 'SAV_FTTH_INVENTORY_CSV', path: ['inventory', 'csv'], kind: 'string' },
  { name: 'SAV_FTTH_INVENTORY_SEED', path: ['inventory', 'seed'], kind: 'int' },
  { name: 'SAV_FTTH_CONTROL_TOKEN', path: ['control', 'token'], kind: 'string' },
  { name: 'SAV_FTTH_CONTROL_PORT', path: ['control', 'port'], kind: 'int' },
  { name: 'SAV_FTTH_CONTROL_HOST', path: ['control', 'host'], kind: 'string' },
  { name: 'SAV_FTTH_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { name: 'SAV_FTTH_DECODE_WORKERS', path: ['decodeWorkers'], kind: 'int' },
];

/** Keys holding file paths: relative values are resolved against the YAML file's directory. */
const FILE_KEYS: Path[] = [
  ['dataDir'],
  ['https', 'cert'],
  ['https', 'key'],
  ['inventory', 'csv'],
  ['push', 'ca'],
];

/** {@link FILE_KEYS} and every account's `push.ca`. */
function fileKeys(data: unknown): Path[] {
  const accounts = getPath(data, ['accounts']);
  const perAccount = Array.isArray(accounts)
    ? accounts.map((_, i): Path => ['accounts', i, 'push', 'ca'])
    : [];
  return [...FILE_KEYS, ...perAccount];
}

export interface LoadOptions {
  /** YAML file (flag --config or SAV_FTTH_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by config path, with the flag name to blame, e.g. `{ path: ['port'], value: 1, source: '--port' }`. */
  flags?: { path: Path; value: unknown; source: string }[];
  /** An in-process config object (startMock), applied over the file and env. */
  overrides?: Record<string, unknown>;
  cwd?: string;
}

export const pathString = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`),
    '',
  );

function setPath(target: Record<string, unknown>, path: Path, value: unknown): void {
  let o: Record<string, unknown> = target;
  for (const [i, k] of path.slice(0, -1).entries()) {
    const next = o[k];
    // A list is walked into by index (accounts[1].push.ca), replaced by a key.
    const keep =
      typeof next === 'object' && next !== null && Array.isArray(next) === (typeof path[i + 1] === 'number');
    if (!keep) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

function getPath(target: unknown, path: Path): unknown {
  let o = target;
  for (const k of path) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<string | number, unknown>)[k];
  }
  return o;
}

/** Deep merge of plain objects; arrays and scalars of `over` replace. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> =>
      typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? merge(b, v) : v;
  }
  return out;
}

function convert(raw: string, kind: Kind): unknown {
  const v = raw.trim();
  if (kind === 'int') return /^-?\d+$/.test(v) ? Number(v) : raw;
  if (kind === 'bool') {
    if (/^(true|1|yes|on)$/i.test(v)) return true;
    if (/^(false|0|no|off)$/i.test(v)) return false;
  }
  return raw;
}

function readYaml(file: string): { data: Record<string, unknown>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      data: {},
      problems: [
        `config file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      ],
    };
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // prettyErrors ends the first line with a colon before a code excerpt; the excerpt is left
    // out (it may show a password), and the colon with it.
    return {
      data: {},
      problems: doc.errors.map(
        (e) => `config file ${file}: ${e.message.split('\n')[0]!.replace(/:\s*$/, '')}`,
      ),
    };
  }
  const data = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      data: {},
      problems: [`config file ${file}: must be a YAML mapping of keys (host, port, accounts, …)`],
    };
  }
  return { data: data as Record<string, unknown>, problems: [] };
}

/** Keys whose values are secrets: an error names the key and the problem, never the value. */
const SECRET_KEY = /password|token|^key$/i;

function describeInput(input: unknown, key: PropertyKey | undefined): string {
  // A mapping is named by its key alone: its values may hold passwords.
  if (input === undefined || (typeof input === 'object' && input !== null && !Array.isArray(input)))
    return '';
  if (typeof key === 'string' && SECRET_KEY.test(key)) return '(value hidden) ';
  const json = JSON.stringify(input);
  if (json === undefined) return '';
  const s = maskUrlPasswords(json);
  return `${s.length > 60 ? `${s.slice(0, 57)}...` : s} `;
}

/**
 * Where a key's value came from: a file, an environment variable or a flag. `exact`: only if the
 * key itself was given there (not a default, nor a key of a block the file gives).
 */
export type SourceOf = (path: string, exact?: boolean) => string | undefined;

/**
 * The keys a cross-key issue depends on besides its own (zod issue `params.related`, set by the
 * schema's refinements): `https.key: is required when https.cert is set` depends on https.cert.
 */
function relatedKeys(issue: z.core.$ZodIssue): string[] {
  const related: unknown = issue.code === 'custom' ? issue.params?.related : undefined;
  return Array.isArray(related) ? related.filter((k): k is string => typeof k === 'string') : [];
}

/**
 * ` (from S)` when every key named comes from S, else ` (https.cert from S1, https.key from S2)`;
 * keys of unknown source (defaults, in-process options) are left out. `own`: the key the line
 * blames, when it holds a value.
 */
export function sourceNote(
  own: { key: string; source: string | undefined } | undefined,
  related: { key: string; source: string | undefined }[] = [],
): string {
  const known = [...(own ? [own] : []), ...related].filter((e) => e.source !== undefined);
  if (known.length === 0) return '';
  if (own?.source !== undefined && known.every((e) => e.source === own.source))
    return ` (from ${own.source})`;
  return ` (${known.map((e) => `${e.key} from ${e.source}`).join(', ')})`;
}

/**
 * One line per issue: `accounts[1].siren: "12345" must be 9 digits (from config.yaml)`. An issue
 * spanning keys names where the value that triggers it came from:
 * `https.key: is required when https.cert is set (https.cert from SAV_FTTH_HTTPS_CERT)`.
 */
export function formatIssues(error: z.ZodError, data: unknown, sourceOf: SourceOf): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const p = pathString([...issue.path, key]);
        lines.push(withSource(`${p}: unknown key`, sourceOf(p)));
      }
      continue;
    }
    const p = pathString(issue.path) || '(config)';
    const input = getPath(data, issue.path as Path);
    const message = input === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
    const line = `${p}: ${describeInput(input, issue.path.at(-1))}${message}`;
    const related = relatedKeys(issue);
    if (related.length === 0) {
      lines.push(withSource(line, sourceOf(p)));
      continue;
    }
    // The blamed key may be absent (a default, or the missing half of a pair): then only the
    // keys whose values trigger the rule are named.
    const own = input === undefined ? undefined : { key: p, source: sourceOf(p) };
    lines.push(
      `${line}${sourceNote(
        own,
        related.map((key) => ({ key, source: sourceOf(key, true) })),
      )}`,
    );
  }
  return lines;
}

const withSource = (line: string, source?: string) => (source ? `${line} (from ${source})` : line);

/**
 * The path of every node of a YAML/JSON value: `accounts`, `accounts[0]`, `accounts[0].login`, …
 * (a list is a leaf: a later source replaces it whole). An object met twice (an in-process option
 * may be cyclic) is not walked again.
 */
function nodePaths(
  value: unknown,
  prefix: Path = [],
  seen = new WeakSet<object>(),
): { path: string; leaf: boolean }[] {
  if (typeof value !== 'object' || value === null || seen.has(value))
    return [{ path: pathString(prefix), leaf: true }];
  seen.add(value);
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  const here = prefix.length ? [{ path: pathString(prefix), leaf: Array.isArray(value) }] : [];
  return [...here, ...entries.flatMap(([k, v]) => nodePaths(v, [...prefix, k], seen))];
}

const within = (path: string, ancestor: string) =>
  path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);

/** The source of each key of a loaded configuration (see {@link configSource}). */
const loadedSources = new WeakMap<object, SourceOf>();

/**
 * Where a key of a configuration {@link loadConfig} returned came from (file, environment variable
 * or flag), for errors found after loading (a certificate file that does not parse); undefined
 * for a default or an in-process option.
 */
export function configSource(config: MockConfig, key: string): string | undefined {
  return loadedSources.get(config)?.(key, true);
}

/** Loads, merges and validates the configuration. Throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadOptions = {}): MockConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const sources = new Map<string, string>();
  /** Every key the file gives, by path (before the environment and flags override some). */
  const fileKeyPaths = new Set<string>();
  let data: Record<string, unknown> = {};

  const file = options.file ?? env.SAV_FTTH_CONFIG;
  if (file) {
    const path = resolve(cwd, file);
    const yaml = readYaml(path);
    problems.push(...yaml.problems);
    for (const key of fileKeys(yaml.data)) {
      const v = getPath(yaml.data, key);
      if (typeof v === 'string' && !v.startsWith('-----BEGIN') && !isAbsolute(v))
        setPath(yaml.data, key, resolve(dirname(path), v));
    }
    data = yaml.data;
    sources.set('', file);
    for (const n of nodePaths(data)) fileKeyPaths.add(n.path);
  }
  for (const e of ENV_VARS) {
    const raw = env[e.name];
    if (raw === undefined || raw === '') continue;
    setPath(data, e.path, convert(raw, e.kind));
    sources.set(pathString(e.path), e.name);
  }
  if (options.overrides) {
    data = merge(data, options.overrides);
    // An in-process option has no source to name; it replaces what the file or environment gave.
    for (const o of nodePaths(options.overrides).filter((n) => n.leaf)) {
      for (const p of [...fileKeyPaths, ...sources.keys()]) {
        if (p !== '' && within(p, o.path)) {
          fileKeyPaths.delete(p);
          sources.delete(p);
        }
      }
    }
  }
  for (const f of options.flags ?? []) {
    setPath(data, f.path, f.value);
    sources.set(pathString(f.path), f.source);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const sourceOf: SourceOf = (p, exact = false) => {
    if (exact) return sources.get(p) ?? (fileKeyPaths.has(p) ? sources.get('') : undefined);
    for (let q = p; q !== ''; q = q.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
      const s = sources.get(q);
      if (s) return s;
      if (!/[.[]/.test(q)) break;
    }
    return sources.get('');
  };
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, data, sourceOf));
  const config = parsed.data;
  for (const key of fileKeys(config)) {
    const v = getPath(config, key);
    if (typeof v === 'string' && !v.startsWith('-----BEGIN'))
      setPath(config as unknown as Record<string, unknown>, key, resolve(cwd, v));
  }
  loadedSources.set(config, sourceOf);
  return config;
}

/**
 * Reads a PEM given inline or as a file path; names the key, and `source` (where the value came
 * from, see {@link configSource}), when the file cannot be read.
 */
export function readPem(value: string, key: string, source?: string): string {
  if (value.startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    throw new ConfigError([
      `${key}: ${JSON.stringify(value)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})${sourceNote({ key, source })}`,
    ]);
  }
}
