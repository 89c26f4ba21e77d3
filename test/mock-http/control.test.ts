/** The control API's routing, validation and token rules, around a fake engine. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../mock-server/config/load.ts';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { FakeEngine, fakeTicket } from './fake-engine.ts';
import { startWith, testConfig } from './helpers.ts';

const engine = new FakeEngine();
let mock: RunningMock;
const TOKEN = 'a-control-token-of-32-characters';

beforeAll(async () => {
  mock = await startWith(() => engine);
});
afterAll(() => mock.stop());
beforeEach(() => {
  engine.tickets.clear();
  engine.actions = [];
});

const call = async (path: string, init: RequestInit = {}, base = mock.controlUrl) => {
  const r = await fetch(`${base}${path}`, init);
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
};
const put = (path: string, body: string) =>
  call(path, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });

describe('control API on localhost without a token', () => {
  it('answers health and readiness', async () => {
    expect((await call('/health')).body.status).toBe('ok');
    expect(await call('/ready')).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('describes the service at its root: endpoint, WSDL, accounts without passwords', async () => {
    const { body } = await call('');
    expect(body.endpoints).toEqual([mock.url]);
    expect(body.wsdl).toEqual([mock.wsdlUrl]);
    expect(JSON.stringify(body.accounts)).not.toContain('password');
    expect(body.routes).toContain('GET /tickets');
    expect(body.routes).toContain('GET /tickets/{troubleTicketKey}');
    expect(body.routes).toContain('POST /tickets/{troubleTicketKey}/actions/{action}');
    for (const route of body.routes as string[]) expect(route).not.toMatch(/[()[\]^$\\]/);
  });

  it('routes a template parameter as one path segment, percent-decoded', async () => {
    engine.tickets.set('K 1', fakeTicket('K 1'));
    expect((await call('/tickets/K%201')).body).toMatchObject({ ticket: { troubleTicketKey: 'K 1' } });
    expect((await call('/tickets/K1/extra')).status).toBe(404);
  });

  it('refuses a repeated query parameter, naming it and its values', async () => {
    expect(await call('/tickets?limit=1&limit=abc')).toMatchObject({
      status: 400,
      body: { error: 'query parameter limit is repeated ("1", "abc"): give it once' },
    });
    expect((await call('/deliveries?status=failed&status=pending')).body.error).toBe(
      'query parameter status is repeated ("failed", "pending"): give it once',
    );
  });

  it('says the bound of an integer too large to be safe, not that it is no integer', async () => {
    expect((await put('/behaviour', '{"takeInChargeAfterMs":1e308}')).body.error).toBe(
      'invalid behaviour: takeInChargeAfterMs: 1e+308 must be an integer number of milliseconds between 0 and 9007199254740991',
    );
    expect((await put('/behaviour', '{"cancellationAnswerAfterMs":-1}')).body.error).toBe(
      'invalid behaviour: cancellationAnswerAfterMs: -1 must be an integer number of milliseconds between 0 and 9007199254740991',
    );
    expect((await put('/behaviour', '{"planAfterMs":1.5}')).status).toBe(400);
    expect(
      (await put('/faults', '[{"operation":"*","httpStatus":503,"times":100000000000000000000}]')).body.error,
    ).toBe(
      'invalid faults: [0].times: 100000000000000000000 must be an integer between 1 and 9007199254740991',
    );
    expect((await put('/faults', '[{"operation":"*","latencyMs":600001}]')).body.error).toBe(
      'invalid faults: [0].latencyMs: 600001 must be an integer between 0 and 600000',
    );
  });

  it('lists tickets with validated filters', async () => {
    engine.tickets.set('K1', fakeTicket('K1'));
    engine.tickets.set('K2', fakeTicket('K2', 'CLOSED'));
    const { body } = await call('/tickets?state=CLOSED&limit=10');
    expect((body.tickets as { troubleTicketKey: string }[]).map((t) => t.troubleTicketKey)).toEqual(['K2']);
    expect(await call('/tickets?state=OPEN')).toMatchObject({
      status: 400,
      body: {
        error:
          'query parameter state: "OPEN" must be one of QUEUED, OPENACTIVE, OPENACTIVE.TO.BE.CANCELED, CLOSED, DEFERRED, CLEARED, CLOSE.CANCELLED',
      },
    });
    expect((await call('/tickets?limit=0')).body.error).toBe(
      'query parameter limit: "0" must be an integer between 1 and 1000',
    );
    expect((await call('/tickets?oc=12')).body.error).toBe(
      'query parameter oc: "12" must be a SIREN of 9 digits',
    );
    expect((await call('/tickets?sort=x')).body.error).toMatch(/^unknown query parameter "sort"/);
  });

  it('returns one ticket, or 404 naming an unknown key', async () => {
    engine.tickets.set('K1', fakeTicket('K1'));
    expect((await call('/tickets/K1')).body).toMatchObject({
      ticket: { troubleTicketKey: 'K1' },
      history: [],
      deliveries: [],
    });
    expect(await call('/tickets/NOPE')).toMatchObject({
      status: 404,
      body: { error: 'unknown troubleTicketKey "NOPE"' },
    });
  });

  it('triggers an R7 action with field overrides, and refuses unknown actions and fields', async () => {
    engine.tickets.set('K1', fakeTicket('K1'));
    const ok = await call('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: JSON.stringify({ supplierName: 'Jean Technicien' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.status).toBe(200);
    expect(engine.actions).toEqual([
      { key: 'K1', action: 'oi.takeInCharge', fields: { supplierName: 'Jean Technicien' } },
    ]);
    const noBody = await call('/tickets/K1/actions/oi.takeInCharge', { method: 'POST' });
    expect(noBody.status).toBe(200);
    const unknown = await call('/tickets/K1/actions/oc.create', { method: 'POST' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/^unknown OI action "oc.create" \(known: oi\./);
    const badField = await call('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: '{"supplierNom":"x"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(badField).toMatchObject({
      status: 400,
      body: {
        error:
          'invalid field overrides for oi.takeInCharge: supplierNom: is not a field of profile sav-ftth-2.1; oi.takeInCharge accepts: supplierName, supplierResolutionState, supplierUnit, supplierPhoneNumber, supplierResolutionAction',
      },
    });
    const badJson = await call('/tickets/K1/actions/oi.takeInCharge', {
      method: 'POST',
      body: '{"supplierName":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatch(/^request body is not valid JSON: /);
    expect((await call('/tickets/NOPE/actions/oi.takeInCharge', { method: 'POST' })).status).toBe(404);
    expect(engine.actions).toHaveLength(2);
  });

  it('reads and patches the behaviour, naming the key of a bad value', async () => {
    const r = await put('/behaviour', JSON.stringify({ takeInChargeAfterMs: 1000, resolveWith: 'RET02' }));
    expect(r.body).toMatchObject({ takeInChargeAfterMs: 1000, resolveWith: 'RET02' });
    expect((await call('/behaviour')).body.takeInChargeAfterMs).toBe(1000);
    expect((await put('/behaviour', '{"takeInChargeAfterMs":"soon"}')).body.error).toBe(
      'invalid behaviour: takeInChargeAfterMs: "soon" must be a number of milliseconds or null',
    );
    expect((await put('/behaviour', '{"resolveWith":"RET99"}')).body.error).toBe(
      'invalid behaviour: resolveWith: "RET99" must be a closure code of the profile',
    );
    expect((await put('/behaviour', '{"speed":1}')).body.error).toBe('invalid behaviour: speed: unknown key');
  });

  it('sets and clears fault injections, refusing ones with no effect or an unknown operation', async () => {
    const faults = [{ operation: 'createTroubleTicketByValue', latencyMs: 50, times: 2 }];
    expect((await put('/faults', JSON.stringify(faults))).body).toEqual(faults);
    expect((await call('/faults')).body).toEqual(faults);
    expect((await put('/faults', '[{"operation":"create","httpStatus":503}]')).body.error).toMatch(
      /^invalid faults: \[0\]\.operation: "create" must be "\*" or an operation/,
    );
    expect((await put('/faults', '[{"operation":"*","httpStatus":404}]')).body.error).toBe(
      'invalid faults: [0].httpStatus: 404 must be 500 or 503',
    );
    expect((await put('/faults', '[{"operation":"*"}]')).body.error).toMatch(/sets no effect/);
    expect((await call('/faults', { method: 'DELETE' })).body).toEqual([]);
  });

  it('lists inventory, deliveries and counters; resets', async () => {
    expect((await call('/inventory')).body).toMatchObject({
      total: 1,
      entries: [{ technicalId: 'FI-0001-0001' }],
    });
    expect((await call('/deliveries?status=failed')).body).toEqual({ deliveries: [], count: 0 });
    expect((await call('/deliveries?status=lost')).status).toBe(400);
    expect((await call('/counters')).body).toHaveProperty('requests');
    const resets = engine.resets;
    expect((await call('/reset', { method: 'POST' })).body).toEqual({ reset: true });
    expect(engine.resets).toBe(resets + 1);
  });

  it('answers 404 to an unknown route and 405 with Allow to a wrong method', async () => {
    expect((await call('/nope')).status).toBe(404);
    const r = await call('/reset');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
  });
});

describe('control API token', () => {
  it('refuses to start beyond localhost without a token, naming the key', () => {
    expect(() => testConfig({ host: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => testConfig({ host: '0.0.0.0' })).toThrow(
      'control.token: is required: the control API would be bound to 0.0.0.0, beyond localhost',
    );
    expect(() => testConfig({ host: '127.0.0.1', control: { port: 0, host: '0.0.0.0' } })).toThrow(
      /control\.token: is required/,
    );
  });

  it('requires the bearer token on every route but health and ready, on its own port', async () => {
    const withToken = await startWith(() => new FakeEngine(), {
      host: '0.0.0.0',
      control: { token: TOKEN, port: 0 },
    });
    try {
      const base = withToken.controlUrl;
      expect(new URL(base).port).not.toBe(new URL(withToken.url).port);
      expect((await call('/health', {}, base)).status).toBe(200);
      expect((await call('/ready', {}, base)).status).toBe(200);
      const missing = await call('/counters', {}, base);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.body.error).toMatch(/^missing bearer token/);
      const wrong = await call('/counters', { headers: { authorization: `Bearer ${TOKEN}x` } }, base);
      expect(wrong).toMatchObject({ status: 401, body: { error: 'wrong bearer token' } });
      const right = await call('/counters', { headers: { authorization: `Bearer ${TOKEN}` } }, base);
      expect(right.status).toBe(200);
      // The SOAP port does not serve the control API when it has its own port.
      expect((await fetch(`${new URL(withToken.url).origin}/_control/health`)).status).toBe(404);
    } finally {
      await withToken.stop();
    }
  });
});
