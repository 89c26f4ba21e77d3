/** Shared helpers of the mock transport tests: config, raw sockets, HTTPS requests, the mock command. */
import { request as nodeHttpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { ConfigError, loadConfig } from '../../mock-server/config/load.ts';
import type { MockConfig } from '../../mock-server/config/schema.ts';
import { createLogger } from '../../mock-server/http/logger.ts';
import { type EngineFactory, type RunningMock, startWithEngine } from '../../mock-server/http/start.ts';
import { mockCommand } from '../../src/cli/mock.ts';

export const silent = createLogger('silent');

/** A test config: port 0 on 127.0.0.1, in memory, quiet, over the given keys. */
export function testConfig(overrides: Record<string, unknown> = {}): MockConfig {
  return loadConfig({
    env: {},
    overrides: { port: 0, memory: true, log: { level: 'silent' }, ...overrides },
  });
}

export function startWith(
  factory: EngineFactory,
  overrides: Record<string, unknown> = {},
): Promise<RunningMock> {
  return startWithEngine(testConfig(overrides), factory, silent);
}

export interface RawResponse {
  status: number;
  headers: string;
  body: string;
  /** The server closed the socket without any answer. */
  dropped: boolean;
}

/** Parses a raw HTTP/1.1 response (Content-Length or close-delimited bodies). */
function parseRaw(data: Buffer): RawResponse {
  const text = data.toString('utf8');
  const sep = text.indexOf('\r\n\r\n');
  if (sep < 0) return { status: 0, headers: '', body: text, dropped: text.length === 0 };
  const headers = text.slice(0, sep);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
  let body = text.slice(sep + 4);
  if (/transfer-encoding:\s*chunked/i.test(headers)) {
    let out = '';
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) break;
      const size = Number.parseInt(rest.slice(0, nl), 16);
      if (!size) break;
      out += rest.slice(nl + 2, nl + 2 + size);
      rest = rest.slice(nl + 2 + size + 2);
    }
    body = out;
  }
  return { status, headers, body, dropped: false };
}

/**
 * Sends raw bytes over a fresh socket and collects everything until the server closes it (or
 * `waitMs` passes). `chunks` are written one by one, `gapMs` apart (a slow client).
 */
export function rawExchange(
  port: number,
  chunks: (string | Buffer)[],
  opts: { gapMs?: number; waitMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let writer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearInterval(writer);
      socket.destroy();
      resolve(parseRaw(Buffer.concat(received)));
    };
    socket.on('data', (d) => received.push(d));
    socket.on('close', finish);
    socket.on('error', () => undefined);
    timer = setTimeout(finish, opts.waitMs ?? 10_000);
    socket.on('connect', () => {
      if (!opts.gapMs) {
        for (const c of chunks) socket.write(c);
        return;
      }
      let i = 0;
      writer = setInterval(() => {
        if (i >= chunks.length || socket.destroyed) return clearInterval(writer);
        socket.write(chunks[i++]!);
      }, opts.gapMs);
    });
  });
}

/** An HTTPS request trusting `ca`; resolves with status, body and the certificate presented. */
export function httpsFetch(
  url: string,
  ca: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

export const portOf = (url: string) => Number(new URL(url).port);

/** A plain node:http request (fetch cannot set Host). */
export function httpRequest(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = nodeHttpRequest(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Captured output of a CLI command. */
export function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

/** Runs `mockCommand` until its banner is printed; `stop()` ends it and resolves with its exit code. */
export async function runUntilBanner(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const a = io();
  const stop = new AbortController();
  const running = mockCommand(argv, a.io, { stopSignal: stop.signal, env });
  let code: number | undefined;
  void running.then((c) => {
    code = c;
  });
  for (let i = 0; i < 200 && code === undefined && !a.out.some((l) => l.startsWith('Press Ctrl+C')); i++)
    await new Promise((r) => setTimeout(r, 50));
  return {
    ...a,
    text: a.out.join('\n'),
    stop: () => {
      stop.abort();
      return running;
    },
  };
}

/** The problems of the ConfigError `f` throws (fails when it throws none). */
export function configProblems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('no ConfigError');
}
