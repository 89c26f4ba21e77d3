/**
 * Hostile requests over real sockets against the real engine: each is answered with a SOAP 1.1
 * fault carrying the right faultcode, and the server keeps answering normal requests.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { portOf, rawExchange } from './helpers.ts';
import type { Mock } from './protocol.ts';
import { postFromOtherProcess } from './remote-client.ts';

let mock: Mock;
let writer: MessageWriter;
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';

beforeAll(async () => {
  mock = await startMock({ limits: { bodyTimeoutMs: 500, headersTimeoutMs: 2_000 } });
  writer = new MessageWriter(mock.index);
});
afterAll(() => mock.stop());

const credentials = () => ({ login: mock.accounts[0]!.login, password: mock.accounts[0]!.password });
const post = (body: string | Uint8Array, contentType = 'text/xml; charset=utf-8') =>
  fetch(mock.url, { method: 'POST', body, headers: { 'content-type': contentType } });

/** The faultcode's local name of a SOAP 1.1 fault answer, decoded by our own codec. */
function faultcodeOf(xml: string): string | undefined {
  expect(xml).toContain(SOAP11);
  const msg = readMessage(xml, mock.index);
  return msg.body.kind === 'fault' ? msg.body.fault.faultcode.replace(/^.*:/, '') : undefined;
}

async function answersNormally() {
  const r = await post(writer.metaRequest('getManagedEntityTypes', credentials()));
  expect(r.status).toBe(200);
  const msg = readMessage(await r.text(), mock.index);
  expect(msg.body.kind).toBe('metaResponse');
}

const envelope = (body: string, ns = SOAP11) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${ns}"><s:Body>${body}</s:Body></s:Envelope>`;

const hostile: { name: string; body: () => string | Uint8Array; contentType?: string; faultcode: string }[] =
  [
    {
      name: 'malformed XML',
      body: () => '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>',
      faultcode: 'Client',
    },
    {
      name: 'billion laughs',
      body: () =>
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>${envelope('<x>&lol3;</x>').replace(/^<\?xml[^>]*\?>/, '')}`,
      faultcode: 'Client',
    },
    {
      name: 'external entity',
      body: () =>
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${envelope('<x>&xxe;</x>').replace(/^<\?xml[^>]*\?>/, '')}`,
      faultcode: 'Client',
    },
    {
      name: 'SOAP 1.2 envelope',
      body: () => envelope('<x/>', 'http://www.w3.org/2003/05/soap-envelope'),
      contentType: 'application/soap+xml; charset=utf-8',
      faultcode: 'VersionMismatch',
    },
    {
      name: 'operation element in a wrong namespace',
      body: () => envelope('<createTroubleTicketByValueRequest xmlns="urn:wrong"/>'),
      faultcode: 'Client',
    },
    {
      name: 'unknown operation',
      body: () => envelope(`<tt:deleteTroubleTicket xmlns:tt="${mock.index.ns.tt}"/>`),
      faultcode: 'Client',
    },
    { name: 'empty SOAP Body', body: () => envelope(''), faultcode: 'Client' },
    { name: 'empty HTTP body', body: () => '', faultcode: 'Client' },
    { name: 'not an envelope', body: () => '<hello/>', faultcode: 'Client' },
    {
      name: 'binary garbage',
      body: () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
      faultcode: 'Client',
    },
    {
      name: 'UTF-16 text',
      body: () => new Uint8Array(Buffer.from(`\uFEFF${envelope('<x/>')}`, 'utf16le')),
      faultcode: 'Client',
    },
    {
      name: 'deeply nested elements',
      body: () => envelope(`${'<a>'.repeat(20_000)}${'</a>'.repeat(20_000)}`),
      faultcode: 'Client',
    },
  ];

describe('hostile envelopes', () => {
  for (const h of hostile) {
    it(`${h.name} → SOAP 1.1 ${h.faultcode} fault, and the server still answers`, async () => {
      const r = await post(h.body(), h.contentType);
      expect(r.status).toBe(500);
      expect(faultcodeOf(await r.text())).toBe(h.faultcode);
      await answersNormally();
    });
  }

  it('a 10 MB body → Client fault received by a client in another process, and the server still answers', async () => {
    for (const answer of await postFromOtherProcess(mock.url, 10 * 1024 * 1024, 'http', 3)) {
      expect(answer).toMatchObject({ status: 500 });
      expect(faultcodeOf((answer as { body: string }).body)).toBe('Client');
    }
    await answersNormally();
  });

  it('a body trickled byte by byte → Client fault at the deadline, and the server still answers', async () => {
    const body = writer.metaRequest('getManagedEntityTypes', credentials());
    const head = `POST ${new URL(mock.url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const slow = rawExchange(portOf(mock.url), [head, ...body.split('')], { gapMs: 25 });
    await answersNormally();
    const r = await slow;
    expect(r.status).toBe(500);
    expect(faultcodeOf(r.body)).toBe('Client');
    await answersNormally();
  });

  it('200 concurrent connections are all answered', async () => {
    const body = writer.metaRequest('getManagedEntityTypes', credentials());
    const one = () =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          mock.url,
          { method: 'POST', agent: false, headers: { 'content-type': 'text/xml', connection: 'close' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const statuses = await Promise.all(Array.from({ length: 200 }, one));
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    await answersNormally();
  });
});
