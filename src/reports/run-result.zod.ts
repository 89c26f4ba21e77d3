/**
 * A zod mirror of the RunResult model (src/scenario/result.ts). It validates a run.json read back
 * from disk (`sav-ftth report`), and the JSON Schema `run-result.schema.json` is generated from it.
 * The type assertion at the bottom breaks `tsc` as soon as the mirror and the model drift apart.
 */
import { z } from 'zod';
import { RUN_RESULT_VERSION, RUN_RESULT_VERSIONS, type RunResult } from '../scenario/result.ts';

const verdict = z.enum(['pass', 'fail', 'skip', 'error']);
const basis = z.enum(['spec', 'interop', 'decision']);
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

const evidence = z
  .strictObject({
    request: z.string().optional().describe('Raw XML as sent, Password elements redacted.'),
    response: z.string().optional().describe('Raw XML as received, Password elements redacted.'),
    httpStatus: z.number().int().optional().describe('HTTP status of the response, when there was one.'),
    durationMs: nonNegative.optional(),
    highlight: z
      .string()
      .optional()
      .describe('Local name of the element to highlight in the XML (the offending field).'),
    notes: z
      .array(z.string())
      .optional()
      .describe('Anything else worth keeping (a push received, a ticket read back).'),
  })
  .describe('What the check saw: the exchange and anything else worth keeping.');

const check = z.strictObject({
  id: z.string().describe('Unique within its step.'),
  title: z.string(),
  rule: z.string().describe('Rule id (profile rule, transition id, action id or a harness rule).'),
  clause: z.string().describe('Clause of the protocol model (e.g. "§7") or of the supplier spec.'),
  basis: basis.describe('Where the rule comes from: supplier spec, Interop schemas, or a project decision.'),
  mandatory: z
    .boolean()
    .describe('A failed mandatory check fails the run (the CI gate); others are reported only.'),
  severity: z.enum(['error', 'warning', 'info']).optional(),
  verdict,
  expected: z.string().optional(),
  actual: z.string().optional(),
  message: z.string(),
  evidence: evidence.optional(),
});

const step = z.strictObject({
  index: count.describe(
    'Position of the step in the scenario, 0-based (setup steps included); reports show it as step index + 1.',
  ),
  kind: z.string().describe('e.g. oc.create, oi.takeInCharge, get, raw, wait.'),
  title: z.string(),
  actor: z.enum(['OC', 'OI', 'harness']),
  transition: z.string().optional(),
  action: z.string().optional(),
  verdict,
  durationMs: nonNegative,
  checks: z.array(check),
});

const scenario = z.strictObject({
  id: z.string(),
  title: z.string(),
  file: z.string(),
  tags: z.array(z.string()),
  clauses: z.array(z.string()),
  verdict,
  durationMs: nonNegative,
  steps: z.array(step),
  error: z
    .string()
    .optional()
    .describe(
      'Why the scenario could not run to its end, if it could not. Never set on a skipped scenario since 1.2 (before, a skipped scenario carried "skipped: <reason>" here).',
    ),
  skipReason: z
    .string()
    .optional()
    .describe(
      'Why the scenario was not run (verdict skip, no steps), e.g. "needs business-refusals — …": neither a failure nor an incomplete run. Since 1.2.',
    ),
  bookkeeping: z
    .literal(true)
    .optional()
    .describe(
      'Not a scenario: checks the harness made outside every scenario (requests of the OC under test no step waited for). Not counted in totals.scenarios (since 1.1).',
    ),
});

const coverageItem = z.strictObject({
  id: z.string(),
  title: z.string(),
  exercised: z.boolean(),
  passed: z.boolean(),
  failed: z.boolean(),
});

const coverage = z.strictObject({
  transitions: z.array(coverageItem),
  actions: z.array(coverageItem),
  rules: z.array(coverageItem),
});

const totals = z.strictObject({
  scenarios: count.describe(
    'Scenarios of the run, skipped ones included; bookkeeping ones are not counted (their checks are).',
  ),
  scenariosPassed: count,
  scenariosSkipped: count
    .optional()
    .describe(
      'Scenarios not run (verdict skip), part of scenarios. Since 1.2 (before: count the scenarios whose verdict is skip).',
    ),
  checks: count,
  passed: count,
  failed: count,
  skipped: count,
  errors: count,
  mandatoryFailed: count,
});

export const runResultSchema = z
  .strictObject({
    schemaVersion: z
      .enum(RUN_RESULT_VERSIONS)
      .describe(
        `${RUN_RESULT_VERSION} is written; 1.1 (no skipReason, no not-assessed verdict) and 1.0 (no bookkeeping scenarios either) are still read.`,
      ),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    profile: z.strictObject({ id: z.string(), version: z.string() }),
    implementation: z
      .strictObject({
        name: z.string(),
        version: z.string().optional(),
        role: z
          .enum(['oc', 'oi'])
          .describe('The role the harness plays: oc certifies an OI, oi certifies an OC.'),
        endpoint: z.string(),
        kind: z.enum(['embedded', 'url']),
      })
      .describe('The implementation under test.'),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    scenarios: z.array(scenario),
    coverage,
    totals,
    verdict: z
      .enum(['pass', 'fail', 'not-assessed'])
      .describe(
        'fail: a mandatory check failed or a scenario could not run to its end; not-assessed (since 1.2): nothing failed, but no mandatory check was assessed (every selected scenario skipped); pass otherwise.',
      ),
  })
  .describe('The result of one SAV FTTH conformance run (sav-ftth-conformance).');

export const RUN_RESULT_SCHEMA_ID = `urn:sav-ftth-conformance:run-result:${RUN_RESULT_VERSION}`;

/** The JSON Schema of run.json, as checked in at `docs/run-result.schema.json`. */
export function runResultJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(runResultSchema, { target: 'draft-2020-12', io: 'output' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: RUN_RESULT_SCHEMA_ID,
    title: `SAV FTTH conformance run result ${RUN_RESULT_VERSION}`,
    ...rest,
  };
}

// Compile-time proof that the mirror and the model are the same type, field for field.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const mirrorMatchesModel: Same<z.output<typeof runResultSchema>, RunResult> = true;
void mirrorMatchesModel;
