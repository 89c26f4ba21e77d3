/**
 * `sav-ftth report <run.json> [--format html|junit|md|json] [--out file]`: re-renders a run kept
 * on disk. The file is checked against the run result schema first, so a wrong or truncated file
 * gives a message naming the field instead of a broken report.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { renderHtml, renderJson, renderJunit, renderMarkdown } from '../reports/index.ts';
import { runResultSchema } from '../reports/run-result.zod.ts';
import { RUN_RESULT_VERSIONS, type RunResult } from '../scenario/result.ts';
import type { CliIo } from './commands.ts';

export const REPORT_USAGE = `Usage: sav-ftth report <run.json> [--format html|junit|md|json] [--role oc|oi] [--out <file>]

Re-renders a conformance run kept on disk (the run.json that \`sav-ftth run\` writes to its report
directory, or the JSON array that \`sav-ftth run --json\` prints, one run per role) as another
report format.

Options:
  -f, --format <format>   html (default): self-contained HTML report, readable offline
                          junit: JUnit XML for CI systems
                          md: Markdown summary for pull requests and chat
                          json: canonical run.json (stable order, same bytes for the same run)
  -r, --role <oc|oi>      the run of this role (needed when the file holds the runs of both roles)
  -o, --out <file>        write to this file (directories are created); default: standard output
  -h, --help              show this help

Exit status: 0 report written, 2 usage error, unreadable file or file that is not a run result
(schema ${listOf(RUN_RESULT_VERSIONS, 'or')}).
`;

/** `1.0, 1.1 and 1.2` */
function listOf(items: readonly string[], last: 'and' | 'or'): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

const RENDER = {
  html: (run: RunResult) => renderHtml(run),
  junit: renderJunit,
  md: renderMarkdown,
  json: renderJson,
} as const;

type Format = keyof typeof RENDER;

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  let values: { format?: string; out?: string; role?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        role: { type: 'string', short: 'r' },
      },
    }));
  } catch (e) {
    io.err(`sav-ftth report: ${(e as Error).message}`);
    io.err(REPORT_USAGE);
    return 2;
  }
  const format = values.format ?? 'html';
  if (!(format in RENDER)) {
    io.err(`sav-ftth report: --format "${format}" is not one of ${Object.keys(RENDER).join(', ')}`);
    return 2;
  }
  const role = values.role;
  if (role !== undefined && !ROLES.includes(role as Role)) {
    io.err(`sav-ftth report: --role "${role}" is not one of ${ROLES.join(', ')}`);
    return 2;
  }
  if (positionals.length !== 1) {
    io.err(`sav-ftth report: expected exactly one run.json, got ${positionals.length}`);
    io.err(REPORT_USAGE);
    return 2;
  }
  const file = positionals[0]!;
  const loaded = await loadRun(file, role as Role | undefined);
  if (!loaded.ok) {
    for (const line of loaded.errors) io.err(`sav-ftth report: ${line}`);
    return 2;
  }
  const text = RENDER[format as Format](loaded.run);
  if (values.out) {
    try {
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, text);
    } catch (e) {
      io.err(`sav-ftth report: cannot write ${values.out}: ${(e as Error).message}`);
      return 2;
    }
    io.err(`${format} report of ${file} written to ${values.out}`);
  } else {
    io.out(text.endsWith('\n') ? text.slice(0, -1) : text);
  }
  return 0;
}

export type LoadedRun = { ok: true; run: RunResult } | { ok: false; errors: string[] };

const ROLES = ['oc', 'oi'] as const;
type Role = (typeof ROLES)[number];

/**
 * Reads and checks a run.json, or the array `sav-ftth run --json` prints (one run per role, the
 * one of `role` taken); errors name the file, the field path and the problem.
 */
export async function loadRun(file: string, role?: Role): Promise<LoadedRun> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return {
      ok: false,
      errors: [`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`],
    };
  }
  return parseRun(text, file, role);
}

export function parseRun(text: string, file = 'run.json', role?: Role): LoadedRun {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${file}: not JSON: ${(e as Error).message}`] };
  }
  if (Array.isArray(data)) return pickRun(data, file, role);
  const checked = checkRun(data, file, '');
  if (checked.ok && role !== undefined && checked.run.implementation.role !== role)
    return { ok: false, errors: [`${file}: a run of role ${checked.run.implementation.role}, not ${role}`] };
  return checked;
}

/** The array of `sav-ftth run --json`: every element must be a run result; one is taken by role. */
function pickRun(list: unknown[], file: string, role: Role | undefined): LoadedRun {
  const what = `a JSON array of ${list.length} run result${list.length === 1 ? '' : 's'}`;
  if (list.length === 0)
    return {
      ok: false,
      errors: [
        `${file}: a JSON array with no run result (\`sav-ftth run --json\` prints one per role): give a run.json from a report directory`,
      ],
    };
  const runs: RunResult[] = [];
  const errors: string[] = [];
  list.forEach((item, i) => {
    const checked = checkRun(item, file, `[${i}]`);
    if (checked.ok) runs.push(checked.run);
    else errors.push(...checked.errors);
  });
  if (errors.length) {
    const head = `${file}: a JSON array of ${list.length} element${list.length === 1 ? '' : 's'}, not all of them run results (this command reads a run.json, or the array \`sav-ftth run --json\` prints):`;
    return { ok: false, errors: [head, ...errors] };
  }
  const roles = runs.map((r) => r.implementation.role);
  if (role === undefined) {
    if (runs.length === 1) return { ok: true, run: runs[0]! };
    return {
      ok: false,
      errors: [
        `${file}: ${what} (roles ${roles.join(', ')}), as \`sav-ftth run --json\` prints it: choose one with ${[...new Set(roles)].map((r) => `--role ${r}`).join(' or ')}`,
      ],
    };
  }
  const matching = runs.filter((r) => r.implementation.role === role);
  if (matching.length === 1) return { ok: true, run: matching[0]! };
  return {
    ok: false,
    errors: [
      matching.length === 0
        ? `${file}: ${what} holds no run of role ${role} (roles: ${roles.join(', ')})`
        : `${file}: ${what} holds ${matching.length} runs of role ${role} (at ${roles.flatMap((r, i) => (r === role ? [`[${i}]`] : [])).join(', ')}): keep one`,
    ],
  };
}

/** One run result checked against the schema; `at` prefixes the field paths (`[1]` in an array). */
function checkRun(data: unknown, file: string, at: string): LoadedRun {
  const where = at ? `${file}: ${at}` : file;
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (data !== null && typeof data === 'object' && !RUN_RESULT_VERSIONS.includes(version as never)) {
    return {
      ok: false,
      errors: [
        `${where}: schemaVersion ${JSON.stringify(version)} is not supported (this tool reads run results ${listOf(RUN_RESULT_VERSIONS, 'and')})`,
      ],
    };
  }
  const parsed = runResultSchema.safeParse(data);
  if (parsed.success) return { ok: true, run: parsed.data };
  const errors = parsed.error.issues.slice(0, 20).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const field = at ? `${at}${path}` : path.replace(/^\./, '');
    return `${file}: ${field || '(root)'}: ${i.message}`;
  });
  if (parsed.error.issues.length > 20)
    errors.push(`${file}: …and ${parsed.error.issues.length - 20} more problems`);
  return { ok: false, errors };
}
