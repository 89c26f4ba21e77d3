import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { latestReportDir } from '../../src/reports/index.ts';
import { loadCatalogue } from '../../src/scenario/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import { cli } from '../cli.ts';

const index = defaultIndex();

describe('sav-ftth run with no arguments: the whole catalogue, both roles, embedded implementations', () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-run-'));
  let result: Awaited<ReturnType<typeof cli>>;
  let runs: RunResult[];

  beforeAll(async () => {
    process.chdir(dir);
    try {
      result = await cli(['run']);
    } finally {
      process.chdir(cwd);
    }
    const [runDir] = readdirSync(path.join(dir, 'reports')).filter((d) => /^\d{4}-/.test(d));
    runs = ['oc', 'oi'].map(
      (role) =>
        JSON.parse(readFileSync(path.join(dir, 'reports', runDir!, role, 'run.json'), 'utf8')) as RunResult,
    );
  }, 120_000);

  it('exits 0: every mandatory check passed', () => {
    expect(result.err).not.toMatch(/^(FAIL|ERROR) /m);
    expect(result.code).toBe(0);
  });

  it('prints each role verdict and its coverage: 100% of transitions and actions', () => {
    expect(result.out).toMatch(
      /role oc \(OI under test: sav-ftth mock OI \(embedded\) \d+\.\d+\.\d+\S*, http:\/\/127\.0\.0\.1:\d+\/.+\): PASS/,
    );
    expect(result.out).toMatch(
      /role oi \(OC under test: sav-ftth reference OC \(embedded\) \d+\.\d+\.\d+\S*, http:\/\/127\.0\.0\.1:\d+\/.+\): PASS/,
    );
    const n = index.activeTransitions.length;
    const m = index.activeActions.length;
    expect(
      result.out.match(
        new RegExp(`transitions +${n}/${n} exercised \\(100%\\), ${n}/${n} passed \\(100%\\)`, 'g'),
      ),
    ).toHaveLength(2);
    expect(
      result.out.match(
        new RegExp(`actions +${m}/${m} exercised \\(100%\\), ${m}/${m} passed \\(100%\\)`, 'g'),
      ),
    ).toHaveLength(2);
  });

  it('writes the reports of each role under one run folder and points reports/latest at it', async () => {
    expect(runs.map((r) => r.implementation.role)).toEqual(['oc', 'oi']);
    const latest = await latestReportDir(path.join(dir, 'reports'));
    expect(latest).toBeDefined();
    for (const role of ['oc', 'oi']) {
      for (const f of ['run.json', 'junit.xml', 'summary.md', 'report.html'])
        expect(existsSync(path.join(latest!, role, f)), `${role}/${f}`).toBe(true);
      const written = JSON.parse(readFileSync(path.join(latest!, role, 'run.json'), 'utf8'));
      expect(written.implementation.role).toBe(role);
      // The embedded implementations are part of this tool: they carry its version.
      expect(written.implementation.version).toBe(written.tool.version);
      expect(written.implementation.version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('keeps coverage in the result: every transition, action and rule of the role exercised and passed', () => {
    for (const run of runs) {
      expect(run.verdict).toBe('pass');
      expect(run.totals.mandatoryFailed).toBe(0);
      expect(run.totals.checks).toBeGreaterThan(1000);
      expect(run.implementation.kind).toBe('embedded');
      const notPassed = (items: { id: string; passed: boolean }[]) =>
        items.filter((i) => !i.passed).map((i) => i.id);
      expect(notPassed(run.coverage.transitions)).toEqual([]);
      expect(notPassed(run.coverage.actions)).toEqual([]);
      expect(notPassed(run.coverage.rules)).toEqual([]);
      expect(run.coverage.transitions.map((t) => t.id)).toEqual(index.activeTransitions.map((t) => t.id));
      expect(run.coverage.rules.length).toBe(rulebookOf(index).coverable(run.implementation.role).length);
    }
  });

  it('ties every check to a rule of the rulebook with its basis and clause, and keeps evidence', () => {
    const book = rulebookOf(index);
    for (const run of runs) {
      for (const s of run.scenarios) {
        expect(s.clauses.length, s.id).toBeGreaterThan(0);
        for (const step of s.steps) {
          for (const c of step.checks) {
            const entry = book.get(c.rule);
            expect(entry, `${s.id} ${c.rule}`).toBeDefined();
            expect(['spec', 'interop', 'decision']).toContain(c.basis);
            expect(c.clause).not.toBe('');
          }
          const first = step.checks.find((c) => c.evidence?.request !== undefined);
          if (step.checks.length > 0)
            expect(typeof first?.evidence?.request, `${s.id} step ${step.index}`).toBe('string');
        }
      }
    }
    // A transition check carries the transition's basis; a mandatory-field check its action's.
    const checks = runs.flatMap((r) => r.scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks)));
    const t11 = checks.find((c) => c.rule === 'T11')!;
    expect({ basis: t11.basis, clause: t11.clause }).toEqual({ basis: 'decision', clause: '§7' });
    const m = checks.find((c) => c.rule === 'MANDATORY:oc.create:troubleDescription')!;
    expect({ basis: m.basis, clause: m.clause }).toEqual({ basis: 'spec', clause: 'spec 3.1.1' });
  });

  it('prints one plain progress line per scenario when stderr is not a terminal', () => {
    const lines = result.err.split('\n').filter((l) => /^(PASS|FAIL|SKIP|ERROR) +\[(oc|oi)\]/.test(l));
    expect(lines.length).toBe(runs[0]!.totals.scenarios + runs[1]!.totals.scenarios);
  });

  describe('the scenarios the embedded mock cannot run (requires: business-refusals)', () => {
    const expected = loadCatalogue(index)
      .filter((s) => s.roles.includes('oc') && s.requires?.includes('business-refusals'))
      .map((s) => s.id)
      .sort();
    const ocDir = () => {
      const [runDir] = readdirSync(path.join(dir, 'reports')).filter((d) => /^\d{4}-/.test(d));
      return path.join(dir, 'reports', runDir!, 'oc');
    };
    const read = (f: string) => readFileSync(path.join(ocDir(), f), 'utf8');

    it('are skipped with their reason, counted as skipped, never as errors', () => {
      expect(expected.length).toBeGreaterThan(0);
      const oc = runs[0]!;
      const skipped = oc.scenarios.filter((s) => s.verdict === 'skip');
      expect(skipped.map((s) => s.id).sort()).toEqual(expected);
      for (const s of skipped) {
        expect(s.skipReason, s.id).toMatch(/^needs business-refusals — /);
        expect(s.error, s.id).toBeUndefined();
      }
      expect(oc.scenarios.filter((s) => s.error !== undefined)).toEqual([]);
      expect(oc.totals.scenariosSkipped).toBe(expected.length);
      expect(oc.verdict).toBe('pass');
    });

    it('the console says PASS and counts them apart, with their ids and why', () => {
      const t = runs[0]!.totals;
      const ran = t.scenarios - expected.length;
      expect(result.out).toContain(`scenarios ${ran}/${ran} passed, ${expected.length} skipped; checks`);
      const line = result.out.split('\n').find((l) => l.startsWith('  skipped (needs business-refusals'));
      expect(line, result.out).toBeDefined();
      for (const id of expected) expect(line).toContain(id);
      expect(result.err).toMatch(/^SKIP +\[oc\] +\d+\/\d+ \S+ \(0 ms\) — needs business-refusals/m);
    });

    it('summary.md is a clean PASS listing them and why, not "Not assessed"', () => {
      const md = read('summary.md');
      const [title, , level] = md.split('\n');
      expect(title).toBe('# ✅ SAV FTTH conformance: PASS');
      expect(level).toMatch(/^\*\*Conformant\.\*\* Every mandatory check passed/);
      expect(level).toContain(`${expected.length} scenarios skipped: needs business-refusals`);
      expect(md).not.toMatch(/Not assessed|could not run to the end|could not finish/);
      expect(md).toContain(`## Skipped scenarios (${expected.length})`);
      for (const id of expected)
        expect(md).toMatch(new RegExp(`^- \`${id.replace(/\./g, '\\.')}\`: needs business-refusals`, 'm'));
    });

    it('report.html and junit.xml count them as skipped, not as errors', () => {
      const html = read('report.html');
      expect(html).toContain('<div class="big">PASS</div>');
      expect(html).toContain('<div class="level">Conformant</div>');
      expect(html).not.toMatch(/Harness errors|Could not run to the end|Not assessed/);
      expect(html).toContain(`<h2>Skipped scenarios (${expected.length})</h2>`);
      const junit = read('junit.xml');
      expect(junit.match(/<skipped message="needs business-refusals/g)).toHaveLength(expected.length);
      expect(junit).toMatch(/<testsuites [^>]* errors="0"/);
    });
  });
});

describe('sav-ftth run: selection, usage and configuration errors', () => {
  it('--list prints the selected scenarios without running them', async () => {
    const r = await cli(['run', '--list', '--tag', 'hostile', '--role', 'oc']);
    expect(r.code).toBe(0);
    const ids = r.out.split('\n').map((l) => l.split(' ')[0]);
    expect(ids).toContain('hostile.dtd');
    expect(ids).toContain('hostile.recovery-oi-service');
    expect(ids).not.toContain('hostile.recovery-oc-endpoint');
    expect(ids.every((id) => id!.startsWith('hostile.'))).toBe(true);
  });

  it('exits 2 on a bad option value, a target without a role, or a target without credentials', async () => {
    expect((await cli(['run', '--role', 'both-ways'])).code).toBe(2);
    const noRole = await cli(['run', '--target', 'http://127.0.0.1:9/x']);
    expect(noRole.code).toBe(2);
    expect(noRole.err).toContain('--target needs --role oc');
    const noLogin = await cli([
      'run',
      '--role',
      'oc',
      '--target',
      'http://127.0.0.1:9/x',
      '--grep',
      'lifecycle.t1-create',
      '--no-report',
    ]);
    expect(noLogin.code).toBe(2);
    expect(noLogin.err).toContain('--role oc --target needs --login, --password, --oc-siren, --oi-siren');
    expect((await cli(['run', '--concurrency', '0'])).code).toBe(2);
    // The embedded implementations have this tool's version: a version of one is a mistake.
    const embeddedVersion = await cli(['run', '--implementation-version', '1.0']);
    expect(embeddedVersion.code).toBe(2);
    expect(embeddedVersion.err).toContain(
      '--implementation-version is the version of the implementation at --target',
    );
    expect((await cli(['run', '--no-such-option'])).code).toBe(2);
  });

  it('exits 2 on an invalid scenario file, naming its file and line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-bad-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'id: bad\ntitle: Mauvais\nclauses: ["§7"]\nroles: [oc]\nsteps:\n  - oc: create\n    expect:\n      returnCode: 7\n',
    );
    const r = await cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:8:\d+: steps\[0\]\.expect\.returnCode: /);
  });

  it('exits 1 when a scenario fails, and --json prints the results', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-fail-'));
    const file = path.join(dir, 'wrong.yaml');
    writeFileSync(
      file,
      'id: wrong-expectation\ntitle: Attente fausse\nclauses: ["§7"]\nroles: [oc]\nsteps:\n  - oc: create\n  - oc: get\n    expect:\n      state: OPENACTIVE\n',
    );
    const r = await cli(['run', file, '--role', 'oc', '--no-report', '--json']);
    expect(r.code).toBe(1);
    const [run] = JSON.parse(r.out) as RunResult[];
    expect(run!.verdict).toBe('fail');
    const failed = run!.scenarios[0]!.steps[1]!.checks.filter((c) => c.verdict === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ rule: 'GET_BY_KEY', expected: 'OPENACTIVE', actual: 'QUEUED' });
    expect(failed[0]!.evidence?.highlight).toBe('troubleTicketState');
  });

  it('runs against an OI given by URL (--target) with its credentials', async () => {
    const account = { login: 'oc-url', password: 'oc-url-password', siren: '380129866' };
    const mock = await startMock({ accounts: [account] });
    try {
      const r = await cli([
        'run',
        '--role',
        'oc',
        '--target',
        mock.url,
        '--login',
        account.login,
        '--password',
        account.password,
        '--oc-siren',
        account.siren,
        '--oi-siren',
        mock.config.oiSiren,
        '--tag',
        'auth',
        '--tag',
        'hostile',
        '--grep',
        '/^(oc-role|hostile)\\./',
        '--name',
        'Acme OI',
        '--implementation-version',
        '4.2.1',
        '--no-report',
        '--json',
      ]);
      expect(r.err).not.toMatch(/^(FAIL|ERROR) /m);
      expect(r.code).toBe(0);
      const [run] = JSON.parse(r.out) as RunResult[];
      expect(run!.implementation).toMatchObject({
        name: 'Acme OI',
        version: '4.2.1',
        kind: 'url',
        endpoint: mock.url,
        role: 'oc',
      });
      expect(r.err).toMatch(/^role oc \(OI under test: Acme OI 4\.2\.1, http:.+\): PASS$/m);
      expect(run!.scenarios.map((s) => s.id)).toContain('oc-role.auth');
    } finally {
      await mock.stop();
    }
  });

  it('runs against an OI over HTTPS, trusting its certificate with --ca (and refuses it without)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-tls-'));
    const account = { login: 'oc-tls', password: 'oc-tls-password', siren: '380129866' };
    const mock = await startMock({
      accounts: [account],
      dataDir: dir,
      memory: true,
      https: { enabled: true, port: 0 },
    });
    try {
      const ca = path.join(dir, 'ca.pem');
      writeFileSync(ca, mock.tls!.cert);
      const base = [
        'run',
        '--role',
        'oc',
        '--target',
        mock.httpsUrl!,
        '--login',
        account.login,
        '--password',
        account.password,
        '--oc-siren',
        account.siren,
        '--oi-siren',
        mock.config.oiSiren,
        '--grep',
        'oc-role.auth',
        '--no-report',
        '--json',
      ];
      const trusted = await cli([...base, '--ca', ca]);
      expect(trusted.code).toBe(0);
      const untrusted = await cli(base);
      expect(untrusted.code).toBe(1);
      const [run] = JSON.parse(untrusted.out) as RunResult[];
      const answer = run!.scenarios[0]!.steps[0]!.checks.find((c) => c.rule === 'SOAP.ANSWER')!;
      expect(answer.verdict).toBe('fail');
      expect(answer.message).toMatch(/certificate/i);
      expect((await cli([...base, '--insecure'])).code).toBe(0);
    } finally {
      await mock.stop();
    }
  });
});
