/**
 * The scenario file format (YAML), as a zod schema built from the profile: action names, field
 * names, states and operations are enums, so an editor using the exported JSON Schema completes
 * them and a typo is caught at load time with the file and line.
 *
 * A scenario is a list of steps; each step is an object with exactly one of these keys:
 *
 * | key        | what the step does                                                                |
 * |------------|-----------------------------------------------------------------------------------|
 * | `oc`       | the OC performs an R6 action (`create`, `cancel`, …) or `get`                      |
 * | `oi`       | the OI performs an R7 action (`takeInCharge`, …) and pushes it to the OC            |
 * | `receive`  | wait for the next push of the ticket, which must be this R7 action                  |
 * | `push`     | (role oi) the harness pushes a hand-made R7 action to the OC under test             |
 * | `raw`      | send raw XML to the implementation under test (hostile inputs)                     |
 * | `meta`     | call a meta operation (R8)                                                         |
 * | `wait`     | sleep this many milliseconds                                                        |
 * | `endpoint` | (role oc) make the harness OC endpoint fail the ticket's next pushes                |
 *
 * Strings anywhere in a step may hold variables: `${ticket.key}`, `${ticket.state}`,
 * `${ticket.version}`, `${steps.<id>.<name>}`, `${data.<field>}`, `${vars.<name>}`,
 * `${config.ocSiren}`, `${config.oiSiren}`, `${config.otherOcSiren}`, `${config.login}`,
 * `${config.password}`, `${settings.<setting>}`; `$${` is a literal `${`. See vars.ts.
 */
import { z } from 'zod';
import type { ProfileIndex } from '../profile/index.ts';
import { shortActionName } from './rulebook.ts';

