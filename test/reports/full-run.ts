/**
 * A run with EVERY field of the RunResult model populated. Typed as DeepRequired<RunResult>, so
 * `tsc` fails when result.ts gains a field this fixture lacks, and (object literal checks) when the
 * fixture has a field the model lacks. The schema test then proves the JSON Schema accepts every
 * field and declares no other.
 */
import type { RunResult } from '../../src/scenario/result.ts';

type DeepRequired<T> = T extends (infer U)[]
  ? DeepRequired<U>[]
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;

export const fullRun: DeepRequired<RunResult> = {
  schemaVersion: '1.2',
  tool: { name: 'sav-ftth-conformance', version: '0.1.0' },
  profile: { id: 'sav-ftth-2.1', version: '2.1' },
  implementation: {
    name: 'Full OI',
    version: '1.2.3',
    role: 'oc',
    endpoint: 'http://127.0.0.1:8080/sav',
    kind: 'url',
  },
  startedAt: '2025-01-02T03:04:05.678Z',
  finishedAt: '2025-01-02T03:04:07.000+01:00',
  scenarios: [
    {
      id: 'full.one',
      title: 'Every field',
      file: 'scenarios/full.yaml',
      tags: ['full'],
      clauses: ['§7'],
      verdict: 'fail',
      durationMs: 12.5,
      error: 'stopped after step 1',
      skipReason: 'needs business-refusals',
      bookkeeping: true,
      steps: [
        {
          index: 1,
          kind: 'oc.create',
          title: 'Création',
          actor: 'OC',
          transition: 'T1',
          action: 'oc.create',
          verdict: 'fail',
          durationMs: 12.5,
          checks: [
            {
              id: 'c1',
              title: 'returnCode 1',
              rule: 'MANDATORY',
              clause: '§9',
              basis: 'spec',
              mandatory: true,
              severity: 'error',
              verdict: 'fail',
              expected: '1',
              actual: '0',
              message: 'returnCode : 1 attendu',
              evidence: {
                request: '<a/>',
                response: '<b/>',
                httpStatus: 200,
                durationMs: 3,
                highlight: 'returnCode',
                notes: ['note'],
              },
            },
          ],
        },
      ],
    },
  ],
  coverage: {
    transitions: [{ id: 'T1', title: 'Création du ticket', exercised: true, passed: false, failed: true }],
    actions: [
      { id: 'oc.create', title: 'Création de signalisation', exercised: true, passed: false, failed: true },
    ],
    rules: [{ id: 'MANDATORY', title: 'returnCode 1', exercised: true, passed: false, failed: true }],
  },
  totals: {
    scenarios: 1,
    scenariosPassed: 0,
    scenariosSkipped: 0,
    checks: 1,
    passed: 0,
    failed: 1,
    skipped: 0,
    errors: 0,
    mandatoryFailed: 1,
  },
  verdict: 'fail',
};
