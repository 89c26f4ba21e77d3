import { lstat, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  latestReportDir,
  renderHtml,
  renderJson,
  renderJunit,
  renderMarkdown,
  writeReports,
} from '../../src/reports/index.ts';
import { loadSample } from './generate.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sav-ftth-reports-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('writeReports', () => {
  const run = loadSample();

  it('writes the four reports into <root>/<run start time>/ and points latest at it', async () => {
    const root = join(tmp, 'a');
    const out = await writeReports(run, undefined, { root });
    expect(out.dir).toBe(join(root, '2025-06-12T07-30-00.000Z'));
    expect(await readFile(out.files.json, 'utf8')).toBe(renderJson(run));
    expect(await readFile(out.files.junit, 'utf8')).toBe(renderJunit(run));
    expect(await readFile(out.files.markdown, 'utf8')).toBe(renderMarkdown(run));
    expect(await readFile(out.files.html, 'utf8')).toBe(renderHtml(run));
    expect(out.latest).toEqual({ kind: 'symlink', path: join(root, 'latest') });
    expect(await readlink(join(root, 'latest'))).toBe('2025-06-12T07-30-00.000Z');
    expect(await readFile(join(root, 'latest', 'run.json'), 'utf8')).toBe(renderJson(run));
    expect(await latestReportDir(root)).toBe(out.dir);
  });

  it('moves latest to the newest run', async () => {
    const root = join(tmp, 'b');
    await writeReports(run, undefined, { root });
    const later = { ...run, startedAt: '2025-06-13T07:30:00.000Z', finishedAt: '2025-06-13T07:31:00.000Z' };
    const out = await writeReports(later, undefined, { root });
    expect(await latestReportDir(root)).toBe(out.dir);
    expect(JSON.parse(await readFile(join(root, 'latest', 'run.json'), 'utf8')).startedAt).toBe(
      later.startedAt,
    );
  });

  it('writes into the directory it is given, and falls back to latest.txt when latest cannot be a symlink', async () => {
    const root = join(tmp, 'c');
    await mkdir(join(root, 'latest', 'someone-else'), { recursive: true });
    await writeFile(join(root, 'latest', 'someone-else', 'keep'), 'x');
    const out = await writeReports(run, join(root, 'custom'), { root });
    expect(out.dir).toBe(join(root, 'custom'));
    expect(out.latest).toEqual({ kind: 'file', path: join(root, 'latest.txt') });
    expect(await readFile(join(root, 'latest.txt'), 'utf8')).toBe('custom\n');
    expect((await lstat(join(root, 'latest'))).isDirectory()).toBe(true); // untouched
    await rm(join(root, 'latest'), { recursive: true });
    expect(await latestReportDir(root)).toBe(join(root, 'custom'));
  });

  it('leaves latest alone when asked to', async () => {
    const root = join(tmp, 'd');
    const out = await writeReports(run, undefined, { root, latest: false });
    expect(out.latest).toBeUndefined();
    expect(await latestReportDir(root)).toBeUndefined();
  });
});