export const STEP_KINDS = ['oc', 'oi', 'receive', 'push', 'raw', 'meta', 'wait', 'endpoint'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const CREDENTIALS = ['default', 'other', 'wrong-password', 'unknown-login', 'none'] as const;

/** Expectations on an answer to a request (returnCode, returnLabel, fault, HTTP status, key). */
const ANSWER_EXPECT = ['returnCode', 'field', 'label', 'fault', 'httpStatus', 'key'] as const;
/** Expectations on a ticket (read back, pushed or returned). */
const TICKET_EXPECT = ['state', 'version', 'fields', 'present'] as const;
export type ExpectKey =
  | (typeof ANSWER_EXPECT)[number]
  | (typeof TICKET_EXPECT)[number]
  | 'action'
  | 'attempts'
  | 'values';

/**
 * The expectations each step kind can meet, from what execute.ts observes for it (expect.ts turns
 * each into a check): any other is refused at load, as it could only fail. `oc` (get included):
 * the answer, and the ticket read back or returned; `oi`/`receive`: the push (ticket, action,
 * delivery attempts) and, role oi, the OC's answer to it; `push`: the OC's answer (a set response
 * carries no ticket); `raw`: whatever the answer holds (ticket of a get, items of a meta); `meta`:
 * the items of the answer (no returnCode, no ticket).
 */
export const EXPECT_KEYS_BY_KIND = {
  oc: [...ANSWER_EXPECT, ...TICKET_EXPECT],
  oi: [...ANSWER_EXPECT, ...TICKET_EXPECT, 'action', 'attempts'],
  receive: [...ANSWER_EXPECT, ...TICKET_EXPECT, 'action', 'attempts'],
  push: [...ANSWER_EXPECT],
  raw: [...ANSWER_EXPECT, ...TICKET_EXPECT, 'values'],
  meta: ['fault', 'httpStatus', 'values'],
} as const satisfies Partial<Record<StepKind, readonly ExpectKey[]>>;

/**
 * On `oi` and `receive` steps, the expectations about the OC's answer to the push: role oi only
 * (role oc, the harness OC endpoint answers, so there is nothing of the implementation to check).
 */
export const PUSH_ANSWER_EXPECT = ['returnCode', 'field', 'label', 'fault', 'httpStatus'] as const;

const nonEmpty = z.string().min(1, 'must not be empty');
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const cache = new WeakMap<ProfileIndex, ReturnType<typeof buildSchemas>>();

/** The scenario schemas of a profile (the exported JSON Schema uses the default profile). */
export function scenarioSchemas(index: ProfileIndex): ReturnType<typeof buildSchemas> {
  let s = cache.get(index);
  if (!s) {
    s = buildSchemas(index);
    cache.set(index, s);
  }
  return s;
}

function buildSchemas(index: ProfileIndex) {
  const actions = index.activeActions;
  const r6 = actions.filter((a) => a.catalogue === 'R6').map(shortActionName);
  const r7 = actions.filter((a) => a.catalogue === 'R7').map(shortActionName);
  const fieldNames = [...index.field.keys()] as [string, ...string[]];
  const states = index.profile.states.map((s) => s.name) as [string, ...string[]];
  const metaOps = index.profile.operations.filter((o) => o.kind === 'meta').map((o) => o.name) as [
    string,
    ...string[],
  ];
  const allActions = actions.map((a) => a.id) as [string, ...string[]];

  const field = z.enum(fieldNames);
  /** An enum value, or a string holding a variable resolved at run time (e.g. ${settings.staleVersionField}). */
  const orVar = <T extends z.ZodEnum>(t: T) =>
    z.union([
      t,
      z.string().regex(/\$\{[^}]+\}/, `must be one of ${t.options.join(', ')} (or hold a variable \${…})`),
    ]);
  const fieldValues = z
    .partialRecord(field, z.union([scalar, z.null()]))
    .describe('Field → value (a scalar, or null for xsi:nil).');

  const fault = z.union([
    z.enum(['Client', 'Server', 'VersionMismatch']),
    z.strictObject({
      code: z.enum(['Client', 'Server', 'VersionMismatch']).optional(),
      choice: nonEmpty.optional().describe('Fault detail choice, e.g. ossIllegalArgumentException.'),
    }),
  ]);

  const expect = z
    .strictObject({
      returnCode: z.union([z.enum(['0', '1', '2']), z.literal(0), z.literal(1), z.literal(2)]).optional(),
      field: z
        .union([orVar(field), z.array(orVar(field)).min(1)])
        .optional()
        .describe('The returnLabel names this field (or one of these fields).'),
      label: nonEmpty.optional().describe('The returnLabel contains this text.'),
      fault: fault.optional().describe('A SOAP fault with this faultcode (local part) and detail choice.'),
      httpStatus: z.number().int().min(100).max(599).optional(),
      key: nonEmpty
        .optional()
        .describe('troubleTicketKey of the answer (or of the ticket read back / pushed).'),
      state: orVar(z.enum(states)).optional(),
      version: z.union([z.number().int(), nonEmpty]).optional().describe('lastUpdateVersionNumber.'),
      fields: fieldValues
        .optional()
        .describe('Field values of the ticket read back or pushed (null: absent or nil).'),
      present: z.array(field).optional().describe('Fields that must be present and not empty.'),
      action: z.enum(allActions).optional().describe('The action a push is identified as.'),
      attempts: z.number().int().min(1).optional().describe('Deliveries of the push, failed ones included.'),
      values: z.array(z.string()).optional().describe('Items of a meta operation answer (any order).'),
    })
    .describe('What the answer (or the push, or the ticket read back) must show.');
  /** The expectations of one step kind (EXPECT_KEYS_BY_KIND). */
  const expectOf = (kind: keyof typeof EXPECT_KEYS_BY_KIND) =>
    expect
      .pick(Object.fromEntries(EXPECT_KEYS_BY_KIND[kind].map((k) => [k, true])) as Record<ExpectKey, true>)
      .optional();

  const common = {
    id: z
      .string()
      .regex(/^[A-Za-z][\w-]*$/, 'must be a name (letters, digits, _ and -), used as $' + '{steps.<id>.…}')
      .optional(),
    title: nonEmpty.optional(),
    rule: nonEmpty
      .optional()
      .describe('Rule id the expectations check (see the rulebook); inferred when absent.'),
    mandatory: z.boolean().optional().describe('A failed check of this step fails the run (default true).'),
    capture: z
      .record(z.string().regex(/^\w+$/), nonEmpty)
      .optional()
      .describe('vars name → answer item (troubleTicketKey, returnCode, returnLabel, a field…).'),
  };
  const ticketRef = z
    .string()
    .regex(/^[A-Za-z][\w-]*$/)
    .optional()
    .describe('Id of the create step whose ticket this step acts on (default: the last created).');
  const timeoutMs = z.number().int().min(1).max(3_600_000).optional();
  const credentials = z.enum(CREDENTIALS).optional().describe('Which credentials the request carries.');

  const ocStep = z.strictObject({
    ...common,
    oc: z
      .enum(['get', ...r6] as [string, ...string[]])
      .describe('R6 action, or get (getTroubleTicketByKey).'),
    expect: expectOf('oc'),
    ticket: ticketRef,
    set: fieldValues.optional().describe('Field values overriding the generated data.'),
    remove: z.array(field).optional().describe('Fields removed from the generated data.'),
    credentials,
    get: z
      .strictObject({
        key: z.union([nonEmpty, z.null()]).optional(),
        technicalId: z.union([nonEmpty, z.null()]).optional(),
        attrNames: z.array(z.string()).optional(),
      })
      .optional()
      .describe('For oc: get — what to read (default: the ticket key).'),
  });
  const oiStep = z.strictObject({
    ...common,
    oi: z.enum(r7 as [string, ...string[]]).describe('R7 action performed by the OI.'),
    expect: expectOf('oi'),
    ticket: ticketRef,
    set: fieldValues.optional().describe('Field values of the action (passed to the OI).'),
    await: z.boolean().optional().describe('Wait for the push of this action (default true).'),
    timeoutMs,
  });
  const receiveStep = z.strictObject({
    ...common,
    receive: z
      .enum(r7 as [string, ...string[]])
      .describe('The next push of the ticket must be this R7 action.'),
    expect: expectOf('receive'),
    ticket: ticketRef,
    timeoutMs,
  });
  const pushStep = z.strictObject({
    ...common,
    push: z
      .enum(r7 as [string, ...string[]])
      .describe('(role oi) R7 action the harness pushes to the OC directly.'),
    expect: expectOf('push'),
    ticket: ticketRef,
    set: fieldValues.optional(),
    remove: z.array(field).optional(),
    credentials,
  });
  const rawStep = z.strictObject({
    ...common,
    raw: z.string().describe('Raw request body sent to the implementation under test.'),
    expect: expectOf('raw'),
    soapAction: z.string().optional(),
    contentType: nonEmpty.optional(),
  });
  const metaStep = z.strictObject({
    ...common,
    meta: z.enum(metaOps).describe('Meta operation (R8).'),
    expect: expectOf('meta'),
    credentials,
    eventType: z.string().optional(),
  });
  const waitStep = z.strictObject({
    id: common.id,
    title: common.title,
    wait: z.number().int().min(0).max(600_000).describe('Milliseconds.'),
  });
  const endpointStep = z.strictObject({
    id: common.id,
    title: common.title,
    endpoint: z
      .strictObject({
        fail: z.number().int().min(1).max(20).describe('Number of next pushes of the ticket to refuse.'),
        status: z
          .union([z.literal(500), z.literal(503)])
          .optional()
          .describe('HTTP status of the refusal (default 503).'),
      })
      .describe("(role oc) The harness OC endpoint refuses the ticket's next pushes."),
    ticket: ticketRef,
  });
  const steps = {
    oc: ocStep,
    oi: oiStep,
    receive: receiveStep,
    push: pushStep,
    raw: rawStep,
    meta: metaStep,
    wait: waitStep,
    endpoint: endpointStep,
  };

  const header = {
    id: z.string().regex(/^[A-Za-z0-9][\w.@|-]*$/, 'must be letters, digits, ".", "_", "-", "@" or "|"'),
    title: nonEmpty,
    description: z.string().optional(),
    tags: z
      .array(z.string().regex(/^[A-Za-z0-9][\w.-]*$/, 'must be letters, digits, ".", "_" or "-"'))
      .default([]),
    clauses: z.array(nonEmpty).min(1, 'must list at least one clause (e.g. "§7 T5")'),
    roles: z
      .array(z.enum(['oc', 'oi']))
      .min(1)
      .describe('Harness roles the scenario applies to: oc certifies an OI, oi certifies an OC.'),
    seed: z.number().int().optional().describe('Seed of the generated data (default: derived from the id).'),
    exclusive: z.boolean().optional().describe('Run alone, after the parallel scenarios (global settings).'),
    mandatory: z.boolean().optional().describe('Default of every step (default true).'),
    requires: z
      .array(z.enum(['control', 'other-oc', 'business-refusals']))
      .optional()
      .describe(
        'control: the OI is our mock with its control API; other-oc: a second OC account; business-refusals: the OI closes by itself (T6, ERR01/ERR04, §9) the creates its inventory refuses, and the harness knows that inventory (--inventory or --control-url).',
      ),
  };
  const step = z.union([ocStep, oiStep, receiveStep, pushStep, rawStep, metaStep, waitStep, endpointStep]);
  const scenario = z.strictObject({ ...header, steps: z.array(step).min(1) });
  const scenarioHeader = z.strictObject({
    ...header,
    steps: z.array(z.unknown()).min(1, 'must list at least one step'),
  });
  return { scenario, scenarioHeader, steps, expect };
}

type Schemas = ReturnType<typeof buildSchemas>;
export type ScenarioInput = z.input<Schemas['scenario']>;
export type Scenario = z.output<Schemas['scenario']> & {
  /** The file (relative path) or `generated:<profile>` it comes from. */
  file: string;
  /** Line of each step in the file, when loaded from YAML. */
  stepLines?: number[];
};
export type Step = Scenario['steps'][number];
export type Expect = z.output<Schemas['expect']>;
export type FieldValues = Partial<Record<string, string | number | boolean | null>>;
export type CredentialChoice = (typeof CREDENTIALS)[number];

export const stepKind = (step: Step): StepKind => STEP_KINDS.find((k) => k in step)!;

/** The JSON Schema for editors, as committed at scenarios/scenario.schema.json. */
export function scenarioJsonSchema(index: ProfileIndex): Record<string, unknown> {
  const { scenario } = scenarioSchemas(index);
  const generated = z.toJSONSchema(scenario, {
    target: 'draft-2020-12',
    io: 'input',
    reused: 'ref',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: `urn:sav-ftth-conformance:scenario:${index.profile.id}`,
    title: `SAV FTTH conformance scenario (${index.profile.title})`,
    ...rest,
  };
}
