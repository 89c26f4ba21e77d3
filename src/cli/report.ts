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
import { RUN_RESULT_VERSION, type RunResult } from '../scenario/result.ts';
import type { CliIo } from './commands.ts';

export const REPORT_USAGE = `Usage: sav-ftth report <run.json> [--format html|junit|md|json] [--out <file>]

Re-renders a conformance run kept on disk (the run.json that \`sav-ftth run\` writes to its report
directory) as another report format.

Options:
  -f, --format <format>   html (default): self-contained HTML report, readable offline
                          junit: JUnit XML for CI systems
                          md: Markdown summary for pull requests and chat
                          json: canonical run.json (stable order, same bytes for the same run)
  -o, --out <file>        write to this file (directories are created); default: standard output
  -h, --help              show this help

Exit status: 0 report written, 2 usage error, unreadable file or file that is not a run result
(schema ${RUN_RESULT_VERSION}).
`;

const RENDER = {
  html: (run: RunResult) => renderHtml(run),
  junit: renderJunit,
  md: renderMarkdown,
  json: renderJson,
} as const;

type Format = keyof typeof RENDER;

export async function reportCommand(args: string[], io: CliIo): Promise<number> {
  let values: { format?: string; out?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' } },
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
  if (positionals.length !== 1) {
    io.err(`sav-ftth report: expected exactly one run.json, got ${positionals.length}`);
    io.err(REPORT_USAGE);
    return 2;
  }
  const file = positionals[0]!;
  const loaded = await loadRun(file);
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

/** Reads and checks a run.json; errors name the file, the field path and the problem. */
export async function loadRun(file: string): Promise<LoadedRun> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return {
      ok: false,
      errors: [`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`],
    };
  }
  return parseRun(text, file);
}

export function parseRun(text: string, file = 'run.json'): LoadedRun {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${file}: not JSON: ${(e as Error).message}`] };
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (data !== null && typeof data === 'object' && version !== RUN_RESULT_VERSION) {
    return {
      ok: false,
      errors: [
        `${file}: schemaVersion ${JSON.stringify(version)} is not supported (this tool reads run results ${RUN_RESULT_VERSION})`,
      ],
    };
  }
  const parsed = runResultSchema.safeParse(data);
  if (parsed.success) return { ok: true, run: parsed.data };
  const errors = parsed.error.issues.slice(0, 20).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${file}: ${path ? path.replace(/^\./, '') : '(root)'}: ${i.message}`;
  });
  if (parsed.error.issues.length > 20)
    errors.push(`${file}: …and ${parsed.error.issues.length - 20} more problems`);
  return { ok: false, errors };
}
