/**
 * The msw 2 handlers answer as the socket server: the same request sent to startMock() and to
 * mockHandlers() (under a base URL with a path) gets the same status, Allow, content type and body
 * (each side's own URLs aside).
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, mockHandlers, type RunningMock, startMock } from '../../mock-server/index.ts';

const BASE = 'https://oi.example.test/api';
const handlers = mockHandlers({ baseUrl: BASE });
const server = setupServer(...handlers);
let mock: RunningMock;

beforeAll(async () => {
  // Requests to the fake OI must be answered by the handlers; the socket server's go through.
  server.listen({
    onUnhandledRequest(request, print) {
      if (new URL(request.url).hostname === 'oi.example.test') print.error();
    },
  });
  mock = await startMock({ port: 0 });
});
afterAll(async () => {
  server.close();
  await handlers.close();
  await mock?.stop();
});

interface Side {
  url: string;
  controlUrl: string;
}
interface Seen {
  status: number;
  allow: string | null;
  contentType: string | null;
  body: string;
}

/** One request to a side, its URLs in the answer replaced by placeholders. */
async function send(side: Side, target: (s: Side) => string, init: RequestInit = {}): Promise<Seen> {
  const r = await fetch(target(side), init);
  const body = (await r.text()).replaceAll(side.url, '<endpoint>').replaceAll(side.controlUrl, '<control>');
  return {
    status: r.status,
    allow: r.headers.get('allow'),
    contentType: r.headers.get('content-type'),
    body,
  };
}

async function same(target: (s: Side) => string, init: RequestInit = {}): Promise<Seen> {
  const socket = await send(mock, target, init);
  const msw = await send(handlers, target, init);
  expect(msw).toEqual(socket);
  return msw;
}

describe('mockHandlers() under a base URL with a path', () => {
  it('serves the control API below the base path', async () => {
    expect(handlers.controlUrl).toBe(`${BASE}/_control`);
    for (const route of ['/health', '/tickets', '/counters', '/behaviour']) {
      const r = await fetch(`${handlers.controlUrl}${route}`);
      expect(r.status, route).toBe(200);
    }
    const action = await same((s) => `${s.controlUrl}/tickets/TT-999999/actions/oi.takeInCharge`, {
      method: 'POST',
    });
    expect(action.status).toBe(404);
    expect(JSON.parse(action.body).error).toContain('unknown troubleTicketKey "TT-999999"');
  });

  it('describes itself at GET /_control as the socket server does: profile, oiSiren, accounts', async () => {
    const msw = (await (await fetch(handlers.controlUrl)).json()) as Record<string, unknown>;
    const socket = (await (await fetch(mock.controlUrl)).json()) as Record<string, unknown>;
    expect(Object.keys(msw)).toEqual(Object.keys(socket));
    for (const key of ['profile', 'oiSiren', 'accounts', 'routes'])
      expect(msw[key], key).toEqual(socket[key]);
    expect(msw.endpoints).toEqual([handlers.url]);
    expect(msw.wsdl).toEqual([handlers.wsdlUrl]);
    expect(msw.control).toBe(handlers.controlUrl);
    expect(JSON.stringify(msw.accounts)).not.toContain(handlers.accounts[0]!.password);
  });
});

describe('mockHandlers() answers as the socket server', () => {
  it('answers 400 naming a malformed percent-encoding on a control route', async () => {
    const seen = await same((s) => `${s.controlUrl}/tickets/%E0%A4%A`);
    expect(seen.status).toBe(400);
    expect(JSON.parse(seen.body)).toEqual({ error: 'malformed percent-encoding in /tickets/%E0%A4%A' });
  });

  it('answers HEAD ?wsdl as GET without the body', async () => {
    const seen = await same((s) => `${s.url}?wsdl`, { method: 'HEAD' });
    expect(seen.status).toBe(200);
    expect(seen.body).toBe('');
  });

  it('answers OPTIONS on the SOAP endpoint with 204 and its Allow', async () => {
    const seen = await same((s) => s.url, { method: 'OPTIONS' });
    expect(seen.status).toBe(204);
    expect(seen.allow).toBe('POST, GET, HEAD, OPTIONS');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])(
    'refuses %s on the SOAP endpoint with 405 and Allow',
    async (method) => {
      const seen = await same((s) => s.url, { method, ...(method !== 'DELETE' ? { body: 'x' } : {}) });
      expect(seen.status).toBe(405);
      expect(seen.allow).toBe('POST, GET, HEAD, OPTIONS');
      expect(seen.body).toContain(`method ${method} not allowed`);
    },
  );

  it('refuses a control body over 1 MiB with 413 before parsing it', async () => {
    const body = JSON.stringify({ a: 'x'.repeat(2_000_000) });
    const seen = await same((s) => `${s.controlUrl}/behaviour`, { method: 'PUT', body });
    expect(seen.status).toBe(413);
    expect(JSON.parse(seen.body)).toEqual({ error: 'request body exceeds the limit of 1048576 bytes' });
  });

  it('refuses a SOAP body over settings.maxMessageBytes with the same Client fault', async () => {
    const limit = handlers.engine.index.settings.maxMessageBytes;
    const init = { method: 'POST', body: 'x'.repeat(limit + 1), headers: { 'content-type': 'text/xml' } };
    // The socket server reads the size from Content-Length; msw hands the body over as a stream
    // without it, so the handlers say "of more than <limit> bytes" (they stop reading there).
    const size = /message of (more than )?\d+ bytes/;
    const socket = await send(mock, (s) => s.url, init);
    const msw = await send(handlers, (s) => s.url, init);
    expect({ ...msw, body: msw.body.replace(size, '…') }).toEqual({
      ...socket,
      body: socket.body.replace(size, '…'),
    });
    expect(msw.status).toBe(500);
    expect(msw.body).toContain(`refused: the limit is ${limit} bytes (settings.maxMessageBytes)`);
    expect(msw.body).toMatch(size);
  });

  it('answers the same documents errors: unknown XSD, GET without ?wsdl', async () => {
    expect((await same((s) => `${s.url}?xsd=nope`)).status).toBe(404);
    expect((await same((s) => `${s.url}?XSD=nope`)).status).toBe(404);
    expect((await same((s) => s.url)).status).toBe(400);
  });

  it('answers control errors with the same JSON', async () => {
    expect((await same((s) => `${s.controlUrl}/nope`)).status).toBe(404);
    expect((await same((s) => `${s.controlUrl}/tickets?limit=0`)).status).toBe(400);
    expect((await same((s) => `${s.controlUrl}/health`, { method: 'DELETE' })).status).toBe(405);
  });
});

describe('mockHandlers() options', () => {
  it.each([
    ['not a url', /baseUrl: "not a url" must be an absolute http:\/\/ or https:\/\/ URL/],
    [
      'ftp://oi.example.test',
      /baseUrl: "ftp:\/\/oi.example.test" must be an absolute http:\/\/ or https:\/\//,
    ],
    ['https://oi.example.test/?x=1', /baseUrl: "https:\/\/oi.example.test\/\?x=1" .*without query/],
    ['/api', /baseUrl: "\/api" must be an absolute/],
  ])('refuses baseUrl %j with a ConfigError naming the key and value', (baseUrl, message) => {
    expect(() => mockHandlers({ baseUrl })).toThrow(ConfigError);
    expect(() => mockHandlers({ baseUrl })).toThrow(message);
  });

  it('lists a bad baseUrl with the other bad options', () => {
    expect(() => mockHandlers({ baseUrl: 'nope', port: -1 })).toThrow(/baseUrl: "nope"[\s\S]*port: -1/);
  });
});
