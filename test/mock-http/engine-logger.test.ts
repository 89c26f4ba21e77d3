/** A logger of the user's own (not made by createLogger) gets one line per SOAP exchange, push lines included. */
import { Writable } from 'node:stream';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { mockHandlers, startMock } from '../../mock-server/index.ts';
import { createValue, cred, OC1, writer } from '../mock-engine/helpers.ts';
import { type OcServer, startOc } from '../mock-engine/oc-server.ts';

type Line = Record<string, unknown>;

function userLogger(): { lines: Line[]; logger: pino.Logger } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

const createRequest = (technicalId: string) => writer.createRequest(createValue({ technicalId }), cred(OC1));

const post = (url: string, body: string) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/xml; charset=utf-8' } });

let oc: OcServer | undefined;
afterEach(async () => {
  await oc?.close();
  oc = undefined;
});

describe('a logger passed to startMock() / mockHandlers()', () => {
  it('startMock: one exchange line per request (with its HTTP status), and the push lines', async () => {
    oc = await startOc();
    const { lines, logger } = userLogger();
    const mock = await startMock({ logger, push: { url: oc.url, login: 'oi', password: 'oi-password' } });
    try {
      const r = await post(mock.url, createRequest(mock.engine.inventory()[0]!.technicalId));
      expect(r.status).toBe(200);
      const key = /troubleTicketKey>([^<]+)</.exec(await r.text())![1]!;
      await mock.engine.settle();
      await mock.engine.triggerOiAction(key, 'oi.takeInCharge');
      await mock.engine.settle();
    } finally {
      await mock.stop();
    }
    const exchanges = lines.filter((l) => l.msg === 'exchange');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ operation: 'createTroubleTicketByValue', status: 200 });
    expect(lines.filter((l) => l.msg === 'push')).toHaveLength(1);
  });

  it('mockHandlers (msw): one exchange line per request', async () => {
    const { lines, logger } = userLogger();
    const handlers = mockHandlers({ baseUrl: 'https://oi-logger.example.test', logger });
    const server = setupServer(...handlers);
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const r = await post(handlers.url, createRequest(handlers.engine.inventory()[0]!.technicalId));
      expect(r.status).toBe(200);
    } finally {
      server.close();
      await handlers.close();
    }
    const exchanges = lines.filter((l) => l.msg === 'exchange');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ operation: 'createTroubleTicketByValue', status: 200 });
  });

  it('mockHandlers (msw): a request refused from its headers or its size is logged as an exchange too', async () => {
    const { lines, logger } = userLogger();
    const handlers = mockHandlers({ baseUrl: 'https://oi-refusals.example.test', logger });
    const server = setupServer(...handlers);
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const json = await fetch(handlers.url, {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(json.status).toBe(500);
      const big = await post(handlers.url, `<x>${'a'.repeat(11 * 1024 * 1024)}</x>`);
      expect(big.status).toBe(500);
    } finally {
      server.close();
      await handlers.close();
    }
    const exchanges = lines.filter((l) => l.msg === 'exchange');
    expect(exchanges).toHaveLength(2);
    expect(exchanges[0]).toMatchObject({
      operation: 'unknown',
      fault: 'Client',
      status: 500,
      transport: 'msw',
    });
    expect(exchanges[0]!.refusal).toContain('Content-Type "application/json" is not text/xml');
    expect(exchanges[1]!.refusal).toMatch(/refused: the limit is \d+ bytes \(settings.maxMessageBytes\)/);
  });
});
