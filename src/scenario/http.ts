/**
 * The harness's HTTP client: one POST of a SOAP body, with TLS options, a timeout and timing. It
 * never throws: a transport failure is an {@link Exchange} with `error`.
 */
import http from 'node:http';
import https from 'node:https';

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
}

export interface PostOptions {
  soapAction?: string;
  contentType?: string;
  timeoutMs: number;
  tls?: TlsOptions;
  headers?: Record<string, string>;
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
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          finish({
            response: Buffer.concat(chunks).toString('utf8'),
            httpStatus: res.statusCode ?? 0,
            ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
          }),
        );
        res.on('error', (e) =>
          finish({
            httpStatus: res.statusCode ?? 0,
            response: Buffer.concat(chunks).toString('utf8'),
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
