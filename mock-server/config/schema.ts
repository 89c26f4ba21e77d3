/**
 * The mock OI's configuration: one YAML file, environment variables and CLI flags all land in this
 * shape, validated once at start. Every key has a default, so an empty file is a working config.
 */
import { z } from 'zod';
import type { ProfileSettings } from '../../src/profile/index.ts';
import {
  DEFAULT_PROFILE_ID,
  getProfile,
  indexProfile,
  profileIds,
  responsibilityMappingProblems,
} from '../../src/profile/index.ts';
import { isSirenShape } from '../../src/rules/index.ts';
import { DEFAULT_BEHAVIOUR } from '../engine/automation.ts';
import { behaviourProblems } from '../engine/behaviour.ts';
import { DEFAULT_OI_NAME, DEFAULT_OI_SIREN, DEMO_ACCOUNTS } from '../engine/options.ts';
import type { Behaviour } from '../engine/types.ts';

/** The endpoint the protocol names (§1); `path` overrides it. */
export const DEFAULT_PATH = getProfile().service.path;
export const DEFAULT_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_HOST = '127.0.0.1';
export const CONTROL_PREFIX = '/_control';

const port = z
  .number({ error: 'must be a port number' })
  .int('must be an integer')
  .min(0, 'must be ≥ 0')
  .max(65535, 'must be ≤ 65535');
const ms = z
  .number({ error: 'must be a number of milliseconds' })
  .int('must be an integer')
  .min(0, 'must be ≥ 0');
const nullableMs = z.union([ms, z.null()], { error: 'must be a number of milliseconds or null' });
const siren = z
  .string({ error: 'must be a string of 9 digits' })
  .refine(isSirenShape, { error: 'must be 9 digits', abort: true });
const nonEmpty = z.string({ error: 'must be a string' }).min(1, 'must not be empty');

const httpsSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(false),
    port: port.default(DEFAULT_HTTPS_PORT),
    /** PEM certificate file; with `key`. Without both, a self-signed pair is generated in dataDir. */
    cert: nonEmpty.optional(),
    key: nonEmpty.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.cert === undefined) !== (v.key === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.cert === undefined ? 'cert' : 'key'],
        message: `is required when https.${v.cert === undefined ? 'key' : 'cert'} is set`,
        input: undefined,
        params: { related: [`https.${v.cert === undefined ? 'key' : 'cert'}`] },
      });
    }
  });

const pushSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  login: z.string({ error: 'must be a string' }),
  password: z.string({ error: 'must be a string' }),
  /** PEM text or a path to a PEM file. */
  ca: nonEmpty.optional(),
  insecure: z.boolean({ error: 'must be true or false' }).default(false),
  maxRetries: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be ≥ 0')
    .default(5),
  backoffMs: ms.default(500),
  timeoutMs: ms.default(10_000),
});

/**
 * An OC account. `push`: where the OI's actions on this OC's tickets go (the OC's own endpoint,
 * §1); without it, the top-level `push`.
 */
const accountSchema = z.strictObject({
  login: nonEmpty,
  password: nonEmpty,
  siren,
  name: z.string({ error: 'must be a string' }).optional(),
  push: pushSchema.optional(),
});

export const behaviourSchema = z.strictObject({
  takeInChargeAfterMs: nullableMs.optional(),
  planAfterMs: nullableMs.optional(),
  resolveAfterMs: nullableMs.optional(),
  resolveWith: nonEmpty.optional(),
  rejectUnknownPto: z.boolean({ error: 'must be true or false' }).optional(),
  rejectDuplicateAccess: z.boolean({ error: 'must be true or false' }).optional(),
  cancellationAnswer: z
    .enum(['agree', 'refuse', 'none'], { error: 'must be one of agree, refuse, none' })
    .optional(),
  cancellationAnswerAfterMs: ms.optional(),
});

const inventorySchema = z.strictObject({
  /** Number of generated PTO (fakerFR, seeded) when no CSV is given. */
  count: z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be ≥ 0').default(200),
  seed: z.number({ error: 'must be a number' }).int('must be an integer').default(42),
  /** CSV file with a header line naming at least technicalId; loaded instead of generating. */
  csv: nonEmpty.optional(),
});

const controlSchema = z.strictObject({
  /** Bearer token of the control API; required when the control API is bound beyond localhost. */
  token: z.string({ error: 'must be a string' }).min(16, 'must be at least 16 characters').optional(),
  /** Serve the control API on its own port instead of under /_control on the SOAP port. */
  port: port.optional(),
  host: nonEmpty.optional(),
});

