/**
 * `sav-ftth run` / `validate` options and their errors: a bad option is a usage error (exit 2)
 * naming the option and its value, found before anything starts or is announced.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-cli-options-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** One short scenario, so that a run that gets past the options stays fast. */
const T1 = path.join(ROOT, 'scenarios/lifecycle/t1-create.yaml');
const REAL_OI = [
  '--role',
  'oc',
  '--target',
  'http://127.0.0.1:9/interop-sav-21/services/JVTTroubleTicketSessionWSPort',
  '--login',
  'L',
  '--password',
  'P',
  '--oc-siren',
  '380129866',
  '--oi-siren',
  '343059564',
];

/** A usage error: exit 2, a one-line message naming what is wrong, no stack trace. */
function expectUsageError(r: Awaited<ReturnType<typeof cli>>, ...named: string[]) {
  expect(r.code, r.err).toBe(2);
  for (const n of named) expect(r.err).toContain(n);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
}

/** A socket listening on a free port of 127.0.0.1 (it accepts connections and never answers). */
async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('the run commands of the README', () => {
  /** Every `npx sav-ftth run …` of README.md, continuation lines joined, comments dropped. */
  const commands = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.startsWith('npx sav-ftth run'))
    .map((l) => l.replace(/\s+#.*$/, '').trim());
  let files: Record<string, string>;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: 'oi.example' }], { keySize: 2048 });
    files = {
      '--ca': file('oi-ca.pem', pems.cert),
      '--inventory': file('parc.csv', 'technicalId,commercialId\nFI-1,ACC-1\n'),
    };
  });

  it('are found (certify a real OI, certify a real OC, list)', () => {
    expect(commands.some((c) => c.includes('--role oc --target'))).toBe(true);
    expect(commands.some((c) => c.includes('--role oi --target'))).toBe(true);
  });

  it('are complete: each one passes the option checks (given the files it names)', async () => {
    for (const command of commands) {
      const args = command.split(/\s+/).slice(2);
      for (const [i, a] of args.entries()) if (files[a]) args[i + 1] = files[a];
      const r = await cli([...args, ...(args.includes('--list') ? [] : ['--list'])]);
      expect(r.code, `${command}\n${r.err}`).toBe(0);
    }
  });
});

describe('sav-ftth run: option errors, exit 2 naming the option', () => {
  it('an invalid --grep regex', async () => {
    expectUsageError(await cli(['run', '--grep', '/[/', '--list']), '--grep "/[/"', 'regex');
    expectUsageError(await cli(['run', '--grep', '/t1/q', '--list']), '--grep "/t1/q"');
  });

  it('a plain --grep and a valid /regex/ still select', async () => {
    const r = await cli(['run', '--grep', '/^lifecycle\\.t1-create$/', '--list']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lifecycle\.t1-create /m);
  });

  it('a --callback-port already in use, in either role', async () => {
    const { server, port } = await occupiedPort();
    try {
      for (const role of ['oc', 'oi']) {
        const r = await cli(['run', T1, '--role', role, '--callback-port', String(port), '--no-report']);
        expectUsageError(r, `--callback-port ${port}`, 'already in use');
      }
    } finally {
      server.close();
    }
  });

  describe('--ca, --cert and --key must be PEM', () => {
    let pems: { cert: string; private: string };
    beforeAll(async () => {
      pems = await generate([{ name: 'commonName', value: 'oc.example' }], { keySize: 2048 });
    });

    it('a --ca or --cert that is no certificate, a --key that is no key', async () => {
      const notPem = file('not-pem.txt', 'this is not a certificate\n');
      const cert = file('client.pem', pems.cert);
      const key = file('client.key', pems.private);
      expectUsageError(await cli(['run', ...REAL_OI, '--ca', notPem, '--list']), `--ca ${notPem}`);
      expectUsageError(
        await cli(['run', ...REAL_OI, '--cert', notPem, '--key', key, '--list']),
        `--cert ${notPem}`,
      );
      expectUsageError(
        await cli(['run', ...REAL_OI, '--cert', cert, '--key', notPem, '--list']),
        `--key ${notPem}`,
      );
      // A key is no certificate, and a certificate is no key.
      expectUsageError(await cli(['run', ...REAL_OI, '--ca', key, '--list']), `--ca ${key}`);
    });

    it('a --key that is not the key of --cert', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string;
      const cert = file('client2.pem', pems.cert);
      const key = file('other.key', other);
      expectUsageError(
        await cli(['run', ...REAL_OI, '--cert', cert, '--key', key, '--list']),
        `--cert ${cert} and --key ${key}`,
      );
    });

    it('real PEM files are accepted', async () => {
      const cert = file('client3.pem', pems.cert);
      const key = file('client3.key', pems.private);
      const r = await cli(['run', ...REAL_OI, '--ca', cert, '--cert', cert, '--key', key, '--list']);
      expect(r.code, r.err).toBe(0);
    });
  });

  it.each([
    ['--oc-siren', '123'],
    ['--oc-siren', '12345678X'],
    ['--oi-siren', '34305956'],
    ['--other-oc-siren', '4219388611'],
  ])('%s %s is not a SIREN (9 digits)', async (flag, value) => {
    const args = [...REAL_OI];
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value;
    else args.push(flag, value);
    expectUsageError(await cli(['run', ...args, '--list']), `${flag} "${value}"`, '9 digits');
  });

  it('a SIREN with a wrong Luhn key is accepted, as the profile accepts it (strictSirenKey off)', async () => {
    const args = REAL_OI.map((a) => (a === '380129866' ? '380129867' : a));
    expect((await cli(['run', ...args, '--list'])).code).toBe(0);
  });

  it('role oi against a real OC needs --oc-siren (checked before listing)', async () => {
    const r = await cli([
      'run',
      '--role',
      'oi',
      '--target',
      'http://oc.example/push',
      '--login',
      'L',
      '--password',
      'P',
      '--list',
    ]);
    expectUsageError(r, '--oc-siren');
  });

  it('--control-url (and --control-token) without --role oc --target', async () => {
    expectUsageError(
      await cli(['run', '--control-url', 'http://127.0.0.1:9/_control', '--list']),
      '--control-url',
      '--target',
    );
    expectUsageError(
      await cli(['run', ...REAL_OI, '--control-token', 't', '--list']),
      '--control-token',
      '--control-url',
    );
  });

  it('--inventory with an unclosed quote: the file and the line', async () => {
    const csv = file('badquote.csv', 'technicalId,commercialId\nFI-0,ACC-0\n"FI-1,ACC-1\nFI-2,ACC-2\n');
    const r = await cli(['run', T1, ...REAL_OI, '--inventory', csv, '--no-report']);
    expectUsageError(r, `--inventory ${csv}: line 3`, 'not closed');
  });

  it('--inventory of a missing file: refused before anything is announced', async () => {
    const missing = path.join(dir, 'nonexist.csv');
    const r = await cli(['run', T1, ...REAL_OI, '--inventory', missing, '--no-report']);
    expectUsageError(r, `--inventory ${missing}`, 'ENOENT');
    expect(r.err).not.toContain('harness OC endpoint');
  });
});

