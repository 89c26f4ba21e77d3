/**
 * `sav-ftth run` as a CI step (GitLab CI, Jenkins, GitHub Actions): an unwritable report directory
 * is found before the run, `--json` survives a failed report write, a closed stdout ends quietly,
 * TERM=dumb gets plain lines, `--list --json` is JSON, credentials come from the environment.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { terminalProgress } from '../../src/scenario/progress.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { cli } from '../cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/sav-ftth.js');
const DTD = path.join(ROOT, 'scenarios/hostile/dtd.yaml');
const T1 = path.join(ROOT, 'scenarios/lifecycle/t1-create.yaml');
const tmp = (name: string) => mkdtempSync(path.join(tmpdir(), `sav-ftth-ci-${name}-`));

/** Exit 2 at once: the message names the option and the directory, and no scenario ran. */
function expectRefusedBeforeRun(r: Awaited<ReturnType<typeof cli>>, ...named: string[]) {
  expect(r.code, r.err).toBe(2);
  for (const n of named) expect(r.err).toContain(n);
  expect(r.err).not.toMatch(/^role (oc|oi): \d+ scenarios/m);
  expect(r.err).not.toMatch(/^(PASS|FAIL|ERROR|SKIP) /m);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  expect(r.out).toBe('');
}

describe('sav-ftth run: a report directory that cannot be written', () => {
  it('--report-dir "" is a usage error naming the option, before the run', async () => {
    const r = await cli(['run', DTD, '--role', 'oi', '--report-dir', '', '--json']);
    expectRefusedBeforeRun(r, '--report-dir');
  });

  it('a report directory under a regular file exits 2 before the run, naming the option and the path', async () => {
    const file = path.join(tmp('file'), 'afile');
    writeFileSync(file, 'not a directory\n');
    const root = path.join(file, 'reports');
    const r = await cli(['run', DTD, '--role', 'oi', '--report-dir', root, '--json']);
    expectRefusedBeforeRun(r, '--report-dir', root);
  });

  it.skipIf(process.getuid?.() === 0)(
    'a read-only report directory exits 2 before the run (not checkable as root)',
    async () => {
      const dir = tmp('ro');
      chmodSync(dir, 0o555);
      const r = await cli(['run', DTD, '--role', 'oi', '--report-dir', path.join(dir, 'reports')]);
      expectRefusedBeforeRun(r, '--report-dir');
    },
  );

  it('creates a missing report directory and writes the reports there', async () => {
    const root = path.join(tmp('new'), 'a', 'b');
    const r = await cli(['run', DTD, '--role', 'oi', '--report-dir', root]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(path.join(root, 'latest', 'run.json'))).toBe(true);
  });

  it('when writing still fails after the run, prints the --json output first, then exits 2', async () => {
    // `latest` (a non-empty directory) and `latest.txt` (a directory) cannot be replaced: the
    // report folder is written, pointing `latest` at it fails after the run.
    const root = tmp('latest');
    mkdirSync(path.join(root, 'latest', 'keep'), { recursive: true });
    mkdirSync(path.join(root, 'latest.txt'));
    const r = await cli(['run', DTD, '--role', 'oi', '--report-dir', root, '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot write the reports to ${root}`);
    const runs = JSON.parse(r.out) as RunResult[];
    expect(runs.map((x) => [x.implementation.role, x.verdict])).toEqual([['oi', 'pass']]);
  });
});

describe('sav-ftth run: standard output closed by the reader (… | head -c 10)', () => {
  it('ends quietly with the exit status of the run, no EPIPE stack', async () => {
    const child = spawn(process.execPath, [BIN, 'run', DTD, '--role', 'oi', '--json', '--no-report'], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away before anything is written: every write to stdout meets a closed pipe.
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(err).toMatch(/^PASS +\[oi\] 1\/1 hostile\.dtd/m);
    expect(err).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(code).toBe(0);
  }, 60_000);
});

describe('sav-ftth run: progress style', () => {
  const tty = { isTTY: true };
  it('updates one line only on a terminal that is not dumb and outside CI', () => {
    expect(terminalProgress(tty, { TERM: 'xterm-256color' })).toBe(true);
    expect(terminalProgress(tty, {})).toBe(true);
    expect(terminalProgress({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
    expect(terminalProgress({}, {})).toBe(false);
  });

  it('prints plain lines with TERM=dumb, even on a terminal', () => {
    expect(terminalProgress(tty, { TERM: 'dumb' })).toBe(false);
  });

  it('prints plain lines in CI (CI=true, CI=1, any CI value but false/0)', () => {
    for (const CI of ['true', '1', 'yes', 'TRUE']) expect(terminalProgress(tty, { CI }), CI).toBe(false);
    for (const CI of ['false', '0', '']) expect(terminalProgress(tty, { CI }), CI).toBe(true);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(
    'on a real terminal (script): TERM=dumb gets no line rewriting',
    () => {
      const run = (TERM: string) => {
        const { CI: _ci, ...env } = process.env;
        const r = spawnSync(
          'script',
          ['-qec', `"${process.execPath}" "${BIN}" run "${DTD}" --role oi --no-report`, '/dev/null'],
          { cwd: ROOT, env: { ...env, TERM }, encoding: 'utf8', timeout: 60_000 },
        );
        return r.stdout;
      };
      expect(run('xterm')).toContain('\x1b[2K');
      const dumb = run('dumb');
      expect(dumb).not.toContain('\x1b[2K');
      expect(dumb).toMatch(/PASS +\[oi\] 1\/1 hostile\.dtd/);
    },
    60_000,
  );
});

describe('sav-ftth run --list --json', () => {
  interface Listed {
    id: string;
    title: string;
    roles: string[];
    tags: string[];
    file: string;
  }

  it('prints a JSON array of the selected scenarios: id, title, roles, tags, file', async () => {
    const r = await cli(['run', '--list', '--json', '--grep', 'hostile.', '--role', 'oi']);
    expect(r.code, r.err).toBe(0);
    const listed = JSON.parse(r.out) as Listed[];
    const dtd = listed.find((s) => s.id === 'hostile.dtd');
    expect(dtd).toMatchObject({ roles: ['oc', 'oi'], tags: expect.arrayContaining(['hostile']) });
    expect(dtd!.title.length).toBeGreaterThan(0);
    expect(dtd!.file).toMatch(/dtd\.yaml$/);
    for (const s of listed) {
      expect(Object.keys(s).sort()).toEqual(['file', 'id', 'roles', 'tags', 'title']);
      expect(s.roles).toContain('oi');
    }
    // Only the selected role: the OC-side recovery scenario is role oc only.
    expect(listed.map((s) => s.id)).toContain('hostile.recovery-oc-endpoint');
    expect(listed.map((s) => s.id)).not.toContain('hostile.recovery-oi-service');
  });

  it('prints [] when nothing is selected', async () => {
    const r = await cli(['run', '--list', '--json', '--grep', 'no-such-scenario-id']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
  });
});

describe('sav-ftth run: credentials from the environment (SAV_FTTH_*), flags winning', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('SAV_FTTH_')) delete process.env[k];
    for (const [k, v] of Object.entries(saved)) if (k.startsWith('SAV_FTTH_')) process.env[k] = v;
  });
  const account = { login: 'oc-env', password: 'oc-env-password', siren: '380129866' };
  const TOKEN = 'control-token-from-env-0123';

  async function runT1(mock: Awaited<ReturnType<typeof startMock>>, ...extra: string[]) {
    return cli([
      'run',
      T1,
      '--role',
      'oc',
      '--target',
      mock.url,
      '--login',
      account.login,
      '--oc-siren',
      account.siren,
      '--oi-siren',
      mock.config.oiSiren,
      '--no-report',
      ...extra,
    ]);
  }

  it('SAV_FTTH_PASSWORD and SAV_FTTH_CONTROL_TOKEN stand in for --password and --control-token', async () => {
    const mock = await startMock({ accounts: [account], control: { token: TOKEN } });
    try {
      process.env.SAV_FTTH_PASSWORD = account.password;
      process.env.SAV_FTTH_CONTROL_TOKEN = TOKEN;
      const r = await runT1(mock, '--control-url', mock.controlUrl);
      expect(r.err).not.toMatch(/^(FAIL|ERROR) /m);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/role oc .*: PASS/);
    } finally {
      await mock.stop();
    }
  }, 60_000);

  it('a flag wins over its environment variable', async () => {
    const mock = await startMock({ accounts: [account] });
    try {
      process.env.SAV_FTTH_PASSWORD = 'not-the-password';
      const r = await runT1(mock, '--password', account.password, '--control-url', mock.controlUrl);
      expect(r.code, r.err).toBe(0);
    } finally {
      await mock.stop();
    }
  }, 60_000);

  it('without the flag or the variable, the missing credential names both', async () => {
    delete process.env.SAV_FTTH_PASSWORD;
    const r = await cli([
      'run',
      '--list',
      '--role',
      'oc',
      '--target',
      'http://127.0.0.1:9/x',
      '--login',
      'L',
      '--oc-siren',
      '380129866',
      '--oi-siren',
      '343059564',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--password');
    expect(r.err).toContain('SAV_FTTH_PASSWORD');
  });

  it('run --help documents the variables', async () => {
    const r = await cli(['run', '--help']);
    for (const v of [
      'SAV_FTTH_PASSWORD',
      'SAV_FTTH_OTHER_PASSWORD',
      'SAV_FTTH_PUSH_PASSWORD',
      'SAV_FTTH_CONTROL_TOKEN',
    ])
      expect(r.out).toContain(v);
  });
});

describe('a target nothing listens at', () => {
  it('exits 2 before the run, naming --target and the cause, with no report written', async () => {
    // A port just freed: nothing listens there.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-unreachable-'));
    const url = `http://127.0.0.1:${port}/ws`;
    const r = await cli([
      'run',
      '--role',
      'oc',
      '--target',
      url,
      '--login',
      'L',
      '--password',
      'P',
      '--oc-siren',
      '380129866',
      '--oi-siren',
      '343059564',
      '--grep',
      'lifecycle.t1-create',
      '--report-dir',
      dir,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--target ${url}: cannot connect (ECONNREFUSED); is the OI under test up`);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([]);
    const oi = await cli(
      ['run', '--role', 'oi', '--target', url, '--login', 'L', '--password', 'P'].concat([
        '--oc-siren',
        '380129866',
        '--grep',
        'oi-role.push-unknown-key',
        '--no-report',
      ]),
    );
    expect(oi.code).toBe(2);
    expect(oi.err).toContain(`--target ${url}: cannot connect (ECONNREFUSED); is the OC under test up`);
  });
});