const limitsSchema = z.strictObject({
  /** Time allowed to receive a whole request body (slow bodies get a Client fault). */
  bodyTimeoutMs: ms.min(100, 'must be ≥ 100').default(10_000),
  /** Time allowed to receive the request headers (node:http headersTimeout). */
  headersTimeoutMs: ms.min(100, 'must be ≥ 100').default(10_000),
  keepAliveTimeoutMs: ms.default(5_000),
  /** Simultaneous sockets per listener; node:http closes further connections at once. */
  maxConnections: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be ≥ 1')
    .default(1024),
  /** Failed logins allowed per OC login within loginWindowMs; the next attempt is refused. 0: no limit. */
  loginMaxFailures: z
    .number({ error: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be ≥ 0')
    .default(5),
  loginWindowMs: ms.min(1_000, 'must be ≥ 1000').default(60_000),
});

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The profile's [decision] settings, typed from the default profile's own values. */
function settingsSchema() {
  const base = getProfile().settings;
  const shape: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(base)) {
    if (typeof value === 'boolean') shape[key] = z.boolean({ error: 'must be true or false' }).optional();
    else if (typeof value === 'number')
      shape[key] = z
        .number({ error: 'must be a number' })
        .int('must be an integer')
        .min(0, 'must be ≥ 0')
        .optional();
    else if (typeof value === 'object')
      shape[key] = z.record(z.string(), nonEmpty, { error: 'must be a map of strings' }).optional();
    else shape[key] = nonEmpty.optional();
  }
  return z.strictObject(shape) as unknown as z.ZodType<Partial<ProfileSettings>>;
}

export const configSchema = z
  .strictObject({
    host: nonEmpty.default(DEFAULT_HOST),
    /** Plain HTTP port; null disables plain HTTP (HTTPS only). */
    port: z.union([port, z.null()], { error: 'must be a port number or null' }).default(DEFAULT_PORT),
    https: httpsSchema.default({ enabled: false, port: DEFAULT_HTTPS_PORT }),
    path: z
      .string({ error: 'must be a string' })
      .regex(
        /^\/[^?#\s]*$/,
        'must be an absolute URL path such as /interop-sav-21/services/JVTTroubleTicketSessionWSPort',
      )
      .refine(
        (p) => p !== CONTROL_PREFIX && !p.startsWith(`${CONTROL_PREFIX}/`),
        `must not be under ${CONTROL_PREFIX}`,
      )
      .default(DEFAULT_PATH),
    dataDir: nonEmpty.default('./data'),
    /** Keep everything in memory (SQLite :memory:), nothing written to dataDir except a generated certificate. */
    memory: z.boolean({ error: 'must be true or false' }).default(false),
    profile: z
      .string({ error: 'must be a string' })
      .refine((id) => profileIds().includes(id), {
        error: `must be a known profile (${profileIds().join(', ')})`,
      })
      .default(DEFAULT_PROFILE_ID),
    /** Overrides of the profile's [decision] settings. */
    settings: settingsSchema().default({}),
    oiSiren: siren.default(DEFAULT_OI_SIREN),
    oiName: z
      .string({ error: 'must be a string' })
      .max(40, 'must be at most 40 characters')
      .default(DEFAULT_OI_NAME),
    accounts: z
      .array(accountSchema, { error: 'must be a list of accounts' })
      .default(DEMO_ACCOUNTS.map((a) => ({ ...a }))),
    push: pushSchema.optional(),
    behaviour: behaviourSchema.default({}),
    inventory: inventorySchema.default({ count: 200, seed: 42 }),
    control: controlSchema.default({}),
    limits: limitsSchema.default({
      bodyTimeoutMs: 10_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1024,
      loginMaxFailures: 5,
      loginWindowMs: 60_000,
    }),
    /**
     * Worker threads decoding requests (parse + XSD) beside the event loop: 'auto' takes one per
     * spare core (at most 2); 0 decodes on the event loop (~250 MB less memory, lower throughput).
     */
    decodeWorkers: z
      .union(
        [
          z.literal('auto'),
          z.number().int('must be an integer').min(0, 'must be ≥ 0').max(16, 'must be ≤ 16'),
        ],
        { error: "must be 'auto' or a number of workers (0 to 16)" },
      )
      .default('auto'),
    log: z
      .strictObject({
        level: z.enum(levels, { error: `must be one of ${levels.join(', ')}` }).default('info'),
      })
      .default({ level: 'info' }),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.accounts.forEach((a, i) => {
      const first = seen.get(a.login);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', i, 'login'],
          message: `is already used by accounts[${first}]`,
          input: a.login,
          params: { related: [`accounts[${first}].login`] },
        });
      } else seen.set(a.login, i);
    });
    if (c.accounts.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts'],
        message: 'must list at least one OC account',
        input: c.accounts,
      });
    }
    if (c.port === null && !c.https.enabled) {
      ctx.addIssue({
        code: 'custom',
        path: ['port'],
        message: 'is null but https.enabled is false: nothing would listen',
        input: null,
        params: { related: ['https.enabled'] },
      });
    }
    const ports = [
      { key: 'port', port: c.port },
      { key: 'https.port', port: c.https.enabled ? c.https.port : null },
      { key: 'control.port', port: c.control.port ?? null },
    ];
    for (const [i, p] of ports.entries()) {
      const earlier = ports.slice(0, i).find((q) => q.port !== null && q.port !== 0 && q.port === p.port);
      if (earlier) {
        ctx.addIssue({
          code: 'custom',
          path: p.key.split('.'),
          message: `is already used by ${earlier.key}`,
          input: p.port,
          params: { related: [earlier.key] },
        });
      }
    }
    pushPerSiren(c.accounts, ctx);
    for (const p of responsibilityMappingProblems(getProfile(c.profile, c.settings))) {
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'defectResponsibilityByClosureCode', p.code],
        message: p.problem,
        input: c.settings.defectResponsibilityByClosureCode?.[p.code],
      });
    }
    const profile = getProfile(c.profile);
    const knownCode =
      c.behaviour.resolveWith === undefined ||
      profile.closureCodes.some((cc) => cc.code === c.behaviour.resolveWith);
    if (!knownCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['behaviour', 'resolveWith'],
        message: `must be a closure code of profile ${c.profile}`,
        input: c.behaviour.resolveWith,
        params: { related: ['profile'] },
      });
    }
    // The behaviour as the engine will run it, under the profile with the configured settings.
    const behaviour = { ...DEFAULT_BEHAVIOUR, ...c.behaviour } as Behaviour;
    for (const p of behaviourProblems(behaviour, indexProfile(getProfile(c.profile, c.settings)))) {
      if (p.key === 'resolveWith' && !knownCode) continue;
      // A value its own key's schema refuses (a negative delay) is reported once, by that schema.
      if (!behaviourSchema.shape[p.key].safeParse(c.behaviour[p.key]).success) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['behaviour', p.key],
        message: p.problem,
        input: behaviour[p.key],
      });
    }
    if (c.control.host !== undefined && c.control.port === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['control', 'host'],
        message: `applies only with control.port: without it the control API is served with SOAP, on host ${c.host}`,
        input: c.control.host,
      });
    }
    // Without a port of its own, the control API is where the SOAP service is.
    const controlHostKey =
      c.control.port !== undefined && c.control.host !== undefined ? 'control.host' : 'host';
    const controlHost = controlHostKey === 'control.host' ? c.control.host! : c.host;
    if (!isLoopback(controlHost) && c.control.token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['control', 'token'],
        message: `is required: the control API would be bound to ${controlHost}, beyond localhost`,
        input: undefined,
        params: { related: [controlHostKey] },
      });
    }
  });

/** Accounts sharing a SIREN share its tickets: they may not name two different push targets. */
function pushPerSiren(accounts: z.output<typeof accountSchema>[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  accounts.forEach((a, i) => {
    if (!a.push) return;
    const j = first.get(a.siren);
    if (j === undefined) {
      first.set(a.siren, i);
      return;
    }
    if (JSON.stringify(accounts[j]!.push) !== JSON.stringify(a.push)) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'push'],
        message: `differs from accounts[${j}].push, an account of the same OC (siren ${a.siren}): the OI's actions on that OC's tickets go to one endpoint`,
        input: undefined,
        params: { related: [`accounts[${j}].push`] },
      });
    }
  });
}

export type MockConfigInput = z.input<typeof configSchema>;
export type MockConfig = z.output<typeof configSchema>;
export type AccountConfig = z.output<typeof accountSchema>;
export type PushConfig = z.output<typeof pushSchema>;
export type LogLevel = (typeof levels)[number];

/** 127.0.0.1, ::1, localhost: the hosts where the control API may run without a token. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
