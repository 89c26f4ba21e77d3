/**
 * The harness's own HTTP listeners (the OC endpoint receiving pushes, the reference OC, the
 * recording front of the mock OI): start on an address, tell the URL to advertise, stop, and read
 * a bounded request body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../../mock-server/http/body.ts';

export interface Listener {
  server: http.Server;
  /** `http://host:port`, with the advertised host when given (0.0.0.0 and :: shown as 127.0.0.1). */
  origin: string;
}

export async function listen(
  handler: http.RequestListener,
  host = '127.0.0.1',
  port = 0,
  advertisedHost?: string,
): Promise<Listener> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const shown = advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const { port: bound } = server.address() as AddressInfo;
  return { server, origin: `http://${shown.includes(':') ? `[${shown}]` : shown}:${bound}` };
}

export async function stop(server: http.Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const BODY_TIMEOUT_MS = 30_000;

/** The request body, or undefined (connection destroyed) when it is too large, too slow or aborted. */
export async function requestBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const body = await readBody(req, maxBytes, BODY_TIMEOUT_MS);
  if (body.kind === 'ok') return Buffer.from(body.raw.buffer, body.raw.byteOffset, body.raw.byteLength);
  req.destroy();
  return undefined;
}
