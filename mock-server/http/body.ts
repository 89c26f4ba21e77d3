/**
 * Reads a request body with a hard size limit and a deadline: a body over the limit is never
 * buffered (reading stops at the first byte past it) and a body trickled slowly cannot hold the
 * server past the deadline.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { kind: 'ok'; raw: Uint8Array }
  | { kind: 'too-large'; bytes: number; declared: boolean }
  | { kind: 'timeout'; bytes: number }
  | { kind: 'aborted' };

/** The declared Content-Length, when there is a valid one. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const h = req.headers['content-length'];
  if (h === undefined || !/^\d+$/.test(h)) return undefined;
  return Number(h);
}

/**
 * `onRead` runs once the body is going to be read (not when it is refused from its declared
 * length): the transport sends `100 Continue` there, and only there.
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
  onRead?: () => void,
): Promise<BodyResult> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxBytes) {
    req.pause();
    return Promise.resolve({ kind: 'too-large', bytes: declared, declared: true });
  }
  onRead?.();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      if (result.kind !== 'ok') req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        chunks.length = 0;
        settle({ kind: 'too-large', bytes, declared: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      settle({ kind: 'ok', raw: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes) });
    const onAbort = () => settle({ kind: 'aborted' });
    const onClose = () => {
      if (!req.complete) settle({ kind: 'aborted' });
    };
    const timer = setTimeout(() => settle({ kind: 'timeout', bytes }), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

export type DiscardEnd = 'end' | 'too-much' | 'timeout' | 'aborted';

/**
 * Reads and throws away the rest of a request body the server has already answered, up to
 * `maxBytes` more bytes and for at most `timeoutMs`. Closing a connection with request bytes still
 * unread makes the kernel reset it, and the client then loses the answer it was sent.
 */
export function discardRest(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<DiscardEnd> {
  if (req.readableEnded) return Promise.resolve('end');
  if (req.destroyed) return Promise.resolve('aborted');
  return new Promise((resolve) => {
    let bytes = 0;
    const settle = (result: DiscardEnd) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      if (result !== 'end') req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) settle('too-much');
    };
    const onEnd = () => settle('end');
    const onAbort = () => settle('aborted');
    const onClose = () => {
      if (!req.readableEnded) settle('aborted');
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
    req.resume();
  });
}

/** Reads a small JSON/text body (control API) with the same guards; returns text or a reason. */
export async function readText(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number,
  onRead?: () => void,
): Promise<{ ok: true; text: string } | { ok: false; status: number; message: string }> {
  const body = await readBody(req, maxBytes, timeoutMs, onRead);
  switch (body.kind) {
    case 'ok':
      return {
        ok: true,
        text: Buffer.from(body.raw.buffer, body.raw.byteOffset, body.raw.byteLength).toString('utf8'),
      };
    case 'too-large':
      return { ok: false, status: 413, message: `request body exceeds the limit of ${maxBytes} bytes` };
    case 'timeout':
      return { ok: false, status: 408, message: `request body not received within ${timeoutMs} ms` };
    default:
      return { ok: false, status: 400, message: 'request body aborted by the client' };
  }
}
