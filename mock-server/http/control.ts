/**
 * The control API (JSON over HTTP) as a transport-agnostic router: node:http and the msw handlers
 * both feed it. It validates every input and turns it into one MockEngine call.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ProfileIndex } from '../../src/profile/index.ts';
import { isSirenShape } from '../../src/rules/index.ts';
import { formatIssues } from '../config/load.ts';
import { behaviourSchema, type MockConfig } from '../config/schema.ts';
import { isEngineError } from '../engine/errors.ts';
import { unavailableOiAction } from '../engine/lifecycle.ts';
import { refuseOverrides } from '../engine/oi-actions.ts';
import type { Behaviour, EngineErrorCode, FaultInjection, MockEngine, TicketQuery } from '../engine/types.ts';
import { contentTypeRefusal, isMutating, jsonDepthRefusal } from './control-guard.ts';

const ENGINE_ERROR_STATUS: Record<EngineErrorCode, number> = {
  'unknown-ticket': 404,
  'unknown-action': 400,
  'invalid-argument': 400,
  closed: 503,
};

/** The most a control request body may have (413 beyond), whatever the transport. */
export const CONTROL_BODY_LIMIT = 1024 * 1024;

/** What `GET /` tells of the mock besides its URLs: profile, OI SIREN, OC accounts (no passwords). */
export function mockInfo(
  index: ProfileIndex,
  config: Pick<MockConfig, 'oiSiren' | 'accounts'>,
): Record<string, unknown> {
  return {
    profile: index.profile.id,
    oiSiren: config.oiSiren,
    accounts: config.accounts.map((a) => ({ login: a.login, siren: a.siren, name: a.name })),
  };
}

export type BodyText = { ok: true; text: string } | { ok: false; status: number; message: string };

export interface ControlRequest {
  method: string;
  /** Path below the control prefix, e.g. `/tickets/K1`; `/` for the prefix itself. */
  path: string;
  query: URLSearchParams;
  authorization?: string | null;
  /** The request's Content-Type: a non-empty body of a POST, PUT or DELETE must be JSON (415). */
  contentType?: string | null;
  /** Reads the request body (the transport applies its own size limit). */
  body: () => Promise<BodyText>;
}

export interface ControlResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ControlOptions {
  engine: MockEngine;
  index: ProfileIndex;
  /** When set, every route except health and ready needs `Authorization: Bearer <token>`. */
  token?: string;
  ready: () => boolean;
  /** Service description returned by `GET /` (endpoint, WSDL and control URLs). */
  info?: () => Record<string, unknown>;
}

type Handler = (req: ControlRequest, params: string[]) => Promise<ControlResponse> | ControlResponse;
interface RouteDef {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Readable template, e.g. `/tickets/{troubleTicketKey}`: each `{name}` matches one path segment. */
  path: string;
  open?: boolean;
  /** The query parameters the route reads; any other is refused with 400 before the handler runs. */
  query?: readonly string[];
  handler: Handler;
}
interface Route extends RouteDef {
  pattern: RegExp;
}

