/** The msw 2 handlers: the same engine, documents and control API for a fake OI URL, without sockets. */
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockHandlers } from '../../mock-server/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { startOc } from '../mock-engine/oc-server.ts';
import { OcClient, oiAction, soapClient } from './protocol.ts';

const BASE = 'https://oi.example.test';
const TOKEN = 'msw-control-token-0123456789';
const handlers = mockHandlers({ baseUrl: BASE, control: { token: TOKEN } });
const server = setupServer(...handlers);
const writer = new MessageWriter(handlers.engine.index);
const index = handlers.engine.index;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(async () => {
  server.close();
  await handlers.close();
});

const credentials = () => ({ login: handlers.accounts[0]!.login, password: handlers.accounts[0]!.password });
const meta = () =>
  fetch(handlers.url, {
    method: 'POST',
    body: writer.metaRequest('getEventTypes', credentials()),
    headers: { 'content-type': 'text/xml' },
  });

describe('mockHandlers()', () => {
  it('serves the WSDL with soap:address at the fake base URL, and its XSDs', async () => {
    expect(handlers.url).toBe(`${BASE}${index.profile.service.path}`);
    const wsdl = await (await fetch(handlers.wsdlUrl)).text();
    expect(wsdl).toContain(`location="${handlers.url}"`);
    const xsd = /schemaLocation="([^"]+)"/.exec(wsdl)![1]!;
    expect((await fetch(xsd)).status).toBe(200);
  });

  it('answers node-soap, whose HTTP calls msw intercepts', async () => {
    const account = handlers.accounts[0]!;
    const oc = new OcClient(await soapClient(handlers.wsdlUrl, index, account), index, account, '343059564');
    const e = handlers.engine.inventory()[0]!;
    const created = await oc.create(
      oc.actionValue('oc.create', null, 0, { technicalId: e.technicalId, commercialId: e.commercialId }),
    );
    expect(created.returnCode).toBe('0');
    expect((await oc.get({ troubleTicketKey: created.key! })).ticket?.troubleTicketState).toBe('QUEUED');
  });

  it('requires the control token when one is configured', async () => {
    expect((await fetch(`${handlers.controlUrl}/counters`)).status).toBe(401);
    const r = await fetch(`${handlers.controlUrl}/counters`, { headers: auth });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { requests: number }).requests).toBeGreaterThan(0);
  });

  it('turns a dropped connection into a network error and truncates answers', async () => {
    const set = (faults: unknown[]) =>
      fetch(`${handlers.controlUrl}/faults`, {
        method: 'PUT',
        body: JSON.stringify(faults),
        headers: { ...auth, 'content-type': 'application/json' },
      });
    expect((await set([{ operation: '*', dropConnection: true, times: 1 }])).status).toBe(200);
    await expect(meta()).rejects.toThrow();
    const full = await (await meta()).text();
    await set([{ operation: '*', truncateResponse: true, times: 1 }]);
    expect(await (await meta()).text()).toBe(full.slice(0, Math.floor(Buffer.byteLength(full) / 2)));
  });

  it("answers OPTIONS on a control route as the socket server does: 204 with that route's Allow, no token", async () => {
    for (const [route, allow] of [
      ['/health', 'GET, HEAD, OPTIONS'],
      ['/reset', 'POST, OPTIONS'],
      ['/faults', 'GET, HEAD, PUT, DELETE, OPTIONS'],
      ['/tickets/K1/actions/oi.plan', 'POST, OPTIONS'],
    ] as const) {
      const r = await fetch(`${handlers.controlUrl}${route}`, { method: 'OPTIONS' });
      expect(r.status, route).toBe(204);
      expect(r.headers.get('allow'), route).toBe(allow);
      expect(await r.text(), route).toBe('');
    }
    expect((await fetch(`${handlers.controlUrl}/nope`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it('answers HEAD on a control route as GET without the body, and lists HEAD and OPTIONS in a 405', async () => {
    const head = await fetch(`${handlers.controlUrl}/counters`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await fetch(`${handlers.controlUrl}/counters`, { method: 'HEAD' })).status).toBe(401);
    const refused = await fetch(`${handlers.controlUrl}/health`, { method: 'DELETE' });
    expect(refused.status).toBe(405);
    expect(refused.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('refuses a body over the size limit with a Client fault', async () => {
    const r = await fetch(handlers.url, {
      method: 'POST',
      body: 'x'.repeat(index.settings.maxMessageBytes + 1),
      headers: { 'content-type': 'text/xml' },
    });
    expect(r.status).toBe(500);
    const msg = readMessage(await r.text(), index);
    expect(msg.body.kind === 'fault' && msg.body.fault.faultcode).toMatch(/:Client$/);
  });

  it.each([
    [
      'a charset other than UTF-8',
      { 'content-type': 'text/xml; charset=iso-8859-1' },
      /charset "iso-8859-1"/,
    ],
    [
      'a charset given twice',
      { 'content-type': 'text/xml; charset=utf-8; charset=iso-8859-1' },
      /Content-Type "text\/xml; charset=utf-8; charset=iso-8859-1" refused: charset is given 2 times \("utf-8", "iso-8859-1"\)/,
    ],
    [
      'a compressed body',
      { 'content-type': 'text/xml', 'content-encoding': 'gzip' },
      /Content-Encoding "gzip"/,
    ],
  ])(
    'refuses %s as the socket server does: 500 and a Client fault naming it',
    async (_what, headers, named) => {
      const r = await fetch(handlers.url, {
        method: 'POST',
        body: writer.metaRequest('getEventTypes', credentials()),
        headers,
      });
      expect(r.status).toBe(500);
      const msg = readMessage(await r.text(), index);
      expect(msg.body.kind === 'fault' && msg.body.fault.faultstring).toMatch(named);
    },
  );

  it("delivers pushes to the OC's own node:http endpoint once a passthrough handler lets them out (README)", async () => {
    // The push goes through the fetch msw intercepts: with onUnhandledRequest 'error' it needs a handler.
    const oc = await startOc();
    const pushing = mockHandlers({
      baseUrl: 'https://oi-push.example.test',
      push: { url: oc.url, login: 'oi-push', password: 'push-secret', backoffMs: 20, maxRetries: 1 },
    });
    server.use(
      ...pushing,
      http.post(oc.url, () => passthrough()),
    );
    try {
      const account = pushing.accounts[0]!;
      const access = pushing.engine.inventory()[0]!;
      const ticket = {
        ...exampleTicket('oc.create', index),
        technicalId: access.technicalId,
        commercialId: access.commercialId,
        serviceProviderID: account.siren,
        supplierID: '343059564',
      };
      const created = await fetch(pushing.url, {
        method: 'POST',
        body: writer.createRequest(ticket, account),
        headers: { 'content-type': 'text/xml' },
      });
      const key = /troubleTicketKey>([^<]+)</.exec(await created.text())?.[1];
      expect(key).toBeDefined();
      await pushing.engine.settle();
      expect((await oiAction(pushing, key!, 'oi.takeInCharge')).status).toBe(200);
      await pushing.engine.settle();
      expect(oc.received.map((r) => [r.ticket.troubleTicketKey, r.login])).toEqual([[key, 'oi-push']]);
      const deliveries = (await (await fetch(`${pushing.controlUrl}/deliveries`)).json()) as {
        deliveries: { status: string }[];
      };
      expect(deliveries.deliveries.map((d) => d.status)).toEqual(['delivered']);
    } finally {
      server.resetHandlers();
      await pushing.close();
      await oc.close();
    }
  });
});
