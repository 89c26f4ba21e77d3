/**
 * Large POSTs from a client in its own process, as a real client would send them: in-process, the
 * event loop shared with the server hides the races of a server that closes early (a connection
 * reset that makes the client lose the answer).
 */
import { execFile } from 'node:child_process';

export type RemoteAnswer = { status: number; body: string } | { error: string };

/** The client: POSTs `size` bytes `reps` times, one connection each, prints what it received (or its error). */
const CLIENT = String.raw`
import net from 'node:net';
import http from 'node:http';
const [port, path, size, mode, reps] = process.argv.slice(1);
const body = Buffer.alloc(Number(size), 0x61);
function raw(head, parts) {
  return new Promise((resolve) => {
    const s = net.connect(Number(port), '127.0.0.1');
    const got = [];
    let error;
    s.on('data', (d) => got.push(d));
    s.on('error', (e) => { error = e.code ?? e.message; });
    s.on('close', () => {
      const text = Buffer.concat(got).toString('utf8');
      const sep = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve(status ? { status, body: text.slice(sep + 4) } : { error: error ?? 'closed without an answer' });
    });
    s.on('connect', () => { s.write(head); for (const p of parts) s.write(p); });
  });
}
const once = {
  raw: () => raw('POST ' + path + ' HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ' + body.length + '\r\n\r\n', [body]),
  chunked: () => {
    const parts = [];
    for (let o = 0; o < body.length; o += 65536) {
      const c = body.subarray(o, o + 65536);
      parts.push(c.length.toString(16) + '\r\n', c, '\r\n');
    }
    parts.push('0\r\n\r\n');
    return raw('POST ' + path + ' HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n', parts);
  },
  http: () => new Promise((resolve) => {
    const req = http.request({ port: Number(port), host: '127.0.0.1', path, method: 'POST', agent: false,
      headers: { 'content-type': 'text/xml', 'content-length': body.length } }, (res) => {
      const got = [];
      res.on('data', (d) => got.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(got).toString('utf8') }));
      res.on('error', (e) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  }),
  fetch: async () => {
    try {
      const r = await fetch('http://127.0.0.1:' + port + path, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
      return { status: r.status, body: await r.text() };
    } catch (e) { return { error: e.cause?.code ?? e.message }; }
  },
}[mode];
const out = [];
for (let i = 0; i < Number(reps); i++) out.push(await once());
process.stdout.write(JSON.stringify(out));
`;

export function postFromOtherProcess(
  url: string,
  size: number,
  mode: 'raw' | 'chunked' | 'http' | 'fetch',
  reps: number,
): Promise<RemoteAnswer[]> {
  const { port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CLIENT, port, pathname, String(size), mode, String(reps)],
      { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))),
    );
  });
}
