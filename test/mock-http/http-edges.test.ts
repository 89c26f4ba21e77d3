/**
 * HTTP edges of the SOAP endpoint, over real sockets around a fake engine: oversized bodies whose
 * refusal must reach the client, HEAD and OPTIONS, Content-Encoding and charset refusals, and the
 * absolute-form request target.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { FAKE_BODY, FakeEngine } from './fake-engine.ts';
import { httpRequest, portOf, rawExchange, startWith } from './helpers.ts';
import { postFromOtherProcess } from './remote-client.ts';

const engine = new FakeEngine();
let mock: RunningMock;
let port: number;
let path: string;
let limit: number;

beforeAll(async () => {
  mock = await startWith(() => engine, { limits: { bodyTimeoutMs: 2_000, headersTimeoutMs: 2_000 } });
  port = portOf(mock.url);
  path = new URL(mock.url).pathname;
  limit = mock.index.settings.maxMessageBytes;
});
afterAll(() => mock.stop());
beforeEach(() => {
  engine.calls = [];
  engine.setFaults([]);
});

const envelope =
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>';

async function stillAnswers() {
  const r = await fetch(mock.url, {
    method: 'POST',
    body: envelope,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  });
  expect(r.status).toBe(200);
  expect(await r.text()).toBe(FAKE_BODY);
}

const MB = 1024 * 1024;

describe('a body over maxMessageBytes sent without Expect: 100-continue', () => {
  const fault = (size: number, declared: boolean) =>
    declared
      ? `message of ${size} bytes refused: the limit is ${limit} bytes (settings.maxMessageBytes)`
      : `message of more than ${limit} bytes refused: the limit is ${limit} bytes (settings.maxMessageBytes)`;
  const cases = [
    { size: 5 * MB, mode: 'raw' },
    { size: 10 * MB, mode: 'raw' },
    { size: 10 * MB, mode: 'chunked' },
    { size: 5 * MB, mode: 'http' },
    { size: 10 * MB, mode: 'fetch' },
  ] as const;
  for (const { size, mode } of cases) {
    it(`${size / MB} MB, ${mode}: the complete SOAP fault reaches the client every time`, async () => {
      const answers = await postFromOtherProcess(mock.url, size, mode, 6);
      for (const [i, a] of answers.entries()) {
        expect(a, `attempt ${i + 1}`).toMatchObject({ status: 500 });
        const body = (a as { body: string }).body;
        expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
        expect(body).toContain(fault(size, mode !== 'chunked'));
        expect(body).toMatch(/<\/soapenv:Envelope>\s*$/);
      }
      expect(engine.calls).toHaveLength(0);
      await stillAnswers();
    });
  }
});

/**
 * Sends a head announcing `declared` bytes, then `send` (once, or in 1 MB chunks until `endless`
 * stops when the server closes): what came back and how many body bytes went out.
 */
