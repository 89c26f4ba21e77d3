/** The SOAP endpoint's transport rules, over real sockets, around a fake engine. */

import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../mock-server/config/load.ts';
import { createLogger } from '../../mock-server/http/logger.ts';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { startWithEngine } from '../../mock-server/http/start.ts';
import { FAKE_BODY, FakeEngine } from './fake-engine.ts';
import { httpRequest, portOf, rawExchange, startWith } from './helpers.ts';
import { postFromOtherProcess } from './remote-client.ts';

const engine = new FakeEngine();
let mock: RunningMock;
let port: number;
let path: string;

beforeAll(async () => {
  mock = await startWith(() => engine, { limits: { bodyTimeoutMs: 400, headersTimeoutMs: 1_000 } });
  port = portOf(mock.url);
  path = new URL(mock.url).pathname;
});
afterAll(() => mock.stop());
beforeEach(() => {
  engine.calls = [];
  engine.setFaults([]);
});

const envelope =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>';
const post = (
  body: string | Uint8Array,
  headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' },
) => fetch(mock.url, { method: 'POST', body, headers });

async function stillAnswers() {
  const r = await post(envelope);
  expect(r.status).toBe(200);
  expect(await r.text()).toBe(FAKE_BODY);
}

describe('SOAP endpoint', () => {
  it('hands the raw body, the SOAPAction and the client address to the engine and returns its answer as text/xml', async () => {
    const r = await post(envelope, {
      'content-type': 'text/xml',
      soapaction: '"createTroubleTicketByValue"',
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await r.text()).toBe(FAKE_BODY);
    expect(engine.calls).toEqual([
      { raw: envelope, soapAction: '"createTroubleTicketByValue"', remote: '127.0.0.1' },
    ]);
  });

  it('takes the SOAP 1.2 action from the content type and still passes the request to the engine', async () => {
    const r = await post(envelope, {
      'content-type': 'application/soap+xml; charset=utf-8; action="getEventTypes"',
    });
    expect(r.status).toBe(200);
    expect(engine.calls[0]?.soapAction).toBe('getEventTypes');
  });

  it('refuses a request that is not XML with a SOAP 1.1 Client fault, without calling the engine', async () => {
    const r = await post('{"a":1}', { 'content-type': 'application/json' });
    expect(r.status).toBe(500);
    const body = await r.text();
    expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(body).toContain('Content-Type &#34;application/json&#34; is not text/xml');
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('answers 405 with Allow to methods other than POST, GET, HEAD and OPTIONS', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await fetch(mock.url, { method });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
    }
    const get = await fetch(mock.url);
    expect(get.status).toBe(400);
    expect(await get.text()).toContain('?wsdl');
  });

  it('answers 404 naming the endpoint for any other path', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/elsewhere`, { method: 'POST', body: envelope });
    expect(r.status).toBe(404);
    expect(await r.text()).toContain(path);
  });

  it('refuses a 10 MB body with a Client fault that reaches a client in another process, and keeps serving', async () => {
    const limit = mock.index.settings.maxMessageBytes;
    const size = 10 * 1024 * 1024;
    for (const answer of await postFromOtherProcess(mock.url, size, 'fetch', 3)) {
      expect(answer).toMatchObject({ status: 500 });
      const body = (answer as { body: string }).body;
      expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(body).toContain(`of ${size} bytes refused: the limit is ${limit} bytes`);
    }
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('refuses a too large body announced with Expect: 100-continue before the client sends it', async () => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${10 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`;
    const r = await rawExchange(port, [head]);
    expect(r.status).toBe(500);
    expect(r.headers).not.toContain('100 Continue');
    expect(r.body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('stops reading a chunked body at the limit (no Content-Length to refuse it early)', async () => {
    const limit = mock.index.settings.maxMessageBytes;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunks: (string | Buffer)[] = [head];
    for (let i = 0; i < 40; i++) chunks.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
    const r = await rawExchange(port, chunks);
    expect(r.status).toBe(500);
    expect(r.body).toContain(`of more than ${limit} bytes refused`);
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('answers a body trickled byte by byte with a Client fault at the body deadline', async () => {
    const body = envelope;
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`;
    const r = await rawExchange(port, [head, ...body.split('')], { gapMs: 50 });
    expect(r.status).toBe(500);
    expect(r.body).toContain('request body not received within 400 ms');
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('drops slow headers (headersTimeout) and keeps serving', async () => {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
    const r = await rawExchange(port, [...head.split(''), ...'X-Slow: 1\r\n'.repeat(100).split('')], {
      gapMs: 20,
    });
    expect(r.status).toBe(408);
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  it('serves 200 concurrent connections', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => post(envelope).then(async (r) => [r.status, await r.text()])),
    );
    expect(answers.every(([s, b]) => s === 200 && b === FAKE_BODY)).toBe(true);
    expect(engine.calls).toHaveLength(200);
  });

  it('applies a dropped-connection answer: the socket closes without a response', async () => {
    engine.setFaults([{ operation: '*', dropConnection: true }]);
    await expect(post(envelope)).rejects.toThrow();
    engine.setFaults([]);
    await stillAnswers();
  });

  it('applies a truncated answer: a complete HTTP response holding half the XML', async () => {
    engine.setFaults([{ operation: '*', truncateResponse: true }]);
    const r = await post(envelope);
    const text = await r.text();
    expect(text).toBe(FAKE_BODY.slice(0, Math.floor(Buffer.byteLength(FAKE_BODY) / 2)));
    engine.setFaults([]);
    await stillAnswers();
  });

  it('returns an injected HTTP status as plain text', async () => {
    engine.setFaults([{ operation: '*', httpStatus: 503 }]);
    const r = await post(envelope);
    expect(r.status).toBe(503);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });
});

describe('served documents', () => {
  it('rewrites soap:address of the WSDL to the host the client used', async () => {
    const direct = await (await fetch(`${mock.url}?wsdl`)).text();
    expect(direct).toContain(`location="${mock.url}"`);
    const viaHost = (await httpRequest(`${mock.url}?WSDL`, { headers: { host: 'oi.example.test:9000' } }))
      .body;
    expect(viaHost).toContain(`location="http://oi.example.test:9000${path}"`);
    const proxied = await (
      await fetch(`${mock.url}?wsdl`, {
        headers: {
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'sav.example.fr',
          'x-forwarded-port': '8443',
        },
      })
    ).text();
    expect(proxied).toContain(`location="https://sav.example.fr:8443${path}"`);
    expect(proxied).toContain(`schemaLocation="https://sav.example.fr:8443${path}?xsd=`);
  });

  it('puts X-Forwarded-Port on the Host the proxy passed on (nginx: Host $host, X-Forwarded-Port $server_port)', async () => {
    const wsdl = async (headers: Record<string, string>) =>
      (await httpRequest(`${mock.url}?wsdl`, { headers })).body;
    const https = { 'x-forwarded-proto': 'https' };
    expect(await wsdl({ ...https, host: 'oi.example.com', 'x-forwarded-port': '8443' })).toContain(
      `location="https://oi.example.com:8443${path}"`,
    );
    // The upstream port in Host is the proxy's view of us, not the client's.
    expect(await wsdl({ ...https, host: 'oi.example.com:8080', 'x-forwarded-port': '8443' })).toContain(
      `location="https://oi.example.com:8443${path}"`,
    );
    expect(await wsdl({ ...https, host: '[::1]:8080', 'x-forwarded-port': '9443' })).toContain(
      `location="https://[::1]:9443${path}"`,
    );
    // The scheme's own port is left out, as a URL writes it.
    expect(await wsdl({ ...https, host: 'oi.example.com', 'x-forwarded-port': '443' })).toContain(
      `location="https://oi.example.com${path}"`,
    );
    // A port the proxy put in X-Forwarded-Host itself stands; a port that is no port is ignored.
    expect(
      await wsdl({ ...https, 'x-forwarded-host': 'sav.example.fr:9000', 'x-forwarded-port': '8443' }),
    ).toContain(`location="https://sav.example.fr:9000${path}"`);
    expect(await wsdl({ ...https, host: 'oi.example.com', 'x-forwarded-port': '99999' })).toContain(
      `location="https://oi.example.com${path}"`,
    );
  });

  it('ignores a Host header that is not a host name', async () => {
    const text = await (
      await fetch(`${mock.url}?wsdl`, { headers: { 'x-forwarded-host': '"><evil/>' } })
    ).text();
    expect(text).not.toContain('evil');
    expect(text).toContain(`location="${mock.url}"`);
  });

  it('serves every XSD the WSDL imports, and 404 for an unknown name', async () => {
    const wsdl = await (await fetch(`${mock.url}?wsdl`)).text();
    const locations = [...wsdl.matchAll(/schemaLocation="([^"]+)"/g)].map((m) =>
      m[1]!.replace(/&#38;|&amp;/g, '&'),
    );
    expect(locations.length).toBeGreaterThan(0);
    for (const loc of locations) {
      const r = await fetch(loc);
      expect(r.status).toBe(200);
      const xsd = await r.text();
      expect(xsd).toContain('<xs:schema');
      for (const m of xsd.matchAll(/schemaLocation="([^"]+)"/g))
        expect(m[1]).toMatch(new RegExp(`^${mock.url}\\?xsd=`));
    }
    const missing = await fetch(`${mock.url}?xsd=nope.xsd`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('known:');
  });
});

describe('exchange log', () => {
  it('writes one JSON line per exchange, refused ones included', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = loadConfig({ env: {}, overrides: { port: 0, memory: true, log: { level: 'info' } } });
    const logged = await startWithEngine(config, () => new FakeEngine(), createLogger('info', sink));
    try {
      await fetch(logged.url, { method: 'POST', body: envelope, headers: { 'content-type': 'text/xml' } });
      await fetch(logged.url, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      const exchanges = lines.filter((l) => l.msg === 'exchange');
      expect(exchanges).toHaveLength(2);
      expect(exchanges[0]).toMatchObject({
        operation: 'fake',
        status: 200,
        remote: '127.0.0.1',
        durationMs: 0,
        service: 'sav-ftth-mock',
      });
      expect(exchanges[1]).toMatchObject({ operation: 'unknown', fault: 'Client' });
      expect(exchanges[1]!.refusal).toContain('Content-Type "application/json" is not text/xml');
    } finally {
      await logged.stop();
    }
  });
});
