/**
 * The control API against browsers, over real sockets: a page of another site cannot change the
 * mock (JSON bodies only, foreign Origin refused), a DNS-rebinding page cannot read it (loopback
 * Host names only without a token), deeply nested JSON is a 400, and every answer says nosniff.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTROL_JSON_DEPTH } from '../../mock-server/http/control-guard.ts';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { mockHandlers } from '../../mock-server/index.ts';
import { FakeEngine, fakeTicket } from './fake-engine.ts';
import { httpRequest, portOf, startWith } from './helpers.ts';

const engine = new FakeEngine();
let mock: RunningMock;
let port: number;
/** The site of the probe's attacking page. */
const FOREIGN = 'http://localhost:19700';

beforeAll(async () => {
  mock = await startWith(() => engine);
  port = portOf(mock.url);
});
afterAll(() => mock.stop());
beforeEach(() => {
  engine.tickets.clear();
  engine.tickets.set('K1', fakeTicket('K1'));
  engine.actions = [];
  engine.resets = 0;
  engine.setFaults([]);
});

const control = (
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  httpRequest(`${mock.controlUrl}${path}`, init).then((r) => ({
    ...r,
    json: (r.headers['content-type'] ?? '').toString().startsWith('application/json')
      ? (JSON.parse(r.body) as { error?: string; accepted?: string[] })
      : undefined,
  }));
const JSON_TYPE = { 'content-type': 'application/json' };

describe('a body that is not declared JSON (a form or no-cors fetch of another site)', () => {
  it('refuses a text/plain body with 415 naming the header and what is accepted, and acts on nothing', async () => {
    const r = await control('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(r.status).toBe(415);
    expect(r.json).toEqual({
      error:
        'Content-Type "text/plain;charset=UTF-8" refused: the body must be JSON, send "Content-Type: application/json"',
      accepted: ['application/json'],
    });
    expect(engine.actions).toEqual([]);
  });

  it('refuses a body without Content-Type, a form encoding and a charset other than UTF-8', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^request body without Content-Type refused: it must be JSON/],
      [
        { 'content-type': 'application/x-www-form-urlencoded' },
        /^Content-Type "application\/x-www-form-urlencoded" refused/,
      ],
      [
        { 'content-type': 'multipart/form-data; boundary=x' },
        /^Content-Type "multipart\/form-data; boundary=x" refused/,
      ],
      [{ 'content-type': 'application/json; charset=iso-8859-1' }, /read as UTF-8/],
    ];
    for (const [headers, error] of cases) {
      const r = await control('/faults', { method: 'PUT', body: '[]', headers });
      expect(r.status, JSON.stringify(headers)).toBe(415);
      expect(r.json?.error).toMatch(error);
    }
    // A route that ignores its body refuses a foreign one too: reset wipes nothing.
    const reset = await control('/reset', {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(reset.status).toBe(415);
    expect(engine.tickets.size).toBe(1);
  });

  it('accepts application/json (with charset=utf-8, or a +json type) and a body-less POST', async () => {
    const withCharset = await control('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: '{"supplierName":"Jean Technicien"}',
      headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    });
    expect(withCharset.status).toBe(200);
    const plusJson = await control('/behaviour', {
      method: 'PUT',
      body: '{"rejectUnknownPto":false}',
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(plusJson.status).toBe(200);
    // curl -X POST, fetch(url, { method: 'POST' }): no body, no Content-Type needed.
    expect((await control('/tickets/K1/actions/oi.takeInCharge', { method: 'POST' })).status).toBe(200);
    expect(engine.actions).toHaveLength(2);
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect(engine.tickets.size).toBe(0);
  });

  it('still lets Node fetch through when it sends JSON, as the harness and the README do', async () => {
    const r = await fetch(`${mock.controlUrl}/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ operation: '*', httpStatus: 503, times: 1 }]),
      headers: JSON_TYPE,
    });
    expect(r.status).toBe(200);
    expect((await fetch(`${mock.controlUrl}/faults`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${mock.controlUrl}/reset`, { method: 'POST' })).status).toBe(200);
  });
});

