/**
 * The harness's HTTP client: one POST of a SOAP body, with TLS options, a timeout and timing. It
 * never throws: a transport failure is an {@link Exchange} with `error`.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { CodecError } from '../soap/errors.ts';
import { messageBytes } from '../soap/xml.ts';

export interface TlsOptions {
  /** PEM of the CA to trust. */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  /** Skip certificate verification. */
  insecure?: boolean;
}

/** One request and its answer, as evidence. */
export interface Exchange {
  url: string;
  request: string;
  response?: string;
  httpStatus?: number;
  contentType?: string;
  durationMs: number;
  /** Transport failure: refused, reset, timeout… */
  error?: string;
  /**
   * The codec's refusal of the answer's bytes, decided on the bytes themselves (the text in
   * `response` is then a lossy rendering): TOO_LARGE (reading stopped past the limit, `response`
   * holds the first bytes) or NOT_UTF8.
   */
  refused?: { kind: 'TOO_LARGE' | 'NOT_UTF8'; message: string };
}

export interface PostOptions {
  soapAction?: string;
  contentType?: string;
  timeoutMs: number;
  tls?: TlsOptions;
  headers?: Record<string, string>;
  /** The codec's limit (the profile's settings.maxMessageBytes): reading stops one byte past it. */
  maxBytes: number;
}

/** The codec's verdict on the bytes of an answer: undefined when it would read them. */
function refusalOf(bytes: Buffer, maxBytes: number): Exchange['refused'] {
  try {
    messageBytes(bytes, maxBytes);
    return undefined;
  } catch (e) {
    if (e instanceof CodecError && (e.kind === 'NOT_UTF8' || e.kind === 'TOO_LARGE'))
      return { kind: e.kind, message: e.message };
    return undefined;
  }
}

const agents = new Map<string, http.Agent>();

function agentFor(url: URL, tls?: TlsOptions): http.Agent {
  const key = `${url.protocol}|${tls?.ca ?? ''}|${tls?.cert ?? ''}|${tls?.insecure ? 1 : 0}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(tls?.ca ? { ca: tls.ca } : {}),
            ...(tls?.cert ? { cert: tls.cert } : {}),
            ...(tls?.key ? { key: tls.key } : {}),
            rejectUnauthorized: !tls?.insecure,
          })
        : new http.Agent({ keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the kept-alive sockets (end of a run). */
export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export function postSoap(target: string, body: string, options: PostOptions): Promise<Exchange> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ url: target, request: body, durationMs: 0, error: `invalid URL "${target}"` });
      return;
    }
    const payload = Buffer.from(body, 'utf8');
    const lib = url.protocol === 'https:' ? https : http;
    let done = false;
    const finish = (e: Omit<Exchange, 'url' | 'request' | 'durationMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ url: target, request: body, durationMs: elapsed(), ...e });
    };
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: agentFor(url, options.tls),
        headers: {
          'content-type': options.contentType ?? 'text/xml; charset=utf-8',
          'content-length': String(payload.byteLength),
          ...(options.soapAction !== undefined ? { soapaction: options.soapAction } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const { maxBytes } = options;
        const chunks: Buffer[] = [];
        let size = 0;
        const body = () => Buffer.concat(chunks, Math.min(size, maxBytes));
        const answered = () => ({
          httpStatus: res.statusCode ?? 0,
          ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
        });
        res.on('data', (c: Buffer) => {
          if (done) return;
          chunks.push(c);
          size += c.byteLength;
          if (size <= maxBytes) return;
          // Past the codec's limit: no need to read (nor hold) the rest.
          const declared = Number(res.headers['content-length']);
          const what =
            Number.isSafeInteger(declared) && declared > maxBytes ? `${declared}` : `more than ${maxBytes}`;
          finish({
            ...answered(),
            response: body().toString('utf8'),
            refused: {
              kind: 'TOO_LARGE',
              message: `message of ${what} bytes exceeds the limit of ${maxBytes} bytes`,
            },
          });
          chunks.length = 0;
          res.destroy();
        });
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const refused = refusalOf(bytes, maxBytes);
          finish({ ...answered(), response: bytes.toString('utf8'), ...(refused ? { refused } : {}) });
        });
        res.on('error', (e) =>
          finish({
            httpStatus: res.statusCode ?? 0,
            response: body().toString('utf8'),
            error: `response broken: ${e.message}`,
          }),
        );
        res.on('aborted', () => finish({ httpStatus: res.statusCode ?? 0, error: 'response aborted' }));
      },
    );
    const timer = setTimeout(() => {
      finish({ error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: `${e.code ?? 'error'}: ${e.message}` }));
    req.end(payload);
  });
}

/** JSON request to a control API (our mock's); throws on transport failure. */
export async function controlCall(
  url: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, json };
}

/**
 * Why nothing listens at a URL's host and port (a TCP connection, no request sent), or undefined
 * when something does: a run against an implementation that cannot be reached has nothing to assess.
 */
export function connectProblem(url: string, timeoutMs: number): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem: string | undefined) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`no connection within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
