/** `sav-ftth mock` in process: flags, configuration errors, the start banner, a clean stop. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { mockCommand } from '../../src/cli/mock.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
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
      expect(text).toMatch(/oc-a\s+pa\s+380129866\s+push to http:\/\/127\.0\.0\.1:9\/a$/m);
      expect(text).toMatch(/oc-b\s+pb\s+421938861$/m);
    } finally {
      stop.abort();
      await running;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