function oversized(opts: {
  declared: number;
  endless: boolean;
}): Promise<{ answer: string; sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const chunk = Buffer.alloc(MB, 0x61);
    let sent = 0;
    const finish = (closed: boolean) => {
      clearTimeout(guard);
      socket.destroy();
      resolve({ answer: Buffer.concat(got).toString('utf8'), sent, closed });
    };
    // Only a guard against a hung test: the server closes long before.
    const guard = setTimeout(() => finish(false), 15_000);
    socket.on('data', (d) => got.push(d));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    const pump = () => {
      while (opts.endless && !socket.destroyed && sent < opts.declared) {
        sent += chunk.length;
        if (!socket.write(chunk)) return socket.once('drain', pump);
      }
    };
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${opts.declared}\r\n\r\n`,
      );
      socket.write(chunk.subarray(0, 1024));
      sent = 1024;
      pump();
    });
  });
}

describe('the rest of a refused body is read within bounds', () => {
  it('a client that stops sending gets the fault, then the server closes the connection', async () => {
    const r = await oversized({ declared: 10 * MB, endless: false });
    expect(r.answer).toMatch(/^HTTP\/1\.1 500 /);
    expect(r.answer).toContain(`message of ${10 * MB} bytes refused`);
    expect(r.closed).toBe(true);
    await stillAnswers();
  });

  it('a client that sends on and on is cut off after at most 64 MiB more', async () => {
    const r = await oversized({ declared: 1024 * MB, endless: true });
    expect(r.closed).toBe(true);
    expect(r.sent).toBeLessThan(256 * MB);
    await stillAnswers();
  });
});

const raw = (lines: string[], body = '') =>
  rawExchange(port, [`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`], { waitMs: 5_000 });

describe('HEAD answers what GET answers, without the body', () => {
  const head = (url: string) => httpRequest(url, { method: 'HEAD' });

  it('on ?wsdl, ?xsd= and the control API: same status and headers, the Content-Length of the GET body', async () => {
    const xsd = new URL(
      /schemaLocation="([^"]+)"/
        .exec(await (await fetch(`${mock.url}?wsdl`)).text())![1]!
        .replace(/&#38;|&amp;/g, '&'),
    );
    for (const url of [
      `${mock.url}?wsdl`,
      xsd.href,
      `${mock.url}?xsd=nope.xsd`,
      `${mock.controlUrl}/ready`,
    ]) {
      const get = await httpRequest(url);
      const h = await head(url);
      expect(h.status, url).toBe(get.status);
      expect(h.headers['content-type'], url).toBe(get.headers['content-type']);
      expect(h.headers['content-length'], url).toBe(String(Buffer.byteLength(get.body)));
      expect(h.body, url).toBe('');
    }
    const health = await head(`${mock.controlUrl}/health`);
    expect(health.status).toBe(200);
    expect(Number(health.headers['content-length'])).toBeGreaterThan(0);
  });

  it('on the endpoint without a query: 405 like GET, with HEAD in Allow', async () => {
    const h = await head(mock.url);
    expect(h.status).toBe(405);
    expect(h.headers.allow).toBe('POST, GET, HEAD, OPTIONS');
    expect(h.body).toBe('');
  });

  it('lists HEAD next to GET in the Allow of the control API 405 answers', async () => {
    const r = await fetch(`${mock.controlUrl}/health`, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('OPTIONS', () => {
  it('OPTIONS * → 204 with Allow listing the methods', async () => {
    const r = await raw(['OPTIONS * HTTP/1.1', 'Host: 127.0.0.1']);
    expect(r.status).toBe(204);
    expect(r.headers).toMatch(/\r\nallow: POST, GET, HEAD, OPTIONS, PUT, DELETE\r\n/i);
    expect(r.body).toBe('');
  });

  it('OPTIONS on the endpoint → 204 with Allow listing its methods', async () => {
    const r = await fetch(mock.url, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
    expect(engine.calls).toHaveLength(0);
  });

  it('another method with the target * → 400 naming the rule', async () => {
    const r = await raw(['GET * HTTP/1.1', 'Host: 127.0.0.1']);
    expect(r.status).toBe(400);
    expect(r.body).toContain('asterisk form is for OPTIONS only (RFC 9112 §3.2.4)');
  });
});

const postXml = (body: string | Uint8Array, headers: Record<string, string>) =>
  fetch(mock.url, { method: 'POST', body, headers });

describe('Content-Encoding', () => {
  it('a gzipped body with Content-Encoding: gzip → 500 and a Client fault naming Content-Encoding', async () => {
    const r = await postXml(gzipSync(envelope), { 'content-type': 'text/xml', 'content-encoding': 'gzip' });
    expect(r.status).toBe(500);
    expect(r.headers.get('accept-encoding')).toBe('identity');
    const body = await r.text();
    expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(body).toContain('Content-Encoding &#34;gzip&#34; refused');
    expect(engine.calls).toHaveLength(0);
    await stillAnswers();
  });

  for (const coding of ['gzip', 'deflate', 'br', 'x-custom', 'identity, gzip']) {
    it(`a plain body labelled Content-Encoding: ${coding} → 500, not processed`, async () => {
      const r = await postXml(envelope, { 'content-type': 'text/xml', 'content-encoding': coding });
      expect(r.status).toBe(500);
      expect(await r.text()).toContain(`Content-Encoding &#34;${coding}&#34; refused`);
      expect(engine.calls).toHaveLength(0);
    });
  }

  it('Content-Encoding: identity is processed', async () => {
    const r = await postXml(envelope, { 'content-type': 'text/xml', 'content-encoding': 'Identity' });
    expect(r.status).toBe(200);
    expect(engine.calls).toHaveLength(1);
  });
});

describe('Content-Type charset', () => {
  for (const charset of ['utf-16', 'iso-8859-1', '"ISO-8859-1"', 'UTF-16LE', 'us-ascii']) {
    it(`charset=${charset} → 500 and a Client fault naming the charset`, async () => {
      const r = await postXml(envelope, { 'content-type': `text/xml; charset=${charset}` });
      expect(r.status).toBe(500);
      const body = await r.text();
      expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(body).toContain(`Content-Type charset &#34;${charset.replace(/"/g, '')}&#34; refused`);
      expect(engine.calls).toHaveLength(0);
    });
  }

  for (const contentType of [
    'text/xml; charset=utf-8',
    'text/xml;charset=UTF-8',
    'text/xml; charset="utf-8"',
    'text/xml',
    'application/soap+xml; action="urn:x;charset=latin1"; charset=utf-8',
  ]) {
    it(`${contentType} is processed`, async () => {
      const r = await postXml(envelope, { 'content-type': contentType });
      expect(r.status).toBe(200);
      expect(engine.calls).toHaveLength(1);
    });
  }
});

describe('absolute-form request target', () => {
  it("puts the target's authority, not the Host header, in the WSDL's soap:address", async () => {
    const r = await raw([`GET http://oi.example.test:9000${path}?wsdl HTTP/1.1`, `Host: 127.0.0.1:${port}`]);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`location="http://oi.example.test:9000${path}"`);
    expect(r.body).toContain(`schemaLocation="http://oi.example.test:9000${path}?xsd=`);
    expect(r.body).not.toContain('127.0.0.1');
  });

  it('ignores an authority that is not a host name (falls back to the Host header)', async () => {
    const r = await raw([`GET http://x_evil.example${path}?wsdl HTTP/1.1`, 'Host: oi.example.test']);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('evil');
    const odd = await raw([`GET http://x%22%3E%3Cevil%3E${path}?wsdl HTTP/1.1`, 'Host: oi.example.test']);
    expect(odd.body).not.toContain('location="http://x');
    expect(r.body).toContain(`location="http://oi.example.test${path}"`);
  });

  it('routes an absolute-form POST to the endpoint', async () => {
    const r = await raw(
      [
        `POST http://oi.example.test${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: text/xml',
        `Content-Length: ${Buffer.byteLength(envelope)}`,
      ],
      envelope,
    );
    expect(r.status).toBe(200);
    expect(r.body).toBe(FAKE_BODY);
    expect(engine.calls).toHaveLength(1);
  });
});
