/**
 * Builds the mock's configuration from, in increasing priority: defaults, one YAML file,
 * environment variables, CLI flags (or an in-process object). Every problem is reported with the
 * key, the value, what is wrong and where the value came from.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
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
    return { data: {}, problems: doc.errors.map((e) => `config file ${file}: ${e.message.split('\n')[0]}`) };
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
  const s = JSON.stringify(input);
  if (s === undefined) return '';
  return `${s.length > 60 ? `${s.slice(0, 57)}...` : s} `;
}

/** One line per issue: `accounts[1].siren: "12345" must be 9 digits (from config.yaml)`. */
export function formatIssues(
  error: z.ZodError,
  data: unknown,
  sourceOf: (path: string) => string | undefined,
): string[] {
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
    lines.push(withSource(`${p}: ${describeInput(input, issue.path.at(-1))}${message}`, sourceOf(p)));
  }
  return lines;
}

const withSource = (line: string, source?: string) => (source ? `${line} (from ${source})` : line);

/** Loads, merges and validates the configuration. Throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadOptions = {}): MockConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const sources = new Map<string, string>();
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
  }
  for (const e of ENV_VARS) {
    const raw = env[e.name];
    if (raw === undefined || raw === '') continue;
    setPath(data, e.path, convert(raw, e.kind));
    sources.set(pathString(e.path), e.name);
  }
  if (options.overrides) data = merge(data, options.overrides);
  for (const f of options.flags ?? []) {
    setPath(data, f.path, f.value);
    sources.set(pathString(f.path), f.source);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const sourceOf = (p: string) => {
      for (let q = p; q !== ''; q = q.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
        const s = sources.get(q);
        if (s) return s;
        if (!/[.[]/.test(q)) break;
      }
      return sources.get('');
    };
    throw new ConfigError(formatIssues(parsed.error, data, sourceOf));
  }
  const config = parsed.data;
  for (const key of fileKeys(config)) {
    const v = getPath(config, key);
    if (typeof v === 'string' && !v.startsWith('-----BEGIN'))
      setPath(config as unknown as Record<string, unknown>, key, resolve(cwd, v));
  }
  return config;
}

/** Reads a PEM given inline or as a file path; names the key when the file cannot be read. */
export function readPem(value: string, key: string): string {
  if (value.startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    throw new ConfigError([
      `${key}: ${JSON.stringify(value)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ]);
  }
}
