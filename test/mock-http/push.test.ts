/**
 * Push of the OI's actions to a test OC endpoint over real sockets: a setTroubleTicketByValue per
 * OI action, with the push credentials, retried with backoff after the OC fails twice, and the
 * delivery visible through the control API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { controlTicket, inventoryAccess, type Mock, ocClientFor, oiAction } from './protocol.ts';

const PUSH = { login: 'oi-push', password: 'push-secret' };
let oc: Server;
let received: { status: number; body: string; soapAction?: string }[] = [];
let failuresLeft = 0;
let mock: Mock;

beforeAll(async () => {
  oc = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const soapAction = req.headers.soapaction as string | undefined;
      if (failuresLeft > 0) {
        failuresLeft--;
        received.push({ status: 500, body, ...(soapAction ? { soapAction } : {}) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('OC down');
        return;
      }
      received.push({ status: 200, body, ...(soapAction ? { soapAction } : {}) });
      const msg = readMessage(body, mock.index);
      const key = msg.body.kind === 'setRequest' ? (msg.body.ticket.troubleTicketKey ?? null) : null;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(
        new MessageWriter(mock.index).response('setTroubleTicketByValue', {
          troubleTicketKey: key,
          returnCode: '0',
        }),
      );
    });
  });
  await new Promise<void>((resolve) => oc.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(oc.address() as AddressInfo).port}/oc/services/JVTTroubleTicketSessionWSPort`;
  mock = await startMock({ push: { url, ...PUSH, maxRetries: 4, backoffMs: 20, timeoutMs: 2_000 } });
});
afterAll(async () => {
  await mock.stop();
  await new Promise((resolve) => oc.close(resolve));
});

describe('push to the OC', () => {
  it('delivers an OI action as setTroubleTicketByValue, retrying after the OC fails twice', async () => {
    const client = await ocClientFor(mock);
    const created = await client.create(client.actionValue('oc.create', null, 0, inventoryAccess(mock, 0)));
    await mock.engine.settle();
    received = [];
    failuresLeft = 2;
    expect((await oiAction(mock, created.key!, 'oi.takeInCharge')).status).toBe(200);
    await mock.engine.settle();

    expect(received.map((r) => r.status)).toEqual([500, 500, 200]);
    const msg = readMessage(received[2]!.body, mock.index);
    expect(msg.operation?.name).toBe('setTroubleTicketByValue');
    expect(msg.credentials).toEqual(PUSH);
    expect(msg.body.kind === 'setRequest' && msg.body.ticket).toMatchObject({
      troubleTicketKey: created.key,
      troubleTicketState: 'OPENACTIVE',
      description: 'CASE SOLVING NOTIFICATION',
    });
    // Every attempt carried the same request.
    expect(new Set(received.map((r) => r.body)).size).toBe(1);

    const { deliveries } = await controlTicket(mock, created.key!);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    const listed = (await (await fetch(`${mock.controlUrl}/deliveries?key=${created.key}`)).json()) as {
      deliveries: { status: string; returnCode?: string; responseXml?: string }[];
    };
    expect(listed.deliveries[0]).toMatchObject({ status: 'delivered', returnCode: '0' });
    expect(listed.deliveries[0]!.responseXml).toContain('setTroubleTicketByValueResponse');
  });

  it('pushes the actions of one ticket in order', async () => {
    const client = await ocClientFor(mock);
    const created = await client.create(client.actionValue('oc.create', null, 0, inventoryAccess(mock, 1)));
    await mock.engine.settle();
    received = [];
    failuresLeft = 1;
    for (const action of ['oi.takeInCharge', 'oi.plan', 'oi.information']) {
      expect((await oiAction(mock, created.key!, action)).status).toBe(200);
    }
    await mock.engine.settle();
    const delivered = received.filter((r) => r.status === 200).map((r) => readMessage(r.body, mock.index));
    const versions = delivered.map((m) =>
      m.body.kind === 'setRequest' ? m.body.ticket.lastUpdateVersionNumber : undefined,
    );
    expect(versions).toEqual(['2', '3', '4']);
  });
});