describe('sav-ftth validate', () => {
  it('a file that cannot be read is not counted as checked', async () => {
    const missing = path.join(dir, 'nonexist.xml');
    const r = await cli(['validate', missing]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${missing}: cannot read file: ENOENT`);
    expect(r.out).not.toContain('1 file(s) checked');
    expect(r.out).toContain(`1 file(s) could not be read: ${missing}`);
  });
});

describe('sav-ftth run interrupted (Ctrl+C)', () => {
  let hang: Server;
  let port: number;
  beforeAll(async () => {
    // An OI that accepts the connection and never answers: the run is still going when interrupted.
    ({ server: hang, port } = await occupiedPort());
  });
  afterAll(() => {
    hang.close();
  });

  it('says what was interrupted, that no report was written, and exits 130', async () => {
    const args = REAL_OI.map((a) => a.replace('127.0.0.1:9', `127.0.0.1:${port}`));
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/sav-ftth.js'), 'run', T1, ...args, '--report-dir', path.join(dir, 'reports')],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('role oc: 1 scenarios')) resolve();
      });
      child.on('exit', () => resolve());
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(err).toContain('role oc: 1 scenarios');
    expect(code, err).toBe(130);
    expect(err).toMatch(/interrupted \(Ctrl\+C\) in role oc after 0 of 1 scenarios/);
    expect(err).toContain('No report written');
  }, 30_000);

  it('during start-up, before the first scenario: says so, no report written, exits 130', async () => {
    // The scenario file is a FIFO: the command blocks reading it, at start-up, until the test
    // writes it, so the signal comes at a known point without any timing.
    const fifo = path.join(mkdtempSync(path.join(tmpdir(), 'sav-ftth-fifo-')), 'scenario.yaml');
    execFileSync('mkfifo', [fifo]);
    const reports = path.join(dir, 'reports-startup');
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/sav-ftth.js'), 'run', fifo, '--role', 'oc', '--report-dir', reports],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Opening a FIFO for writing without blocking succeeds once a reader has it open.
    let fd: number | undefined;
    while (fd === undefined && child.exitCode === null) {
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(fd, err).toBeDefined();
    child.kill('SIGINT');
    writeSync(fd!, readFileSync(T1, 'utf8'));
    closeSync(fd!);
    const code = await exited;
    expect(err).toContain(
      'sav-ftth run: interrupted (Ctrl+C) before the first scenario, while starting up. No report written',
    );
    expect(code, err).toBe(130);
    expect(err).not.toMatch(/^role oc: /m);
    expect(out).toBe('');
    expect(existsSync(reports) ? readdirSync(reports).filter((f) => !f.startsWith('.')) : []).toEqual([]);
  }, 30_000);
});