describe('a request sent by a page of another origin', () => {
  it('refuses a body-less reset with 403 naming the Origin, and keeps every ticket', async () => {
    const r = await control('/reset', { method: 'POST', headers: { origin: FOREIGN } });
    expect(r.status).toBe(403);
    expect(r.json?.error).toBe(
      `Origin "${FOREIGN}" refused: the control API changes the mock only for requests of its own origin (http://127.0.0.1:${port}) or without Origin (curl, scripts), never for a page of another site`,
    );
    expect(engine.tickets.size).toBe(1);
    expect(engine.resets).toBe(0);
  });

  it('refuses every mutating method, even with a JSON body, and an opaque Origin "null"', async () => {
    const tries: [string, string, string | undefined, string][] = [
      ['POST', '/tickets/K1/actions/oi.takeInCharge', '{}', FOREIGN],
      ['PUT', '/faults', '[]', FOREIGN],
      ['DELETE', '/faults', undefined, FOREIGN],
      ['PUT', '/behaviour', '{}', 'null'],
      // Same host, another port: another origin.
      ['POST', '/reset', undefined, `http://127.0.0.1:${port + 1}`],
    ];
    for (const [method, path, body, origin] of tries) {
      const r = await control(path, {
        method,
        ...(body !== undefined ? { body } : {}),
        headers: { ...JSON_TYPE, origin },
      });
      expect(r.status, `${method} ${path} from ${origin}`).toBe(403);
    }
    expect(engine.actions).toEqual([]);
    expect(engine.resets).toBe(0);
  });

  it('accepts its own origin (default port elided, case aside) and lets GET through (the browser hides the answer)', async () => {
    const own = await control('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: '{}',
      headers: { ...JSON_TYPE, origin: `HTTP://127.0.0.1:${port}` },
    });
    expect(own.status).toBe(200);
    const asLocalhost = await control('/reset', {
      method: 'POST',
      headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    });
    expect(asLocalhost.status).toBe(200);
    expect((await control('/counters', { headers: { origin: FOREIGN } })).status).toBe(200);
  });
});

describe('a Host that is not a loopback name (DNS rebinding) on a loopback control API without a token', () => {
  it('refuses reading the tickets with 403 naming the Host', async () => {
    const host = `rebind.attacker.example:${port}`;
    const r = await control('/tickets', { headers: { host } });
    expect(r.status).toBe(403);
    expect(r.json?.error).toMatch(
      /^Host "rebind\.attacker\.example:\d+" refused: the control API, bound to 127\.0\.0\.1 without a token, answers only localhost, 127\.0\.0\.1, \[::1\] or 127\.0\.0\.1/,
    );
    expect(r.body).not.toContain('K1');
    for (const path of ['/tickets/K1', '', '/health']) {
      expect((await control(path, { headers: { host } })).status, path).toBe(403);
    }
    expect((await control('/reset', { method: 'POST', headers: { host } })).status).toBe(403);
    expect(engine.tickets.size).toBe(1);
  });

  it('refuses a malformed Host and a loopback look-alike name', async () => {
    for (const host of ['127.0.0.1.attacker.example', 'localhost.attacker.example:80', 'user@127.0.0.1']) {
      expect((await control('/tickets', { headers: { host } })).status, host).toBe(403);
    }
  });

  it('answers localhost, 127.0.0.1 and [::1], on any port (an SSH tunnel or a port forward)', async () => {
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'LOCALHOST',
      'localhost:9000',
    ]) {
      const r = await control('/tickets', { headers: { host } });
      expect(r.status, host).toBe(200);
    }
  });

  it('leaves the SOAP side alone: the WSDL follows the Host and X-Forwarded-Host the client used', async () => {
    const byHost = await httpRequest(`${mock.url}?wsdl`, { headers: { host: 'oi.example.test:8443' } });
    expect(byHost.status).toBe(200);
    expect(byHost.body).toContain('http://oi.example.test:8443/');
    const forwarded = await httpRequest(`${mock.url}?wsdl`, {
      headers: { 'x-forwarded-host': 'public.example.test', 'x-forwarded-proto': 'https' },
    });
    expect(forwarded.body).toContain('https://public.example.test/');
  });

  it('answers any Host when the control API has a token (the token protects it)', async () => {
    const withToken = await startWith(() => new FakeEngine(), {
      control: { token: 'a-control-token-of-32-characters' },
    });
    try {
      const r = await httpRequest(`${withToken.controlUrl}/counters`, {
        headers: { host: 'mock.internal.example', authorization: 'Bearer a-control-token-of-32-characters' },
      });
      expect(r.status).toBe(200);
      // A foreign Origin is refused all the same on a mutating request.
      const reset = await httpRequest(`${withToken.controlUrl}/reset`, {
        method: 'POST',
        headers: { origin: FOREIGN, authorization: 'Bearer a-control-token-of-32-characters' },
      });
      expect(reset.status).toBe(403);
    } finally {
      await withToken.stop();
    }
  });
});

