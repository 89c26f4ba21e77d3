/** The mock's configuration: file, environment and flags, validated with messages naming the key. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_VARS, loadConfig } from '../../mock-server/config/load.ts';
import { DEFAULT_PATH } from '../../mock-server/config/schema.ts';
import { DEFAULT_BEHAVIOUR } from '../../mock-server/engine/index.ts';
import { DEMO_ACCOUNTS } from '../../mock-server/engine/options.ts';
import { startMock } from '../../mock-server/index.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { configProblems } from './helpers.ts';

const example = fileURLToPath(new URL('../../mock-server/config/example.yaml', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sav-ftth-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function yamlFile(text: string): Promise<string> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return file;
}

describe('mock configuration', () => {
  it('gives working defaults with no file: localhost, the protocol path, the demo accounts', () => {
    const c = loadConfig({ env: {}, cwd: dir });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      path: DEFAULT_PATH,
      dataDir: join(dir, 'data'),
      memory: false,
    });
    expect(c.accounts).toEqual(DEMO_ACCOUNTS);
  });

  it('accepts the documented example file, which spells out the defaults', () => {
    // Its behaviour block spells out the engine's defaults.
    expect(loadConfig({ file: example, env: {} })).toEqual({
      ...loadConfig({ env: {} }),
      dataDir: join(example, '..', 'data'),
      behaviour: DEFAULT_BEHAVIOUR,
    });
  });

  it('names the key, the value and the problem of every error, and where the value came from', async () => {
    const file = await yamlFile(
      [
        'port: 99999',
        'accounts:',
        '  - { login: a, password: b, siren: "380129866" }',
        '  - { login: c, password: d, siren: "12345", colour: blue }',
        'push: { url: "ftp://oc.example", login: x }',
        'behaviour: { takeInChargeAfterMs: soon }',
        'settings: { strictSirenKey: 3 }',
        'decodeWorkers: -1',
      ].join('\n'),
    );
    expect(configProblems(() => loadConfig({ file, env: { SAV_FTTH_HTTPS_PORT: 'abc' } }))).toEqual([
      `port: 99999 must be ≤ 65535 (from ${file})`,
      'https.port: "abc" must be a port number (from SAV_FTTH_HTTPS_PORT)',
      `settings.strictSirenKey: 3 must be true or false (from ${file})`,
      `accounts[1].siren: "12345" must be 9 digits (from ${file})`,
      `accounts[1].colour: unknown key (from ${file})`,
      `push.url: "ftp://oc.example" must be an http:// or https:// URL (from ${file})`,
      `push.password: is required (from ${file})`,
      `behaviour.takeInChargeAfterMs: "soon" must be a number of milliseconds or null (from ${file})`,
      `decodeWorkers: -1 must be ≥ 0 (from ${file})`,
    ]);
  });

  it('control.host without control.port is refused as having no effect, not as needing a token', () => {
    expect(configProblems(() => loadConfig({ env: { SAV_FTTH_CONTROL_HOST: '0.0.0.0' } }))).toEqual([
      'control.host: "0.0.0.0" applies only with control.port: without it the control API is served with SOAP, on host 127.0.0.1 (from SAV_FTTH_CONTROL_HOST)',
    ]);
  });

  it('never prints the value of a password, token or key it refuses', async () => {
    const file = await yamlFile(
      [
        'accounts: [{ login: a, password: 123456789012, siren: "380129866" }]',
        'push: { url: "http://oc.example", login: x, password: 4242424242 }',
        'control: { token: short-secret }',
      ].join('\n'),
    );
    const lines = configProblems(() => loadConfig({ file, env: {} }));
    expect(lines).toContain(`accounts[0].password: (value hidden) must be a string (from ${file})`);
    expect(lines.join('\n')).not.toMatch(/123456789012|4242424242|short-secret/);
    expect(lines.some((l) => l.startsWith('push.password: (value hidden)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('control.token: (value hidden)'))).toBe(true);
  });

  it('checks the rules that span keys', async () => {
    const file = await yamlFile(
      [
        'host: 0.0.0.0',
        'https: { enabled: true, port: 8080, cert: cert.pem }',
        'accounts: [{ login: a, password: b, siren: "380129866" }, { login: a, password: c, siren: "421938861" }]',
        'behaviour: { resolveWith: ERR99 }',
      ].join('\n'),
    );
    expect(configProblems(() => loadConfig({ file, env: {} }))).toEqual([
      `https.key: is required when https.cert is set (https.cert from ${file})`,
      `accounts[1].login: "a" is already used by accounts[0] (from ${file})`,
      `https.port: 8080 is already used by port (from ${file})`,
      `behaviour.resolveWith: "ERR99" must be a closure code of profile sav-ftth-2.1 (from ${file})`,
      `control.token: is required: the control API would be bound to 0.0.0.0, beyond localhost (host from ${file})`,
    ]);
  });

  it('takes a push target per OC account, validated like push, its CA path resolved against the file', async () => {
    const file = await yamlFile(
      [
        'accounts:',
        '  - { login: a, password: b, siren: "380129866", push: { url: "https://oc1.test/sav", login: l, password: p, ca: tls/oc1.pem } }',
        '  - { login: c, password: d, siren: "421938861" }',
        'push: { url: "http://oc.test/sav", login: x, password: y }',
      ].join('\n'),
    );
    const c = loadConfig({ file, env: {}, cwd: '/' });
    expect(c.accounts[0]!.push).toMatchObject({
      url: 'https://oc1.test/sav',
      login: 'l',
      password: 'p',
      ca: join(dir, 'tls', 'oc1.pem'),
      maxRetries: 5,
    });
    expect(c.accounts[1]!.push).toBeUndefined();
    expect(c.push).toMatchObject({ url: 'http://oc.test/sav' });

    const bad = await yamlFile(
      [
        'accounts:',
        '  - { login: a, password: b, siren: "380129866", push: { url: "http://oc1.test/sav", login: l, password: p } }',
        '  - { login: c, password: d, siren: "421938861", push: { url: "ftp://oc2.test", login: l, retries: 3 } }',
        '  - { login: e, password: f, siren: "380129866", push: { url: "http://elsewhere.test/sav", login: l, password: p } }',
      ].join('\n'),
    );
    expect(configProblems(() => loadConfig({ file: bad, env: {} }))).toEqual([
      `accounts[1].push.url: "ftp://oc2.test" must be an http:// or https:// URL (from ${bad})`,
      `accounts[1].push.password: is required (from ${bad})`,
      `accounts[1].push.retries: unknown key (from ${bad})`,
    ]);
    const twoTargets = await yamlFile(
      [
        'accounts:',
        '  - { login: a, password: b, siren: "380129866", push: { url: "http://oc1.test/sav", login: l, password: p } }',
        '  - { login: e, password: f, siren: "380129866", push: { url: "http://elsewhere.test/sav", login: l, password: p } }',
      ].join('\n'),
    );
    expect(configProblems(() => loadConfig({ file: twoTargets, env: {} }))).toEqual([
      `accounts[1].push: differs from accounts[0].push, an account of the same OC (siren 380129866): the OI's actions on that OC's tickets go to one endpoint (from ${twoTargets})`,
    ]);
  });

  it('refuses a behaviour the profile settings make impossible, naming both keys', async () => {
    const file = await yamlFile(
      'settings:\n  cancellationRefusalAllowed: false\nbehaviour:\n  cancellationAnswer: refuse\n',
    );
    expect(configProblems(() => loadConfig({ file, env: {} }))).toEqual([
      `behaviour.cancellationAnswer: "refuse" makes the OI perform oi.cancellationRefusal (T11, Refus d annulation), but settings.cancellationRefusalAllowed is false, which removes T11 from profile sav-ftth-2.1 [decision §7 T11]: tickets in OPENACTIVE.TO.BE.CANCELED would stay there; change behaviour.cancellationAnswer or set settings.cancellationRefusalAllowed: true (from ${file})`,
    ]);
    // Either key alone is fine; so is another answer under the same settings.
    const agree = await yamlFile(
      'settings: { cancellationRefusalAllowed: false }\nbehaviour: { cancellationAnswer: agree }\n',
    );
    expect(loadConfig({ file: agree, env: {} }).behaviour.cancellationAnswer).toBe('agree');
    // A closure code of the profile that is no resolution code is refused at load, not at start.
    const reject = await yamlFile('behaviour: { resolveWith: ERR01 }\n');
    expect(configProblems(() => loadConfig({ file: reject, env: {} }))[0]).toMatch(
      /^behaviour\.resolveWith: "ERR01" must be a resolution closure code \(RET01, .*\) \(from /,
    );
  });

  it('reports an unreadable file and YAML syntax errors', async () => {
    expect(configProblems(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }))[0]).toMatch(
      /missing\.yaml: cannot be read \(ENOENT\)/,
    );
    const bad = await yamlFile('port: [1,\n');
    expect(configProblems(() => loadConfig({ file: bad, env: {} }))[0]).toContain(bad);
    const list = await yamlFile('- a\n- b\n');
    expect(configProblems(() => loadConfig({ file: list, env: {} }))[0]).toMatch(/must be a YAML mapping/);
  });

  it('applies file < environment < flags, and resolves file paths against the file', async () => {
    const file = await yamlFile(
      'port: 9000\nhost: localhost\ndataDir: ./oi-data\ninventory: { csv: parc.csv }\n',
    );
    const env = { SAV_FTTH_PORT: '9100', SAV_FTTH_MEMORY: 'yes', SAV_FTTH_DATA_DIR: '' };
    const c = loadConfig({ file, env, flags: [{ path: ['port'], value: 9200, source: '--port' }], cwd: '/' });
    expect(c).toMatchObject({
      port: 9200,
      host: 'localhost',
      memory: true,
      dataDir: join(dir, 'oi-data'),
      inventory: { csv: join(dir, 'parc.csv') },
    });
    expect(loadConfig({ file, env, cwd: '/' }).port).toBe(9100);
    expect(
      configProblems(() =>
        loadConfig({ env: {}, flags: [{ path: ['port'], value: 'x', source: '--port' }] }),
      ),
    ).toEqual(['port: "x" must be a port number or null (from --port)']);
  });

  it('reads every documented environment variable into its key', () => {
    const values: Record<string, string> = {
      SAV_FTTH_HOST: 'localhost',
      SAV_FTTH_PORT: '1',
      SAV_FTTH_HTTPS: 'true',
      SAV_FTTH_HTTPS_PORT: '2',
      SAV_FTTH_HTTPS_CERT: '/c.pem',
      SAV_FTTH_HTTPS_KEY: '/k.pem',
      SAV_FTTH_PATH: '/sav',
      SAV_FTTH_DATA_DIR: '/d',
      SAV_FTTH_MEMORY: '1',
      SAV_FTTH_PROFILE: 'sav-ftth-2.1',
      SAV_FTTH_OI_SIREN: '421938861',
      SAV_FTTH_PUSH_URL: 'http://oc.test/sav',
      SAV_FTTH_PUSH_LOGIN: 'l',
      SAV_FTTH_PUSH_PASSWORD: 'p',
      SAV_FTTH_PUSH_CA: '/ca.pem',
      SAV_FTTH_PUSH_INSECURE: 'on',
      SAV_FTTH_INVENTORY_CSV: '/parc.csv',
      SAV_FTTH_INVENTORY_SEED: '7',
      SAV_FTTH_CONTROL_TOKEN: 'a-token-of-sixteen+',
      SAV_FTTH_CONTROL_PORT: '3',
      SAV_FTTH_CONTROL_HOST: '127.0.0.1',
      SAV_FTTH_LOG_LEVEL: 'debug',
      SAV_FTTH_DECODE_WORKERS: '0',
    };
    expect(Object.keys(values).sort()).toEqual(ENV_VARS.map((e) => e.name).sort());
    expect(loadConfig({ env: values })).toMatchObject({
      host: 'localhost',
      port: 1,
      https: { enabled: true, port: 2, cert: '/c.pem', key: '/k.pem' },
      path: '/sav',
      dataDir: '/d',
      memory: true,
      oiSiren: '421938861',
      push: { url: 'http://oc.test/sav', login: 'l', password: 'p', ca: '/ca.pem', insecure: true },
      inventory: { csv: '/parc.csv', seed: 7 },
      control: { token: 'a-token-of-sixteen+', port: 3, host: '127.0.0.1' },
      log: { level: 'debug' },
      decodeWorkers: 0,
    });
  });
});

describe('behaviour against the profile settings at run time', () => {
  it('PUT /_control/behaviour refuses an answer the settings remove, with 400 naming both keys', async () => {
    const mock = await startMock({ settings: { cancellationRefusalAllowed: false } });
    try {
      const put = (body: unknown) =>
        fetch(`${mock.controlUrl}/behaviour`, {
          method: 'PUT',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      const r = await put({ cancellationAnswer: 'refuse' });
      expect(r.status).toBe(400);
      const { error } = (await r.json()) as { error: string };
      expect(error).toContain('behaviour.cancellationAnswer: "refuse"');
      expect(error).toContain('settings.cancellationRefusalAllowed is false, which removes T11');
      expect(mock.engine.behaviour().cancellationAnswer).toBe('none');
      expect((await put({ cancellationAnswer: 'agree' })).status).toBe(200);
    } finally {
      await mock.stop();
    }
  });

  it('triggering the OI action the settings remove names the setting, not an unknown action', async () => {
    const mock = await startMock({ settings: { cancellationRefusalAllowed: false } });
    try {
      const account = mock.accounts[0]!;
      const created = await mock.engine.handleSoap(
        Buffer.from(
          new MessageWriter(mock.index).createRequest(
            {
              ...exampleTicket('oc.create', mock.index),
              serviceProviderID: account.siren,
              supplierID: mock.config.oiSiren,
            },
            account,
          ),
        ),
        {},
      );
      const key = /troubleTicketKey>([^<]+)</.exec(created.body)![1];
      const r = await fetch(`${mock.controlUrl}/tickets/${key}/actions/oi.cancellationRefusal`, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(r.status).toBe(400);
      const { error } = (await r.json()) as { error: string };
      expect(error).toMatch(
        /^OI action "oi\.cancellationRefusal" is not available: settings\.cancellationRefusalAllowed is false, which removes T11 from profile sav-ftth-2\.1 \[decision §7 T11\]/,
      );
    } finally {
      await mock.stop();
    }
  });
});

describe('limits.loginMaxFailures / loginWindowMs', () => {
  it('lock an OC login after that many failed logins over HTTP; 0 never locks', async () => {
    const attempt = async (url: string, password: string) => {
      const writer = new MessageWriter(defaultIndex());
      const r = await fetch(url, {
        method: 'POST',
        body: writer.metaRequest('getEventTypes', { login: 'demo-oc', password }),
        headers: { 'content-type': 'text/xml' },
      });
      return r.text();
    };
    const strict = await startMock({ limits: { loginMaxFailures: 1, loginWindowMs: 60_000 } });
    try {
      expect(await attempt(strict.url, 'wrong')).toContain('authentication failed');
      expect(await attempt(strict.url, 'demo-oc-password')).toContain('too many failed logins');
    } finally {
      await strict.stop();
    }
    const open = await startMock({ limits: { loginMaxFailures: 0 } });
    try {
      for (let i = 0; i < 8; i++) expect(await attempt(open.url, 'wrong')).toContain('authentication failed');
      expect(await attempt(open.url, 'demo-oc-password')).toContain('getEventTypesResponse');
    } finally {
      await open.stop();
    }
  });

  it('are validated with the key named', () => {
    expect(
      configProblems(() => loadConfig({ env: {}, overrides: { limits: { loginMaxFailures: -1 } } })),
    ).toEqual(['limits.loginMaxFailures: -1 must be ≥ 0']);
  });
});
