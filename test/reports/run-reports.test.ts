/**
 * What the four reports of a real `sav-ftth run` say, read as the people they are filed with read
 * them: no password in clear, one step numbering shared with the console, a scenario that could not
 * run counted once and shown as a harness error rather than a protocol rule.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/scenario/result.ts';
import { cli } from '../cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scenario = (p: string) => path.join(ROOT, 'scenarios', p);

/** Every file under `dir`, recursively (the reports of each role). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The run's own folder under the report root (not `latest`). */
function runDir(root: string): string {
  const [d] = readdirSync(root).filter((x) => /^\d{4}-/.test(x));
  return path.join(root, d!);
}

describe('passwords never reach the reports', () => {
  // The embedded implementations' accounts (src/scenario/targets.ts): the OC's, the other OC's, and
  // the OI's push credentials. `-faux` is what a wrong-password step sends: it holds the password.
  const PASSWORDS = ['harness-oc-password', 'harness-oc-2-password', 'oi-push-password'];
  const root = mkdtempSync(path.join(tmpdir(), 'sav-ftth-redact-'));
  let result: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    result = await cli([
      'run',
      // Role oc: requests with the password, a wrong one, another OC's, a raw step, pushes received.
      scenario('oc-role/auth.yaml'),
      scenario('oc-role/cross-oc.yaml'),
      scenario('hostile/malformed.yaml'),
      // Both roles: the OC's requests (role oi: sent by the OC under test) and the OI's pushes.
      scenario('lifecycle/t3-t10-cancellation-agreed.yaml'),
      // Role oi: pushes with the push password, a wrong one, none.
      scenario('oi-role/push-auth.yaml'),
      '--report-dir',
      root,
    ]);
  }, 60_000);

  it('the run passes: what is sent still carries the real passwords', () => {
    expect(result.err).not.toMatch(/^(FAIL|ERROR) /m);
    expect(result.code).toBe(0);
  });

  it('no report file of either role holds a password, and the Password elements stay, redacted', () => {
    const files = filesUnder(runDir(root));
    expect(files.map((f) => path.relative(runDir(root), f)).sort()).toEqual(
      ['oc', 'oi'].flatMap((r) =>
        ['junit.xml', 'report.html', 'run.json', 'summary.md'].map((f) => path.join(r, f)),
      ),
    );
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const p of PASSWORDS) expect(text.includes(p), `${p} in ${f}`).toBe(false);
    }
    for (const role of ['oc', 'oi']) {
      const json = readFileSync(path.join(runDir(root), role, 'run.json'), 'utf8');
      expect(json, role).toContain('<hdr:Password>********</hdr:Password>');
    }
  });
});

/** Step 3 fails (the ticket is QUEUED, not CLOSED); steps 1 and 2 pass. */
const FAILING = `id: t.numbering.fail
title: Numérotation des étapes (échec à l étape 3)
tags: [numbering]
clauses: ["§7"]
roles: [oc]
steps:
  - id: create
    oc: create
  - oc: information
    expect:
      state: QUEUED
  - oc: get
    expect:
      state: CLOSED
`;

/** Step 2 cannot run (it uses a variable no step captured): a harness error, at line 9. */
const BROKEN = `id: t.numbering.error
title: Numérotation des étapes (erreur à l étape 2)
tags: [numbering]
clauses: ["§7"]
roles: [oc]
steps:
  - id: create
    oc: create
  - oc: information
    set:
      messageContent: "\${steps.create.nope}"
  - oc: get
`;

type Case = {
  '@_name': string;
  '@_classname': string;
  failure?: unknown;
  error?: { '@_type': string };
};
type Suite = {
  '@_name': string;
  '@_tests': string;
  '@_errors': string;
  '@_failures': string;
  testcase?: Case[];
};

