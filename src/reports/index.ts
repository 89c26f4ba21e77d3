/**
 * Reports of a conformance run: canonical JSON, JUnit XML, a Markdown summary and a self-contained
 * HTML report. The render functions are pure; {@link writeReports} writes all four to a directory
 * and points `reports/latest` at it.
 */
import { mkdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RunResult } from '../scenario/result.ts';
import { renderHtml } from './html/index.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export type { HtmlOptions } from './html/index.ts';
export { type Conformance, type ConformanceLevel, conformance } from './model.ts';
export { RUN_RESULT_SCHEMA_ID, runResultJsonSchema, runResultSchema } from './run-result.zod.ts';
export { renderHtml, renderJson, renderJunit, renderMarkdown };

export const REPORT_FILES = {
  json: 'run.json',
  junit: 'junit.xml',
  markdown: 'summary.md',
  html: 'report.html',
} as const;

export interface WriteReportsOptions {
  /** Directory holding the timestamped report directories and the `latest` pointer. Default `reports`. */
  root?: string;
  /** Update `<root>/latest`. Default true. */
  latest?: boolean;
}

export interface WrittenReports {
  dir: string;
  files: Record<keyof typeof REPORT_FILES, string>;
  /** How `latest` was updated: a symlink, or (where symlinks fail) a text file holding the path. */
  latest?: { kind: 'symlink' | 'file'; path: string };
}

/**
 * Writes run.json, junit.xml, summary.md and report.html into `dir` (default
 * `<root>/<run start time>/`) and points `<root>/latest` at it.
 */
export async function writeReports(
  run: RunResult,
  dir?: string,
  options: WriteReportsOptions = {},
): Promise<WrittenReports> {
  const root = options.root ?? 'reports';
  const target = dir ?? join(root, runDirName(run));
  await mkdir(target, { recursive: true });
  const files = {
    json: join(target, REPORT_FILES.json),
    junit: join(target, REPORT_FILES.junit),
    markdown: join(target, REPORT_FILES.markdown),
    html: join(target, REPORT_FILES.html),
  };
  await Promise.all([
    writeFile(files.json, renderJson(run)),
    writeFile(files.junit, renderJunit(run)),
    writeFile(files.markdown, renderMarkdown(run)),
    writeFile(files.html, renderHtml(run)),
  ]);
  const written: WrittenReports = { dir: target, files };
  if (options.latest !== false) written.latest = await pointLatest(root, target);
  return written;
}

/** `2025-03-04T10-11-12.345Z`: the run's own start time, safe as a file name everywhere. */
export function runDirName(run: RunResult): string {
  const t = Date.parse(run.startedAt);
  const iso = Number.isFinite(t) ? new Date(t).toISOString() : 'unknown-start';
  return iso.replace(/:/g, '-');
}

/**
 * Replaces `<root>/latest` with a relative symlink to `target` (atomically: a temporary link
 * renamed over the old one). Where that fails (no symlink permission on Windows, `latest` is a
 * real directory), writes `<root>/latest.txt` holding the path instead.
 */
export async function pointLatest(
  root: string,
  target: string,
): Promise<{ kind: 'symlink' | 'file'; path: string }> {
  await mkdir(root, { recursive: true });
  const link = join(root, 'latest');
  const text = join(root, 'latest.txt');
  const rel = relative(resolve(root), resolve(target));
  const dest = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? resolve(target) : rel;
  const tmp = join(root, `.latest-${process.pid}-${Date.now()}`);
  try {
    await symlink(dest, tmp, 'junction');
    try {
      await rename(tmp, link);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    await rm(text, { force: true });
    await readlink(link);
    return { kind: 'symlink', path: link };
  } catch {
    await writeFile(text, `${dest}\n`);
    return { kind: 'file', path: text };
  }
}

/** Where `<root>/latest` points, whichever form it took; undefined when there is none. */
export async function latestReportDir(root = 'reports'): Promise<string | undefined> {
  const link = join(root, 'latest');
  try {
    const dest = await readlink(link);
    return isAbsolute(dest) ? dest : join(root, dest);
  } catch {}
  try {
    const dest = (await readFile(join(root, 'latest.txt'), 'utf8')).trim();
    if (!dest) return undefined;
    const full = isAbsolute(dest) ? dest : join(root, dest);
    await stat(full);
    return full;
  } catch {
    return undefined;
  }
}
