/**
 * Every control route refuses a query parameter it does not read, with the same 400 JSON error as
 * `GET /tickets`, before doing anything (a mistyped `POST /reset?x=1` must not wipe the tickets);
 * the socket server and the msw handlers answer alike.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type MockHandlerList, mockHandlers, type RunningMock, startMock } from '../../mock-server/index.ts';

const BASE = 'https://oi.example.test/api';
const TOKEN = 'a-control-token-of-32-characters';
const handlers = mockHandlers({ baseUrl: BASE });
const guarded = mockHandlers({ baseUrl: 'https://guarded.example.test', control: { token: TOKEN } });
const server = setupServer(...handlers, ...guarded);
let mock: RunningMock;

beforeAll(async () => {
  server.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname.endsWith('.example.test')) print.error();
    },
  });
  mock = await startMock({ port: 0 });
});
afterAll(async () => {
  server.close();
  await handlers.close();
  await guarded.close();
  await mock?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Side {
  controlUrl: string;
  engine: RunningMock['engine'] | MockHandlerList['engine'];
}
interface Seen {
  status: number;
  body: Record<string, unknown>;
}

async function send(side: Side, method: string, path: string, init: RequestInit = {}): Promise<Seen> {
  const r = await fetch(`${side.controlUrl}${path}`, { method, ...init });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** The same request to the socket server and to the msw handlers: both answers must be equal. */
async function same(method: string, path: string, init: RequestInit = {}): Promise<Seen> {
  const socket = await send(mock, method, path, init);
  expect(await send(handlers, method, path, init), `${method} ${path} through msw`).toEqual(socket);
  return socket;
}

/** Spies on every engine call that changes something, on both sides. */
function watchWrites() {
  return [mock.engine, handlers.engine].flatMap((engine) =>
    (['reset', 'setFaults', 'setBehaviour', 'triggerOiAction'] as const).map((m) => vi.spyOn(engine, m)),
  );
}

/** A concrete path for a route template: `{troubleTicketKey}` → a key, `{action}` → an R7 action. */
const concrete = (template: string) =>
  template.replace('{troubleTicketKey}', 'TT-000001').replace('{action}', 'oi.takeInCharge');

/** The JSON body each writing route would accept, so that only the query parameter can be refused. */
const bodyFor = (method: string, path: string): RequestInit => {
  if (method === 'PUT' && path === '/faults') return { body: '[]' };
  if (method === 'PUT' && path === '/behaviour') return { body: '{}' };
  return {};
};

describe('control routes and query parameters', () => {
  it('lists routes to check (GET /_control describes them)', async () => {
    const { body } = await send(mock, 'GET', '');
    expect(body.routes).toEqual(expect.arrayContaining(['POST /reset', 'GET /health', 'PUT /faults']));
  });

  it('refuses an unknown query parameter on every route, doing nothing, through node:http and msw', async () => {
    const routes = (await send(mock, 'GET', '')).body.routes as string[];
    const writes = watchWrites();
    for (const route of routes) {
      const [method, template] = route.split(' ') as [string, string];
      const path = concrete(template);
      const seen = await same(method, `${path === '/' ? '' : path}?x=1`, bodyFor(method, template));
      expect(seen.status, route).toBe(400);
      expect(seen.body.error, route).toMatch(
        /^unknown query parameter "x" \((known: |.* takes no query parameter\))/,
      );
    }
    for (const spy of writes) expect(spy, spy.getMockName()).not.toHaveBeenCalled();
  });

  it('says a route takes no query parameter, naming the route', async () => {
    expect(await same('POST', '/reset?x=1')).toEqual({
      status: 400,
      body: { error: 'unknown query parameter "x" (POST /reset takes no query parameter)' },
    });
    expect((await same('GET', '/tickets/TT-000001?verbose=1')).body.error).toBe(
      'unknown query parameter "verbose" (GET /tickets/{troubleTicketKey} takes no query parameter)',
    );
    expect((await same('GET', '?x=1')).body.error).toBe(
      'unknown query parameter "x" (GET / takes no query parameter)',
    );
  });

  it('names the accepted parameters where a route has some, as before', async () => {
    expect((await same('GET', '/inventory?technicalid=X')).body.error).toBe(
      'unknown query parameter "technicalid" (known: technicalId, limit, offset)',
    );
    expect((await same('GET', '/deliveries?state=failed')).body.error).toBe(
      'unknown query parameter "state" (known: status, key)',
    );
  });

  it('does not reset when reset is sent a stray parameter, and resets without it', async () => {
    const reset = vi.spyOn(mock.engine, 'reset');
    expect((await send(mock, 'POST', '/reset?confirm=yes')).status).toBe(400);
    expect(reset).not.toHaveBeenCalled();
    expect(await send(mock, 'POST', '/reset')).toEqual({ status: 200, body: { reset: true } });
    expect(reset).toHaveBeenCalledTimes(1);
  });

  it('keeps an empty query and the known parameters working', async () => {
    expect((await same('GET', '/health?')).status).toBe(200);
    expect((await same('GET', '/counters')).status).toBe(200);
    expect((await same('GET', '/tickets?limit=1&offset=0')).status).toBe(200);
    expect((await same('GET', '/inventory?limit=1')).body).toMatchObject({ limit: 1 });
  });

  it('refuses a stray parameter on health and ready too (a probe sends none)', async () => {
    for (const path of ['/health', '/ready']) {
      const seen = await same('GET', `${path}?nocache=123`);
      expect(seen).toEqual({
        status: 400,
        body: { error: `unknown query parameter "nocache" (GET ${path} takes no query parameter)` },
      });
    }
  });
});

describe('control query parameters with a token', () => {
  const controlUrl = guarded.controlUrl;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${controlUrl}${path}`, { headers });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('asks for the token before judging the query of a guarded route', async () => {
    expect((await get('/counters?x=1')).status).toBe(401);
    expect(await get('/counters?x=1', { authorization: `Bearer ${TOKEN}` })).toEqual({
      status: 400,
      body: { error: 'unknown query parameter "x" (GET /counters takes no query parameter)' },
    });
  });

  it('judges the query of the open routes (health, ready) without a token', async () => {
    expect((await get('/health?x=1')).status).toBe(400);
    expect((await get('/ready')).status).toBe(200);
  });
});