describe('deeply nested JSON', () => {
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

  it('refuses 5,000 and 1,000 levels with 400 naming the limit, on every route that reads a body', async () => {
    const error = `request body nests arrays and objects deeper than ${CONTROL_JSON_DEPTH} levels (the control API's limit)`;
    for (const [method, path] of [
      ['PUT', '/faults'],
      ['PUT', '/behaviour'],
      ['POST', '/tickets/K1/actions/oi.takeInCharge'],
    ] as const) {
      for (const levels of [5_000, 1_000, CONTROL_JSON_DEPTH + 1]) {
        const r = await control(path, { method, body: nested(levels), headers: JSON_TYPE });
        expect(r.status, `${method} ${path} ${levels}`).toBe(400);
        expect(r.json).toEqual({ error });
      }
    }
    const objects = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
    expect((await control('/behaviour', { method: 'PUT', body: objects, headers: JSON_TYPE })).json).toEqual({
      error,
    });
    expect(engine.actions).toEqual([]);
  });

  it('counts brackets inside strings as text, and lets the limit itself through to validation', async () => {
    const inString = JSON.stringify({ supplierName: `${'['.repeat(200)}\\"{` });
    const r = await control('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: inString,
      headers: JSON_TYPE,
    });
    expect(r.status).toBe(200);
    const atLimit = await control('/faults', {
      method: 'PUT',
      body: nested(CONTROL_JSON_DEPTH),
      headers: JSON_TYPE,
    });
    expect(atLimit.status).toBe(400);
    expect(atLimit.json?.error).toMatch(/^invalid faults: /);
  });
});

describe('X-Content-Type-Options: nosniff', () => {
  it('is on the plain-text errors that quote the request, the documents, SOAP and control answers', async () => {
    const origin = new URL(mock.url).origin;
    const answers = [
      await httpRequest(`${origin}/%3Cscript%3Ealert(1)%3C/script%3E`),
      await httpRequest(`${mock.url}?xsd=${encodeURIComponent('<script>')}`),
      await httpRequest(`${mock.url}?wsdl`),
      await httpRequest(mock.url, { method: 'POST', body: '<x/>', headers: { 'content-type': 'text/xml' } }),
      await httpRequest(mock.url, { method: 'DELETE' }),
      await httpRequest(`${mock.controlUrl}/counters`),
      await httpRequest(`${mock.controlUrl}/nope`),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 200, 200, 405, 200, 404]);
    for (const a of answers) expect(a.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the msw handlers', () => {
  const BASE = 'https://oi-guard.example.test';
  const handlers = mockHandlers({ baseUrl: BASE });
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(async () => {
    server.close();
    await handlers.close();
  });

  it('refuse a body not declared JSON as the socket server does, and accept a JSON one', async () => {
    const plain = await fetch(`${handlers.controlUrl}/faults`, { method: 'PUT', body: '[]' });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: string }).error).toMatch(
      /^Content-Type "text\/plain;charset=UTF-8" refused/,
    );
    const deep = await fetch(`${handlers.controlUrl}/faults`, {
      method: 'PUT',
      body: `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      headers: JSON_TYPE,
    });
    expect(deep.status).toBe(400);
    const ok = await fetch(`${handlers.controlUrl}/faults`, {
      method: 'PUT',
      body: '[]',
      headers: JSON_TYPE,
    });
    expect(ok.status).toBe(200);
  });
});
