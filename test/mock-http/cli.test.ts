/** `sav-ftth mock` in process: flags, configuration errors, the start banner, a clean stop. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCertificate, loadTls } from '../../mock-server/http/tls.ts';
import { startMock } from '../../mock-server/index.ts';
import { main } from '../../src/cli/main.ts';
import { banner, mockCommand } from '../../src/cli/mock.ts';
import { io, runUntilBanner, testConfig } from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `sav-ftth mock` as its own process, killed after 30 s if it does not exit by itself. */
function runProcess(args: string[], cwd: string) {
  const child = spawn(process.execPath, [join(root, 'bin/sav-ftth.js'), 'mock', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
    timeout: 30_000,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  );
}

describe('sav-ftth mock', () => {
  it('is listed by sav-ftth --help and documents its flags and environment variables', async () => {
    const a = io();
    expect(await main(['--help'], a.io)).toBe(0);
    expect(a.out.join('\n')).toMatch(/\n\s+mock\s+run the stateful mock OI/);
    const b = io();
    expect(await main(['mock', '--help'], b.io)).toBe(0);
    const usage = b.out.join('\n');
    for (const flag of [
      '--port',
      '--host',
      '--config',
      '--data-dir',
      '--memory',
      '--https',
      '--https-port',
      '--control-port',
    ]) {
      expect(usage).toContain(flag);
    }
    expect(usage).toContain('SAV_FTTH_PORT');
  });

  it('refuses an unknown flag and a bad value with exit code 2, naming the flag', async () => {
    const a = io();
    expect(await mockCommand(['--prot', '1'], a.io, { env: {} })).toBe(2);
    expect(a.err[0]).toMatch(/Unknown option '--prot'/);
    const b = io();
    expect(await mockCommand(['--port', 'abc'], b.io, { env: {} })).toBe(2);
    expect(b.err.join('\n')).toContain('port: "abc" must be a port number or null (from --port)');
    const c = io();
    expect(await mockCommand(['--host', '0.0.0.0', '--memory'], c.io, { env: {} })).toBe(2);
    expect(c.err.join('\n')).toContain(
      'control.token: is required: the control API would be bound to 0.0.0.0',
    );
  });

  it('prints the endpoint, WSDL, control API and accounts, serves them, and stops on request', async () => {
    const a = io();
    const stop = new AbortController();
    const running = mockCommand(['--port', '0', '--memory', '--log-level', 'silent'], a.io, {
      stopSignal: stop.signal,
      env: {},
    });
    for (let i = 0; i < 100 && !a.out.some((l) => l.startsWith('Press Ctrl+C')); i++)
      await new Promise((r) => setTimeout(r, 50));
    const text = a.out.join('\n');
    const endpoint = /SOAP endpoint\s+(\S+)/.exec(text)?.[1];
    const wsdl = /WSDL\s+(\S+)/.exec(text)?.[1];
    const control = /control API\s+(\S+)/.exec(text)?.[1];
    expect(text).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(wsdl).toBe(`${endpoint}?wsdl`);
    expect(text).toMatch(/demo-oc\s+demo-oc-password\s+380129866/);
    expect((await fetch(wsdl!)).status).toBe(200);
    expect(((await (await fetch(`${control}/ready`)).json()) as { ready: boolean }).ready).toBe(true);
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(wsdl!)).rejects.toThrow();
  });

  it('handles SIGINT and SIGTERM before printing its banner, so a signal sent on seeing it stops the mock', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const atBanner: { int: number; term: number }[] = [];
    const a = io();
    const stop = new AbortController();
    const running = mockCommand(
      ['--port', '0', '--memory', '--log-level', 'silent'],
      {
        out: (l) => {
          if (l.startsWith('listening on'))
            atBanner.push({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') });
          a.io.out(l);
        },
        err: a.io.err,
      },
      { stopSignal: stop.signal, env: {} },
    );
    for (let i = 0; i < 100 && !a.out.some((l) => l.startsWith('Press Ctrl+C')); i++)
      await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await running).toBe(0);
    expect(atBanner).toEqual([{ int: before.int + 1, term: before.term + 1 }]);
    expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before);
  });

  it('names the push endpoint of each OC that has its own, and what the shared one serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-'));
    const config = join(dir, 'mock.yaml');
    writeFileSync(
      config,
      [
        'push: { url: "http://127.0.0.1:9/shared", login: oi, password: pw }',
        'accounts:',
        '  - { login: oc-a, password: pa, siren: "380129866", push: { url: "http://127.0.0.1:9/a", login: oi, password: pw } }',
        '  - { login: oc-b, password: pb, siren: "421938861" }',
      ].join('\n'),
    );
    const a = io();
    const stop = new AbortController();
    const running = mockCommand(
      ['--port', '0', '--memory', '--log-level', 'silent', '--config', config],
      a.io,
      {
        stopSignal: stop.signal,
        env: {},
      },
    );
    try {
      for (let i = 0; i < 100 && !a.out.some((l) => l.startsWith('Press Ctrl+C')); i++)
        await new Promise((r) => setTimeout(r, 50));
      const text = a.out.join('\n');
      expect(text).toMatch(/push to OC\s+http:\/\/127\.0\.0\.1:9\/shared \(OCs without their own\)/);
      expect(text).toMatch(/oc-a\s+\*{8}\s+380129866\s+push to http:\/\/127\.0\.0\.1:9\/a$/m);
      expect(text).toMatch(/oc-b\s+\*{8}\s+421938861$/m);
    } finally {
      stop.abort();
      await running;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not print the password of a configured account, only those of the demo accounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-'));
    const config = join(dir, 'mock.yaml');
    writeFileSync(
      config,
      [
        'accounts:',
        '  - { login: prod-oc, password: S3cr3t-Pr0d-Passw0rd, siren: "380129866" }',
        '  - { login: demo-oc-2, password: demo-oc-2-password, siren: "421938861" }',
      ].join('\n'),
    );
    const run = await runUntilBanner([
      '--port',
      '0',
      '--memory',
      '--log-level',
      'silent',
      '--config',
      config,
    ]);
    try {
      expect(run.text).toMatch(/^ {2}prod-oc\s+\*{8}\s+380129866$/m);
      expect(run.text).toMatch(/^ {2}demo-oc-2\s+demo-oc-2-password\s+421938861/m);
      expect(run.text).not.toContain('S3cr3t-Pr0d-Passw0rd');
    } finally {
      expect(await run.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what a wildcard bind listens on and where this machine answers', async () => {
    const mock = await startMock({});
    try {
      const l = mock.listeners[0]!;
      const lines = banner({
        ...mock,
        config: { ...mock.config, host: '0.0.0.0' },
        listeners: [{ ...l, host: '0.0.0.0' }],
      });
      expect(lines).toContain(
        `listening on http://0.0.0.0:${l.port} (all interfaces; this machine: http://${hostname()}:${l.port})`,
      );
      // The endpoint lines stay URLs a client on this machine can use.
      expect(lines.join('\n')).toContain(`SOAP endpoint   ${mock.url}`);
      expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    } finally {
      await mock.stop();
    }
  });

  it('says when the stored certificate is regenerated because the bound host is not in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-tls-'));
    try {
      await loadTls(testConfig({ memory: false, dataDir: dir, https: { enabled: true } }));
      const run = await runUntilBanner([
        ...['--host', '127.0.0.2', '--port', '0', '--https', '--https-port', '0'],
        ...['--data-dir', dir, '--log-level', 'silent'],
      ]);
      try {
        expect(run.text).toMatch(
          /certificate\s+\S+mock-cert\.pem \(regenerated: the bound host 127\.0\.0\.2 was not in the certificate\); valid for .*127\.0\.0\.2/,
        );
      } finally {
        expect(await run.stop()).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a certificate file that is not PEM with exit code 2, naming the key, the file and its source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-tls-'));
    try {
      const pair = await generateCertificate('127.0.0.1');
      writeFileSync(join(dir, 'key.pem'), pair.key);
      writeFileSync(join(dir, 'x.pem'), 'not a certificate\n');
      writeFileSync(
        join(dir, 'mock.yaml'),
        'https: { enabled: true, port: 0, cert: ./x.pem, key: ./key.pem }\n',
      );
      const a = io();
      const code = await mockCommand(
        ['--port', '0', '--memory', '--log-level', 'silent', '--config', join(dir, 'mock.yaml')],
        a.io,
        { env: {} },
      );
      expect(code).toBe(2);
      expect(a.err.join('\n')).toContain(
        `https.cert (${join(dir, 'x.pem')}) is not a PEM certificate (from ${join(dir, 'mock.yaml')})`,
      );
      expect(a.out).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits with status 2 when the certificate and key do not match, instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mock-cli-tls-'));
    try {
      const [a, b] = await Promise.all([generateCertificate('127.0.0.1'), generateCertificate('127.0.0.1')]);
      writeFileSync(join(dir, 'oi.pem'), a.cert);
      writeFileSync(join(dir, 'other-key.pem'), b.key);
      writeFileSync(
        join(dir, 'mock.yaml'),
        // decodeWorkers: worker threads would keep a process alive that does not close its engine.
        'https: { enabled: true, port: 0, cert: ./oi.pem, key: ./other-key.pem }\ndecodeWorkers: 1\n',
      );
      const r = await runProcess(['--port', '0', '--memory', '--config', 'mock.yaml'], dir);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.err).toContain(
        'https.cert (./oi.pem) and https.key (./other-key.pem) do not match: key values mismatch (from mock.yaml)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
