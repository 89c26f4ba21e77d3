/** A test OC endpoint: receives the OI's pushes (setTroubleTicketByValue), answers per a script. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { index, writer } from './helpers.ts';

export interface Received {
  ticket: TicketValue;
  login?: string;
  password?: string;
  soapAction?: string;
}

/** What the OC answers to the n-th request (0-based): a status and returnCode, or 'hang' (no answer). */
export type Script = (n: number, r: Received) => { status: number; returnCode?: string } | 'hang';

export interface OcServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startOc(
  script: Script = () => ({ status: 200, returnCode: '0' }),
  tls?: { key: string; cert: string },
): Promise<OcServer> {
  const received: Received[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const msg = readMessage(Buffer.concat(chunks), index);
      const ticket = msg.body.kind === 'setRequest' ? msg.body.ticket : {};
      const r: Received = {
        ticket,
        ...(msg.credentials ? { login: msg.credentials.login, password: msg.credentials.password } : {}),
        ...(typeof req.headers.soapaction === 'string' ? { soapAction: req.headers.soapaction } : {}),
      };
      const answer = script(received.length, r);
      received.push(r);
      if (answer === 'hang') return;
      const key = ticket.troubleTicketKey ?? null;
      const body =
        answer.status === 200
          ? writer.response('setTroubleTicketByValue', {
              troubleTicketKey: key,
              returnCode: answer.returnCode ?? '0',
              ...(answer.returnCode && answer.returnCode !== '0'
                ? { returnLabel: 'troubleTicketState : refusé par l OC de test' }
                : {}),
            })
          : writer.fault({ faultcode: 'Server', faultstring: 'OC de test indisponible' });
      res.writeHead(answer.status, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(body);
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/oc/JVTTroubleTicketSessionWSPort`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