/** Compiles a route template; `/` (the prefix itself) also matches the empty path. */
const compileRoute = (r: RouteDef): Route => {
  if (r.path === '/') return { ...r, pattern: /^\/?$/ };
  const source = r.path
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return { ...r, pattern: new RegExp(`^${source}$`) };
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const json = (status: number, body: unknown, headers?: Record<string, string>): ControlResponse => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/**
 * The Allow of a control route as the transports answer it (405, OPTIONS): the router's methods,
 * HEAD beside GET (answered as GET without the body) and OPTIONS (answered by the transport).
 */
export function controlAllow(allow: string): string {
  const methods = allow.split(',').flatMap((m) => (m.trim() === 'GET' ? ['GET', 'HEAD'] : [m.trim()]));
  return [...new Set([...methods, 'OPTIONS'])].join(', ');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison of a presented token with the configured one. */
export function tokenMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

async function readJson(req: ControlRequest, emptyAs: unknown): Promise<unknown> {
  const body = await req.body();
  if (!body.ok) throw new HttpError(body.status, body.message);
  if (body.text.trim() === '') {
    if (emptyAs === undefined) throw new HttpError(400, 'request body is empty: a JSON document is expected');
    return emptyAs;
  }
  const tooDeep = jsonDepthRefusal(body.text);
  if (tooDeep) throw new HttpError(tooDeep.status, tooDeep.message);
  try {
    return JSON.parse(body.text);
  } catch (e) {
    throw new HttpError(400, `request body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * The request with its body read once and, when there is one, declared JSON: a page of another site
 * can POST a text/plain body without the browser asking first (no CORS preflight), never a JSON one.
 * Checked on every mutating route, those that ignore their body included.
 */
async function jsonBodyOnly(req: ControlRequest): Promise<ControlRequest> {
  const body = await req.body();
  if (!body.ok) throw new HttpError(body.status, body.message);
  if (body.text !== '') {
    const refused = contentTypeRefusal(req.contentType);
    if (refused) throw new HttpError(refused.status, refused.message, { accepted: ['application/json'] });
  }
  return { ...req, body: async () => body };
}

function validate<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = formatIssues(parsed.error, data, () => undefined).map((l) =>
    l.replace(/^\(config\)/, what),
  );
  throw new HttpError(400, `invalid ${what}: ${problems.join('; ')}`, { problems });
}

function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HttpError(
      400,
      `query parameter ${name}: "${raw}" must be an integer between ${min} and ${max}`,
    );
  }
  return Number(raw);
}

/**
 * Refuses a query parameter the route does not read, or one given twice: a mistyped filter must not
 * pass for no filter, and a stray parameter must not let `POST /reset` wipe the tickets unnoticed.
 */
function checkQueryNames(query: URLSearchParams, route: Pick<RouteDef, 'method' | 'path' | 'query'>): void {
  const known = route.query ?? [];
  for (const name of new Set(query.keys())) {
    if (!known.includes(name)) {
      const accepted =
        known.length > 0
          ? `known: ${known.join(', ')}`
          : `${route.method} ${route.path} takes no query parameter`;
      throw new HttpError(400, `unknown query parameter "${name}" (${accepted})`);
    }
    const values = query.getAll(name);
    if (values.length > 1) {
      throw new HttpError(
        400,
        `query parameter ${name} is repeated (${values.map((v) => JSON.stringify(v)).join(', ')}): give it once`,
      );
    }
  }
}

/**
 * An integer in [min, max]. A single rule and message: zod's `.int()` also refuses integers beyond
 * 2^53, which a message "must be an integer" would misdescribe.
 */
const boundedInt = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).refine((n) => Number.isInteger(n) && n >= min && n <= max, {
    error: `must be an integer between ${min} and ${max}`,
  });

/**
 * The behaviour patch: the configuration's schema, with its delays' bound said in one message
 * (a delay beyond 2^53 is an integer, which "must be an integer" would misdescribe).
 */
const delayMs = z
  .number({ error: 'must be a number of milliseconds' })
  .refine((n) => Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER, {
    error: `must be an integer number of milliseconds between 0 and ${Number.MAX_SAFE_INTEGER}`,
  });
const nullableDelayMs = z.union([delayMs, z.null()], { error: 'must be a number of milliseconds or null' });
const behaviourPatchSchema = behaviourSchema.extend({
  takeInChargeAfterMs: nullableDelayMs.optional(),
  planAfterMs: nullableDelayMs.optional(),
  resolveAfterMs: nullableDelayMs.optional(),
  cancellationAnswerAfterMs: delayMs.optional(),
} satisfies { [K in keyof Behaviour as K extends `${string}AfterMs` ? K : never]: z.ZodType });

export function createControlApi(options: ControlOptions): (req: ControlRequest) => Promise<ControlResponse> {
  const { engine, index } = options;
  const states = index.profile.states.map((s) => s.name);
  const r7 = index.activeActions.filter((a) => a.catalogue === 'R7').map((a) => a.id);
  const operations = index.profile.operations.map((o) => o.name);

  const faultSchema = z
    .strictObject({
      operation: z
        .string({ error: 'must be a string' })
        .refine((op) => op === '*' || operations.includes(op), {
          error: `must be "*" or an operation (${operations.join(', ')})`,
        }),
      latencyMs: boundedInt(0, 600_000).optional(),
      soapFaultRate: z
        .number({ error: 'must be a number' })
        .min(0, 'must be between 0 and 1')
        .max(1, 'must be between 0 and 1')
        .optional(),
      httpStatus: z.union([z.literal(500), z.literal(503)], { error: 'must be 500 or 503' }).optional(),
      dropConnection: z.boolean({ error: 'must be true or false' }).optional(),
      truncateResponse: z.boolean({ error: 'must be true or false' }).optional(),
      times: boundedInt(1, Number.MAX_SAFE_INTEGER).optional(),
    })
    .refine(
      (f) =>
        f.latencyMs !== undefined ||
        f.soapFaultRate !== undefined ||
        f.httpStatus !== undefined ||
        f.dropConnection === true ||
        f.truncateResponse === true,
      { error: 'sets no effect (latencyMs, soapFaultRate, httpStatus, dropConnection or truncateResponse)' },
    );
  const faultsSchema = z.array(faultSchema, { error: 'must be a JSON array of fault injections' });
  /** Field overrides of an R7 action: a JSON object of the action's fields (§8) → string or null. */
  const fieldOverrides = (actionId: string, data: unknown): Record<string, string | null> => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new HttpError(
        400,
        'invalid field overrides: the body must be a JSON object of field → string or null',
      );
    }
    const refused = refuseOverrides(index, index.action.get(actionId)!, data as Record<string, unknown>);
    if (refused) {
      throw new HttpError(400, refused.message, { problems: refused.problems, accepted: refused.accepted });
    }
    return data as Record<string, string | null>;
  };

  const ticketOr404 = (key: string) => {
    const found = engine.getTicket(key);
    if (!found) throw new HttpError(404, `unknown troubleTicketKey "${key}"`);
    return found;
  };

  const routes: Route[] = (
    [
      {
        method: 'GET',
        path: '/',
        handler: () =>
          json(200, {
            ...(options.info?.() ?? {}),
            routes: routes.map((r) => `${r.method} ${r.path}`),
          }),
      },
      {
        method: 'GET',
        path: '/health',
        open: true,
        handler: () => json(200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) }),
      },
      {
        method: 'GET',
        path: '/ready',
        open: true,
        handler: () => (options.ready() ? json(200, { ready: true }) : json(503, { ready: false })),
      },
      {
        method: 'GET',
        path: '/tickets',
        query: ['state', 'oc', 'technicalId', 'q', 'limit', 'offset'],
        handler: (req) => {
          const q = req.query;
          const query: TicketQuery = {
            limit: intParam(q, 'limit', 1, 1000, 100),
            offset: intParam(q, 'offset', 0, Number.MAX_SAFE_INTEGER, 0),
          };
          const state = q.get('state');
          if (state) {
            if (!states.includes(state))
              throw new HttpError(
                400,
                `query parameter state: "${state}" must be one of ${states.join(', ')}`,
              );
            query.state = state;
          }
          const oc = q.get('oc');
          if (oc) {
            if (!isSirenShape(oc))
              throw new HttpError(400, `query parameter oc: "${oc}" must be a SIREN of 9 digits`);
            query.ocSiren = oc;
          }
          const technicalId = q.get('technicalId');
          if (technicalId) query.technicalId = technicalId;
          const text = q.get('q');
          if (text) query.text = text;
          const tickets = engine.listTickets(query);
          return json(200, {
            tickets,
            count: tickets.length,
            total: engine.countTickets(query),
            limit: query.limit,
            offset: query.offset,
          });
        },
      },
      {
        method: 'GET',
        path: '/tickets/{troubleTicketKey}',
        handler: (_req, [key]) => json(200, ticketOr404(key!)),
      },
      {
        method: 'POST',
        path: '/tickets/{troubleTicketKey}/actions/{action}',
        handler: async (req, [key, actionId]) => {
          if (!r7.includes(actionId!)) throw new HttpError(400, unavailableOiAction(index, actionId!, r7));
          ticketOr404(key!);
          const fields = fieldOverrides(actionId!, await readJson(req, {}));
          const result = await engine.triggerOiAction(key!, actionId!, fields);
          return json(result.returnCode === index.profile.returnCodes.success ? 200 : 422, result);
        },
      },
      { method: 'GET', path: '/behaviour', handler: () => json(200, engine.behaviour()) },
      {
        method: 'PUT',
        path: '/behaviour',
        handler: async (req) => {
          const patch = validate(behaviourPatchSchema, await readJson(req, undefined), 'behaviour');
          const closure = patch.resolveWith;
          if (closure !== undefined && !index.closure.has(closure)) {
            throw new HttpError(
              400,
              `invalid behaviour: resolveWith: "${closure}" must be a closure code of the profile`,
            );
          }
          return json(200, engine.setBehaviour(patch as Parameters<MockEngine['setBehaviour']>[0]));
        },
      },
      { method: 'GET', path: '/faults', handler: () => json(200, engine.faults()) },
      {
        method: 'PUT',
        path: '/faults',
        handler: async (req) => {
          const faults = validate(faultsSchema, await readJson(req, undefined), 'faults') as FaultInjection[];
          engine.setFaults(faults);
          return json(200, engine.faults());
        },
      },
      {
        method: 'DELETE',
        path: '/faults',
        handler: () => {
          engine.setFaults([]);
          return json(200, engine.faults());
        },
      },
      {
        method: 'GET',
        path: '/inventory',
        query: ['technicalId', 'limit', 'offset'],
        handler: (req) => {
          const limit = intParam(req.query, 'limit', 1, 100_000, 1000);
          const offset = intParam(req.query, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
          const technicalId = req.query.get('technicalId');
          const all = engine.inventory().filter((e) => !technicalId || e.technicalId === technicalId);
          return json(200, { total: all.length, limit, offset, entries: all.slice(offset, offset + limit) });
        },
      },
      {
        method: 'GET',
        path: '/deliveries',
        query: ['status', 'key'],
        handler: (req) => {
          const status = req.query.get('status');
          if (status && !['pending', 'delivered', 'failed'].includes(status)) {
            throw new HttpError(
              400,
              `query parameter status: "${status}" must be one of pending, delivered, failed`,
            );
          }
          const key = req.query.get('key');
          const deliveries = engine
            .deliveries()
            .filter((d) => (!status || d.status === status) && (!key || d.troubleTicketKey === key));
          return json(200, { deliveries, count: deliveries.length });
        },
      },
      { method: 'GET', path: '/counters', handler: () => json(200, engine.counters()) },
      {
        method: 'POST',
        path: '/reset',
        handler: () => {
          engine.reset();
          return json(200, { reset: true });
        },
      },
    ] satisfies RouteDef[]
  ).map(compileRoute);

  const authorize = (req: ControlRequest): ControlResponse | undefined => {
    if (options.token === undefined) return undefined;
    const header = req.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) {
      return json(
        401,
        { error: 'missing bearer token: send "Authorization: Bearer <control.token>"' },
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (!tokenMatches(m[1]!, options.token)) {
      return json(
        401,
        { error: 'wrong bearer token' },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    return undefined;
  };

  return async (req) => {
    try {
      let params: string[] | undefined;
      const matching = routes.filter((r) => {
        const m = r.pattern.exec(req.path);
        if (m && r.method === req.method) params = m.slice(1).map((p) => decodeURIComponent(p));
        return m !== null;
      });
      if (matching.length === 0) throw new HttpError(404, `no control route ${req.method} ${req.path}`);
      const route = matching.find((r) => r.method === req.method);
      if (!route) {
        const allow = [...new Set(matching.map((r) => r.method))].join(', ');
        return json(
          405,
          { error: `method ${req.method} not allowed on ${req.path} (allowed: ${allow})` },
          { allow },
        );
      }
      if (!route.open) {
        const refused = authorize(req);
        if (refused) return refused;
      }
      checkQueryNames(req.query, route);
      return await route.handler(isMutating(route.method) ? await jsonBodyOnly(req) : req, params ?? []);
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, { error: e.message, ...e.extra });
      if (isEngineError(e)) return json(ENGINE_ERROR_STATUS[e.code] ?? 500, { error: e.message });
      if (e instanceof URIError) return json(400, { error: `malformed percent-encoding in ${req.path}` });
      return json(500, { error: `internal error: ${(e as Error).message}` });
    }
  };
}