describe('one step numbering and one count of a scenario error, console and reports alike', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sav-ftth-numbering-'));
  const failing = path.join(root, 'failing.yaml');
  const broken = path.join(root, 'broken.yaml');
  writeFileSync(failing, FAILING);
  writeFileSync(broken, BROKEN);
  let result: Awaited<ReturnType<typeof cli>>;
  let dir: string;
  let run: RunResult;
  let html: string;
  let md: string;
  let suites: Suite[];

  beforeAll(async () => {
    result = await cli(['run', failing, broken, '--role', 'oc', '--report-dir', root]);
    dir = runDir(root);
    run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    md = readFileSync(path.join(dir, 'summary.md'), 'utf8');
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testsuite' || name === 'testcase',
    }).parse(readFileSync(path.join(dir, 'junit.xml'), 'utf8'));
    suites = parsed.testsuites.testsuite;
  }, 60_000);

  const console = () => `${result.out}\n${result.err}`;
  const suite = (id: string) => suites.find((s) => s['@_name'] === id)!;

  it('the console names the failing step 3 and the erroring step 2 with its file:line', () => {
    expect(console()).toMatch(/FAIL .*t\.numbering\.fail .*step 3 /);
    expect(console()).toMatch(
      /ERROR .*t\.numbering\.error .*step 2 \([^)]*broken\.yaml:9\): unknown variable/,
    );
  });

  it('the HTML report numbers the same steps 3 and 2', () => {
    expect(html).toMatch(/<code>t\.numbering\.fail<\/code> · step 3</);
    expect(html).toMatch(/<code>t\.numbering\.error<\/code> · step 2</);
    expect(html).toMatch(/<h4>Step 3 · [^<]*— OC : lecture du ticket/);
    expect(html).not.toMatch(/<h4>Step 0 /);
  });

  it('summary.md numbers them 3. and 2.', () => {
    expect(md).toMatch(/\| `t\.numbering\.fail` \| 3\. OC : lecture du ticket/);
    expect(md).toMatch(/\| `t\.numbering\.error` \| 2\. OC : Information/);
    expect(md).not.toMatch(/\| `t\.numbering\.fail` \| [12]\. /);
  });

  it('junit.xml names the testcases 3. and 2.', () => {
    const bad = (id: string) =>
      (suite(id).testcase ?? []).filter((c) => c.failure !== undefined || c.error !== undefined);
    expect(bad('t.numbering.fail').map((c) => c['@_name'].split('.')[0])).toEqual(['3']);
    expect(bad('t.numbering.error').map((c) => c['@_name'].split('.')[0])).toEqual(['2']);
  });

  it('junit.xml counts the scenario error once, as run.json does', () => {
    const s = run.scenarios.find((x) => x.id === 't.numbering.error')!;
    const checks = s.steps.flatMap((st) => st.checks);
    const errors = checks.filter((c) => c.verdict === 'error');
    expect(errors).toHaveLength(1);
    const js = suite('t.numbering.error');
    expect(Number(js['@_tests'])).toBe(checks.length);
    expect(Number(js['@_errors'])).toBe(1);
    expect((js.testcase ?? []).map((c) => c['@_name'])).not.toContain('scenario error');
    expect(js.testcase!.find((c) => c.error)?.error?.['@_type']).toBe('HARNESS');
  });

  it('the HTML and Markdown conformance boxes show the harness error apart from the [decision] rules', () => {
    const card = (title: string) =>
      new RegExp(
        `<div class="card[^"]*"><h3>${title.replace(/[[\]]/g, '\\$&')}</h3><div>([^\n]*?)</div>`,
      ).exec(html)?.[1];
    expect(card('Mandatory [decision] rules')).toMatch(/ 0 errors /);
    expect(card('Mandatory [spec]/[interop] rules')).toMatch(/ 0 errors /);
    expect(card('Harness errors')).toContain('<strong>1 scenario</strong> could not run to the end');
    expect(md).toMatch(/\| mandatory, \\\[decision\\\] rules \| \d+ \| \d+ \| \d+ \| 0 \| 0 \|/);
    expect(md).toMatch(/\| harness errors [^|]* \| 1 \| 0 \| 0 \| 1 \| 0 \|/);
  });
});
