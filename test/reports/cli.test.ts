import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml, renderJson, renderJunit, renderMarkdown } from '../../src/reports/index.ts';
import { cli } from '../cli.ts';
import { loadSample } from './generate.ts';

const SAMPLE = new URL('../fixtures/runs/sample-run.json', import.meta.url).pathname;
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sav-ftth-report-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const report = (...args: string[]) => cli(['report', ...args]);

describe('sav-ftth report', () => {
  const run = loadSample();

  it.each([
    ['html', renderHtml],
    ['junit', renderJunit],
    ['md', renderMarkdown],
    ['json', renderJson],
  ] as const)('re-renders a run as %s on standard output', async (format, render) => {
    const r = await report(SAMPLE, '--format', format);
    expect(r.code).toBe(0);
    expect(`${r.out}\n`).toBe(render(run));
  });

  it('writes to --out, creating directories', async () => {
    const out = join(tmp, 'deep', 'dir', 'junit.xml');
    const r = await report(SAMPLE, '-f', 'junit', '--out', out);
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(renderJunit(run));
    expect(r.err).toContain(`written to ${out}`);
  });

  it('defaults to html and is listed in the help', async () => {
    expect((await report(SAMPLE)).out).toMatch(/^<!DOCTYPE html>/);
    const help = await report('--help');
    expect(help.out).toMatch(/^Usage: sav-ftth report <run\.json>/);
  });

  it('refuses a wrong format or a missing file with exit code 2', async () => {
    expect(await report(SAMPLE, '--format', 'pdf')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--format "pdf" is not one of'),
    });
    expect(await report()).toMatchObject({
      code: 2,
      err: expect.stringContaining('expected exactly one run.json, got 0'),
    });
    expect(await report(join(tmp, 'none.json'))).toMatchObject({
      code: 2,
      err: expect.stringContaining('ENOENT'),
    });
  });

  it('names the file, the field and the problem when the file is not a run result', async () => {
    const bad = structuredClone(run) as unknown as {
      scenarios: { steps: { checks: { basis: string }[] }[] }[];
    };
    bad.scenarios[1]!.steps[0]!.checks[0]!.basis = 'folklore';
    const file = join(tmp, 'bad.json');
    await writeFile(file, JSON.stringify(bad));
    const r = await report(file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: scenarios[1].steps[0].checks[0].basis:`);

    await writeFile(file, '{"schemaVersion": "7.0"}');
    expect((await report(file)).err).toContain(
      'schemaVersion "7.0" is not supported (this tool reads run results 1.0, 1.1 and 1.2)',
    );
    await writeFile(file, '{not json');
    expect((await report(file)).err).toContain(`${file}: not JSON`);
    await writeFile(file, 'null');
    expect(await report(file)).toMatchObject({ code: 2, err: expect.stringContaining('(root)') });
  });
});

describe('sav-ftth report on what `sav-ftth run --json` prints (a JSON array, one run per role)', () => {
  const oc = loadSample('sample-run.json');
  const oi = loadSample('sample-run-oi.json');
  const write = async (name: string, value: unknown) => {
    const file = join(tmp, name);
    await writeFile(file, JSON.stringify(value, null, 2));
    return file;
  };

  it('says what the file is and how to pick a run when it holds both roles', async () => {
    const file = await write('both.json', [oc, oi]);
    const r = await report(file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `${file}: a JSON array of 2 run results (roles oc, oi), as \`sav-ftth run --json\` prints it: choose one with --role oc or --role oi`,
    );
    expect(r.err).not.toContain('schemaVersion');
  });

  it('renders the run of the role chosen with --role', async () => {
    const file = await write('both.json', [oc, oi]);
    for (const [role, run] of [
      ['oi', oi],
      ['oc', oc],
    ] as const) {
      const r = await report(file, '--role', role, '--format', 'md');
      expect(r.code).toBe(0);
      expect(`${r.out}\n`).toBe(renderMarkdown(run));
    }
  });

  it('renders the only run of a one-role array without --role', async () => {
    const file = await write('one.json', [oi]);
    const r = await report(file, '--format', 'junit');
    expect(r.code).toBe(0);
    expect(`${r.out}\n`).toBe(renderJunit(oi));
  });

  it('names the role it lacks, an empty array, and the run and field of a broken element', async () => {
    expect(await report(await write('one.json', [oi]), '--role', 'oc')).toMatchObject({
      code: 2,
      err: expect.stringContaining('holds no run of role oc (roles: oi)'),
    });
    expect(await report(SAMPLE, '--role', 'oi')).toMatchObject({
      code: 2,
      err: expect.stringContaining(`${SAMPLE}: a run of role oc, not oi`),
    });
    expect(await report(await write('empty.json', []))).toMatchObject({
      code: 2,
      err: expect.stringContaining('a JSON array with no run result'),
    });
    const broken = structuredClone(oi) as unknown as { totals: { checks: unknown } };
    broken.totals.checks = 'many';
    const file = await write('broken.json', [oc, broken]);
    const r = await report(file, '--role', 'oi');
    expect(r.err).toContain(`${file}: a JSON array of 2 elements, not all of them run results`);
    expect(r.err).toContain(`${file}: [1].totals.checks:`);
    const stray = await report(await write('stray.json', [1]));
    expect(stray.err).toContain(`${file.replace('broken', 'stray')}: [0]: Invalid input`);
    expect(await report(SAMPLE, '--role', 'both')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--role "both" is not one of oc, oi'),
    });
  });
});
