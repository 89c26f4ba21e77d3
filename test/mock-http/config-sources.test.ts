/**
 * What an ops engineer reads when the mock refuses its configuration or starts: every error names
 * where the value that triggers it came from (file, environment variable, flag), once; the start
 * banner never shows a password.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configSource, loadConfig } from '../../mock-server/config/load.ts';
import { generateCertificate, loadTls } from '../../mock-server/http/tls.ts';
import { mockHandlers } from '../../mock-server/index.ts';
import { mockCommand } from '../../src/cli/mock.ts';
import { configProblems, io, runUntilBanner } from './helpers.ts';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sav-ftth-sources-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of the test directory; returns its absolute path. */
function file(text: string, name = `c${++n}.yaml`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const flag = (path: string[], value: unknown, source: string) => ({ path, value, source });

describe('errors spanning two keys name where the triggering value came from', () => {
  it('control.token required: the host from --host, not the file that does not set it', async () => {
    const config = file('port: 19060\n');
    expect(
      configProblems(() =>
        loadConfig({ file: config, env: {}, flags: [flag(['host'], '0.0.0.0', '--host')] }),
      ),
    ).toEqual([
      'control.token: is required: the control API would be bound to 0.0.0.0, beyond localhost (host from --host)',
    ]);
    // The same through the command line, before anything starts.
    const a = io();
    expect(await mockCommand(['--memory', '--config', config, '--host', '0.0.0.0'], a.io, { env: {} })).toBe(
      2,
    );
    expect(a.err.join('\n')).toContain('beyond localhost (host from --host)');
    expect(a.err.join('\n')).not.toContain(`(from ${config})`);
  });

  it('control.token required: control.host when the control API has its own port', () => {
    const config = file('control: { host: 0.0.0.0 }\n');
    expect(
      configProblems(() =>
        loadConfig({ file: config, env: {}, flags: [flag(['control', 'port'], 9999, '--control-port')] }),
      ),
    ).toEqual([
      `control.token: is required: the control API would be bound to 0.0.0.0, beyond localhost (control.host from ${config})`,
    ]);
    expect(configProblems(() => loadConfig({ env: { SAV_FTTH_HOST: '10.1.2.3' } }))).toEqual([
      'control.token: is required: the control API would be bound to 10.1.2.3, beyond localhost (host from SAV_FTTH_HOST)',
    ]);
  });

  it('https.key required: https.cert from its environment variable, with or without a file', () => {
    const config = file('port: 19061\n');
    const env = { SAV_FTTH_HTTPS_CERT: 'x.pem' };
    const expected = ['https.key: is required when https.cert is set (https.cert from SAV_FTTH_HTTPS_CERT)'];
    expect(configProblems(() => loadConfig({ file: config, env }))).toEqual(expected);
    expect(configProblems(() => loadConfig({ env }))).toEqual(expected);
    expect(configProblems(() => loadConfig({ env: { SAV_FTTH_HTTPS_KEY: 'k.pem' } }))).toEqual([
      'https.cert: is required when https.key is set (https.key from SAV_FTTH_HTTPS_KEY)',
    ]);
  });

  it('a port used twice names both sources, and never blames a default on the file', () => {
    const config = file('port: 8443\n');
    expect(
      configProblems(() =>
        loadConfig({
          file: config,
          env: {},
          flags: [flag(['https', 'enabled'], true, '--https'), flag(['https', 'port'], 8443, '--https-port')],
        }),
      ),
    ).toEqual([
      `https.port: 8443 is already used by port (https.port from --https-port, port from ${config})`,
    ]);
    // https.port is the default 8443 here: only port, from the file, is named.
    expect(
      configProblems(() =>
        loadConfig({ file: config, env: {}, flags: [flag(['https', 'enabled'], true, '--https')] }),
      ),
    ).toEqual([`https.port: is already used by port (port from ${config})`]);
  });

  it('keeps a single "(from …)" when both keys come from the same place', () => {
    const config = file('port: null\nhttps: { enabled: false }\n');
    expect(configProblems(() => loadConfig({ file: config, env: {} }))).toEqual([
      `port: null is null but https.enabled is false: nothing would listen (from ${config})`,
    ]);
  });
});

describe('other configuration errors', () => {
  it('reports a negative behaviour delay once', () => {
    const config = file(
      'behaviour: { planAfterMs: -3, takeInChargeAfterMs: -5, cancellationAnswerAfterMs: -1 }\n',
    );
    expect(configProblems(() => loadConfig({ file: config, env: {} }))).toEqual([
      `behaviour.takeInChargeAfterMs: -5 must be ≥ 0 (from ${config})`,
      `behaviour.planAfterMs: -3 must be ≥ 0 (from ${config})`,
      `behaviour.cancellationAnswerAfterMs: -1 must be ≥ 0 (from ${config})`,
    ]);
  });

  it.each([
    [
      'an unclosed flow sequence',
      'port: [1\n',
      /must be sufficiently indented and end with a \] at line 2, column 1$/,
    ],
    ['a duplicate key', 'port: 1\nport: 2\n', /: Map keys must be unique at line 2, column 1$/],
  ])('ends a YAML syntax error (%s) with its position, not a dangling colon', (_, text, message) => {
    const config = file(text);
    const [line, ...rest] = configProblems(() => loadConfig({ file: config, env: {} }));
    expect(rest).toEqual([]);
    expect(line).toContain(`config file ${config}: `);
    expect(line).toMatch(message);
  });

  it('shows no line of the file in a YAML syntax error: it may hold a password', () => {
    const config = file(
      'accounts:\n  - { login: a, password: s3cr3t-pw, password: s3cr3t-pw, siren: "380129866" }\n',
    );
    const lines = configProblems(() => loadConfig({ file: config, env: {} }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Map keys must be unique at line 2, column \d+$/);
    expect(lines.join('\n')).not.toContain('s3cr3t-pw');
  });
});

describe('configured certificate errors', () => {
  let pair: { cert: string; key: string };
  let otherKey: string;
  beforeAll(async () => {
    pair = await generateCertificate('127.0.0.1');
    otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
  });

  /** A config whose https.cert comes from the environment and https.key from the file. */
  function mixed(certText: string | undefined, keyText: string) {
    const cert = join(dir, `cert${++n}.pem`);
    if (certText !== undefined) writeFileSync(cert, certText);
    const key = file(keyText, `key${n}.pem`);
    const config = file(`https: { enabled: true, port: 0, key: ${key} }\n`);
    return {
      config,
      cert,
      loaded: loadConfig({
        file: config,
        env: { SAV_FTTH_HTTPS_CERT: cert },
        overrides: { memory: true, port: 0 },
      }),
    };
  }

  async function tlsProblems(config: ReturnType<typeof loadConfig>): Promise<string[]> {
    try {
      await loadTls(config);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    throw new Error('no ConfigError');
  }

  it('knows where each key of a loaded configuration came from', () => {
    const m = mixed(pair.cert, pair.key);
    expect(configSource(m.loaded, 'https.cert')).toBe('SAV_FTTH_HTTPS_CERT');
    expect(configSource(m.loaded, 'https.key')).toBe(m.config);
    expect(configSource(m.loaded, 'host')).toBeUndefined();
  });

  it('names the source of a certificate that is not PEM, cannot be read, or does not match its key', async () => {
    const notPem = mixed('not a certificate\n', pair.key);
    expect(await tlsProblems(notPem.loaded)).toEqual([
      `https.cert (${notPem.cert}) is not a PEM certificate (from SAV_FTTH_HTTPS_CERT)`,
    ]);
    const missing = mixed(undefined, pair.key);
    expect(await tlsProblems(missing.loaded)).toEqual([
      `https.cert: ${JSON.stringify(missing.cert)} cannot be read (ENOENT) (from SAV_FTTH_HTTPS_CERT)`,
    ]);
    const badKey = mixed(pair.cert, 'not a key\n');
    expect((await tlsProblems(badKey.loaded))[0]).toMatch(
      new RegExp(
        `^https\\.key \\(.*\\) is not a usable PEM private key \\(.*\\) \\(from ${badKey.config}\\)$`,
      ),
    );
    const mismatch = mixed(pair.cert, otherKey);
    expect((await tlsProblems(mismatch.loaded))[0]).toMatch(
      new RegExp(
        `do not match: key values mismatch \\(https\\.cert from SAV_FTTH_HTTPS_CERT, https\\.key from ${mismatch.config}\\)$`,
      ),
    );
  });

  it('exits 2 on a bad certificate, like every other configuration error', async () => {
    const cert = file(pair.cert, `mis${++n}.pem`);
    const key = file(otherKey, `miskey${n}.pem`);
    const config = file(`https: { enabled: true, port: 0, cert: ${cert}, key: ${key} }\n`);
    const a = io();
    const code = await mockCommand(
      ['--port', '0', '--memory', '--log-level', 'silent', '--config', config],
      a.io,
      { env: {} },
    );
    expect(code).toBe(2);
    expect(a.err.join('\n')).toContain(`do not match: key values mismatch (from ${config})`);
    expect(a.out).toEqual([]);
  });

  it('names the source of a push CA that cannot be read, exit 2', async () => {
    const a = io();
    const code = await mockCommand(['--port', '0', '--memory', '--log-level', 'silent'], a.io, {
      env: {
        SAV_FTTH_PUSH_URL: 'https://127.0.0.1:9/push',
        SAV_FTTH_PUSH_LOGIN: 'oi',
        SAV_FTTH_PUSH_PASSWORD: 'p',
        SAV_FTTH_PUSH_CA: join(dir, 'no-such-ca.pem'),
      },
    });
    expect(code).toBe(2);
    expect(a.err.join('\n')).toMatch(
      /push\.ca: ".*no-such-ca\.pem" cannot be read \(ENOENT\) \(from SAV_FTTH_PUSH_CA\)/,
    );
  });
});

describe('start banner', () => {
  it('masks the password of a push URL, the shared one and an account’s own', async () => {
    const config = file(
      [
        'accounts:',
        '  - { login: a, password: pa, siren: "380129866", push: { url: "http://x:acct-secret@127.0.0.1:9/a", login: oi, password: pw } }',
        '  - { login: b, password: pb, siren: "421938861" }',
      ].join('\n'),
    );
    const started = await runUntilBanner(
      ['--port', '0', '--memory', '--log-level', 'silent', '--config', config],
      {
        SAV_FTTH_PUSH_URL: 'https://u:another-secret@127.0.0.1:9/push',
        SAV_FTTH_PUSH_LOGIN: 'u',
        SAV_FTTH_PUSH_PASSWORD: 'p',
      },
    );
    try {
      expect(started.text).toMatch(
        /^ {2}push to OC\s+https:\/\/u:\*\*\*@127\.0\.0\.1:9\/push \(OCs without their own\)$/m,
      );
      expect(started.text).toMatch(
        /^ {2}a\s+\*{8}\s+380129866\s+push to http:\/\/x:\*\*\*@127\.0\.0\.1:9\/a$/m,
      );
      expect(started.text).not.toMatch(/another-secret|acct-secret/);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  });
});

describe('a URL password in an error message', () => {
  it('is masked in a configuration error, from the environment or from the file', () => {
    const env = configProblems(() =>
      loadConfig({
        env: {
          SAV_FTTH_PUSH_URL: 'ftp://oi:s3cr3tpw@oc.example/push',
          SAV_FTTH_PUSH_LOGIN: 'oi',
          SAV_FTTH_PUSH_PASSWORD: 'p',
        },
      }),
    ).join('\n');
    expect(env).toContain('push.url: "ftp://oi:***@oc.example/push"');
    expect(env).toContain('(from SAV_FTTH_PUSH_URL)');
    expect(env).not.toContain('s3cr3tpw');
    const yaml = configProblems(() =>
      loadConfig({
        env: {},
        file: file('push: { url: "ftp://oi:yaml-secret@oc.example/push", login: oi, password: p }\n'),
      }),
    ).join('\n');
    expect(yaml).toContain('ftp://oi:***@oc.example/push');
    expect(yaml).not.toContain('yaml-secret');
  });

  it('is masked in the ConfigError of mockHandlers({ baseUrl })', () => {
    const message = configProblems(() =>
      mockHandlers({ baseUrl: 'https://u:base-secret@oi.example.test' }),
    ).join('\n');
    expect(message).toContain('baseUrl: "https://u:***@oi.example.test"');
    expect(message).not.toContain('base-secret');
  });
});
