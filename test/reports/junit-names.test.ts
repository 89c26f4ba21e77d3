/**
 * The JUnit testcase names of a real `sav-ftth run --role both`, as GitLab and Jenkins read them:
 * they key a test case by (classname, name) and track it from run to run, so every pair is unique
 * across the two files and no name holds a value the implementation issued (a troubleTicketKey).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/scenario/result.ts';
import { cli } from '../cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * t1-create and get-by-technicalid expect the key the OI issued; the generated illegal
 * appointment change reads the ticket back, then sends the set, in one step (two answers judged).
 */
const SELECTION = [
  path.join(ROOT, 'scenarios/lifecycle/t1-create.yaml'),
  path.join(ROOT, 'scenarios/oc-role/get-by-technicalid.yaml'),
  '--generated',
  '--grep',
  '/^(lifecycle\\.t1-create|oc-role\\.get-by-technicalid|gen\\.oc\\.appointmentChange\\.illegal\\.CLOSED)$/',
  '--role',
  'both',
];

type Case = { '@_classname': string; '@_name': string };

interface Reports {
  code: number;
  err: string;
  /** `classname::name` of every testcase of both files, in file order. */
  keys: string[];
  runs: RunResult[];
}

async function runSelection(...extra: string[]): Promise<Reports> {
  const root = mkdtempSync(path.join(tmpdir(), 'sav-ftth-junit-names-'));
  const r = await cli(['run', ...SELECTION, ...extra, '--report-dir', root]);
  const keys: string[] = [];
  const runs: RunResult[] = [];
  for (const role of ['oc', 'oi']) {
    const dir = path.join(root, 'latest', role);
    runs.push(JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')));
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testsuite' || name === 'testcase',
    }).parse(readFileSync(path.join(dir, 'junit.xml'), 'utf8'));
    for (const s of doc.testsuites.testsuite as { testcase?: Case[] }[])
      for (const c of s.testcase ?? []) keys.push(`${c['@_classname']}::${c['@_name']}`);
  }
  return { code: r.code, err: r.err, keys, runs };
}

describe('JUnit testcase names of a real run, both roles', () => {
  let first: Reports;
  let second: Reports;

  beforeAll(async () => {
    first = await runSelection();
    // The same run once more, one scenario at a time: the OI issues other keys.
    second = await runSelection('-c', '1');
  }, 60_000);

  it('the run passes and runs the three scenarios', () => {
    expect(first.err).not.toMatch(/^(FAIL|ERROR) /m);
    expect(first.code).toBe(0);
    expect(first.runs[0]!.scenarios.map((s) => s.id).sort()).toEqual([
      'gen.oc.appointmentChange.illegal.CLOSED',
      'lifecycle.t1-create',
      'oc-role.get-by-technicalid',
    ]);
  });

  it('no (classname, name) appears twice, within a file or across the two roles', () => {
    const repeated = first.keys.filter((k, i) => first.keys.indexOf(k) !== i);
    expect(repeated).toEqual([]);
    expect(first.keys.some((k) => k.startsWith('oc.lifecycle.t1-create::'))).toBe(true);
    expect(first.keys.some((k) => k.startsWith('oi.lifecycle.t1-create::'))).toBe(true);
  });

  it('a step that reads the ticket back before its action titles the two answers apart (run.json, every report)', () => {
    for (const run of first.runs)
      for (const s of run.scenarios)
        for (const st of s.steps) {
          const titles = st.checks.map((c) => c.title);
          expect(
            titles.filter((t, i) => titles.indexOf(t) !== i),
            `${s.id} step ${st.index + 1}`,
          ).toEqual([]);
        }
    const step = first.runs[0]!.scenarios.find((s) => s.id === 'gen.oc.appointmentChange.illegal.CLOSED')!
      .steps[2]!;
    const titles = step.checks.map((c) => c.title);
    expect(titles).toContain('réponse de l OI : reçue');
    expect(titles.some((t) => /^réponse de l OI à la relecture \(.+\) : reçue$/.test(t))).toBe(true);
  });

  it('no name holds a troubleTicketKey the OI issued; the check message still gives it', () => {
    const issued = new Set<string>();
    for (const run of [...first.runs, ...second.runs])
      for (const s of run.scenarios)
        for (const st of s.steps)
          for (const c of st.checks)
            for (const m of (c.evidence?.response ?? '').matchAll(/troubleTicketKey>([^<]+)</g))
              issued.add(m[1]!);
    expect(issued.size).toBeGreaterThan(0);
    const leaking = [...first.keys, ...second.keys].filter((k) => [...issued].some((key) => k.includes(key)));
    expect(leaking).toEqual([]);
    const keyCheck = first.runs[0]!.scenarios.find(
      (s) => s.id === 'lifecycle.t1-create',
    )!.steps[1]!.checks.find((c) => c.title === 'troubleTicketKey du ticket attendu')!;
    expect(keyCheck.verdict).toBe('pass');
    expect(issued.has(keyCheck.expected!)).toBe(true);
    expect(keyCheck.message).toContain(keyCheck.expected!);
  });

  it('the same selection run again (another concurrency, other keys) gives the same names', () => {
    expect(second.code).toBe(0);
    expect([...second.keys].sort()).toEqual([...first.keys].sort());
  });
});
