/**
 * HTTP edges of the SOAP endpoint, over real sockets around a fake engine: oversized bodies whose
 * refusal must reach the client, bodies no handler reads, HEAD and OPTIONS, Transfer-Encoding,
 * Content-Encoding and charset refusals, Expect: 100-continue, and the forms of request target.
 */
import { request as nodeRequest } from 'node:http';
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
 * Sends `head` (request line and headers, without Content-Length) announcing `declared` bytes,
 * then 1 KB of body, then 1 MB chunks until the server closes when `endless`: what came back, how
 * many body bytes went out, and whether the server closed the connection.
 */
function flood(opts: {
  head: string;
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
      socket.write(`${opts.head}\r\nContent-Length: ${opts.declared}\r\n\r\n`);
      socket.write(chunk.subarray(0, 1024));
      sent = 1024;
      pump();
    });
  });
}

const oversized = (opts: { declared: number; endless: boolean }) =>
  flood({ head: `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml`, ...opts });

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

  it('on the endpoint without a query: 400 like GET, naming what GET serves, no Allow to contradict', async () => {
    const get = await httpRequest(mock.url);
    expect(get.status).toBe(400);
    expect(get.body).toContain(`GET serves ${mock.url}?wsdl and ${mock.url}?xsd=<name>`);
    expect(get.headers.allow).toBeUndefined();
    const h = await head(mock.url);
    expect(h.status).toBe(400);
    expect(h.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
    expect(h.body).toBe('');
  });

  it('lists HEAD next to GET, and OPTIONS, in the Allow of the control API 405 answers', async () => {
    const r = await fetch(`${mock.controlUrl}/health`, { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
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

  it('OPTIONS on the endpoint with a query → the same 204 and Allow', async () => {
    const r = await fetch(`${mock.url}?wsdl`, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
  });

  it("OPTIONS on a control route → 204 with that route's Allow, without the token", async () => {
    for (const [route, allow] of [
      ['/health', 'GET, HEAD, OPTIONS'],
      ['/reset', 'POST, OPTIONS'],
      ['/faults', 'GET, HEAD, PUT, DELETE, OPTIONS'],
    ] as const) {
      const r = await fetch(`${mock.controlUrl}${route}`, { method: 'OPTIONS' });
      expect(r.status, route).toBe(204);
      expect(r.headers.get('allow'), route).toBe(allow);
    }
    const none = await fetch(`${mock.controlUrl}/nope`, { method: 'OPTIONS' });
    expect(none.status).toBe(404);
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

  for (const [contentType, values] of [
    ['text/xml; charset=utf-8; charset=iso-8859-1', '"utf-8", "iso-8859-1"'],
    ['text/xml; charset=iso-8859-1; charset=utf-8', '"iso-8859-1", "utf-8"'],
    ['text/xml; charset=utf-8; CHARSET="UTF-8"', '"utf-8", "UTF-8"'],
  ] as const) {
    it(`${contentType} (charset repeated) → 500 and a Client fault naming the header and both values`, async () => {
      const r = await postXml(envelope, { 'content-type': contentType });
      expect(r.status).toBe(500);
      const body = (await r.text()).replace(/&#34;/g, '"');
      expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(body).toContain(
        `Content-Type ${JSON.stringify(contentType)} refused: charset is given 2 times (${values}), a parameter may be given once only (RFC 6838 §4.3)`,
      );
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

/** A chunked body in one chunk. */
const chunkedBody = (b: Buffer) =>
  Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n0\r\n\r\n')]);

describe('Transfer-Encoding', () => {
  const send = (target: string, te: string, body: Buffer, method = 'POST') =>
    rawExchange(
      port,
      [
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: ${te}\r\nConnection: close\r\n\r\n`,
        chunkedBody(body),
      ],
      { waitMs: 5_000 },
    );

  for (const [te, body] of [
    ['gzip, chunked', gzipSync(envelope)],
    ['x-bomb, chunked', Buffer.from(envelope)],
  ] as const) {
    it(`${te} on the endpoint → 500 and a Client fault naming Transfer-Encoding, not processed`, async () => {
      const r = await send(path, te, body);
      expect(r.status).toBe(500);
      expect(r.body).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(r.body).toContain(`Transfer-Encoding &#34;${te}&#34; refused`);
      expect(r.body).toContain('RFC 9112 §6.1');
      expect(engine.calls).toHaveLength(0);
    });
  }

  it('chunked alone is processed', async () => {
    const r = await send(path, 'chunked', Buffer.from(envelope));
    expect(r.status).toBe(200);
    expect(r.body).toBe(FAKE_BODY);
    expect(engine.calls).toHaveLength(1);
  });

  it('another coding on any other route → 501 in plain text naming it', async () => {
    for (const [method, target] of [
      ['GET', `${path}?wsdl`],
      ['POST', '/_control/reset'],
      ['POST', '/nothing'],
    ] as const) {
      const resets = engine.resets;
      const r = await send(target, 'gzip, chunked', gzipSync('{}'), method);
      expect(r.status, target).toBe(501);
      expect(r.headers).toMatch(/\r\ncontent-type: text\/plain/i);
      expect(r.body, target).toContain('Transfer-Encoding "gzip, chunked" refused');
      expect(engine.resets).toBe(resets);
    }
    await stillAnswers();
  });
});

describe('a body no handler reads', () => {
  for (const [method, target, status] of [
    ['POST', '/nothing', 404],
    ['OPTIONS', () => path, 204],
    ['GET', () => `${path}?wsdl`, 200],
    ['GET', '/_control/health', 200],
  ] as const) {
    const at = () => (typeof target === 'string' ? target : target());
    it(`${method} ${typeof target === 'string' ? target : 'on the endpoint'}: answered, then at most 64 MiB more are read before closing`, async () => {
      const r = await flood({
        head: `${method} ${at()} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml`,
        declared: 1024 * MB,
        endless: true,
      });
      expect(r.answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(r.answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(r.closed).toBe(true);
      expect(r.sent).toBeLessThan(256 * MB);
      await stillAnswers();
    });
  }

  it('a body that stops coming: the answer says Connection: close and the server closes', async () => {
    const r = await flood({
      head: 'GET /_control/health HTTP/1.1\r\nHost: 127.0.0.1',
      declared: MB,
      endless: false,
    });
    expect(r.answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(r.closed).toBe(true);
  });

  it('a control API body is still read (within its own limit) and the connection kept', async () => {
    const body = JSON.stringify([]);
    const r = await rawExchange(
      port,
      [
        `PUT /_control/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ],
      { waitMs: 1_000 },
    );
    expect(r.status).toBe(200);
    expect(r.headers).not.toMatch(/\r\nconnection: close/i);
  });
});

describe('Expect: 100-continue', () => {
  const announce = (lines: string[]) =>
    rawExchange(port, [`${lines.join('\r\n')}\r\nExpect: 100-continue\r\n\r\n`], { waitMs: 5_000 });

  it('a refusal decided by the headers alone is the final answer, with no 100 Continue first', async () => {
    for (const header of [
      'Content-Type: text/xml; charset=iso-8859-1',
      'Content-Type: application/json',
      'Content-Type: text/xml\r\nContent-Encoding: gzip',
    ]) {
      const r = await announce([
        `POST ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        header,
        `Content-Length: ${Buffer.byteLength(envelope)}`,
      ]);
      expect(r.status, header).toBe(500);
      expect(r.body, header).toContain('<faultcode>soapenv:Client</faultcode>');
      expect(r.headers, header).toMatch(/\r\nconnection: close/i);
    }
    expect(engine.calls).toHaveLength(0);
  });

  it('a route that reads no body answers at once, with no 100 Continue first', async () => {
    const r = await announce([`GET ${path}?wsdl HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Length: 10']);
    expect(r.status).toBe(200);
    expect(r.body).toContain('wsdl:definitions');
  });

  it('an acceptable request gets 100 Continue, then its answer', async () => {
    const answer = await new Promise<{ status: number; body: string; continued: boolean }>(
      (resolve, reject) => {
        let continued = false;
        const req = nodeRequest(
          mock.url,
          {
            method: 'POST',
            headers: {
              'content-type': 'text/xml; charset=utf-8',
              'content-length': Buffer.byteLength(envelope),
              expect: '100-continue',
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), continued }),
            );
          },
        );
        req.on('continue', () => {
          continued = true;
          req.end(envelope);
        });
        req.on('error', reject);
      },
    );
    expect(answer).toEqual({ status: 200, body: FAKE_BODY, continued: true });
  });
});

describe('request targets', () => {
  it('a path beginning with // is a path, not an authority: 404, the endpoint is not served', async () => {
    const get = await raw([`GET //evil.example${path}?wsdl HTTP/1.1`, 'Host: 127.0.0.1']);
    expect(get.status).toBe(404);
    expect(get.body).toContain(`nothing at //evil.example${path}`);
    const post = await raw(
      [
        `POST //evil.example${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: text/xml',
        `Content-Length: ${Buffer.byteLength(envelope)}`,
      ],
      envelope,
    );
    expect(post.status).toBe(404);
    expect(engine.calls).toHaveLength(0);
  });

  it('an absolute-form target with another scheme → 400 naming the target (shortened)', async () => {
    const get = await raw([`GET ftp://x${path}?wsdl HTTP/1.1`, 'Host: 127.0.0.1']);
    expect(get.status).toBe(400);
    expect(get.body).toContain(`request target "${`ftp://x${path}?wsdl`.slice(0, 60)}…" refused`);
    expect(get.body).toContain('RFC 9112 §3.2');
    const post = await raw(
      [
        `POST ftp://x${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Content-Type: text/xml',
        `Content-Length: ${Buffer.byteLength(envelope)}`,
      ],
      envelope,
    );
    expect(post.status).toBe(400);
    expect(engine.calls).toHaveLength(0);
  });

  it('an absolute-form target with an empty port uses the authority without it', async () => {
    const r = await raw([`GET http://oi.example.test:${path}?wsdl HTTP/1.1`, 'Host: 127.0.0.1']);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`location="http://oi.example.test${path}"`);
  });
});
