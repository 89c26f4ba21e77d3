/**
 * Role oi judges a pushed action like role oc does: a `receive`/`oi` step checks WHICH action the
 * mock pushed (a wrong one fails the step and is not credited to the awaited transition), and
 * `expect.action` / `expect.attempts` see what was pushed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCatalogue } from '../../src/scenario/index.ts';
import type { RunResult, ScenarioResult } from '../../src/scenario/result.ts';

const SCENARIOS: Record<string, string> = {
  'receive-wrong.yaml': `id: t.receive-wrong
title: receive names the wrong action
clauses: ["§1"]
roles: [oc, oi]
steps:
  - oc: create
  - oi: takeInCharge
    await: false
  - receive: plan
    timeoutMs: 1500
`,
  'action-ok.yaml': `id: t.action-ok
title: expect.action and attempts on an OI step
clauses: ["§7 T5"]
roles: [oc, oi]
steps:
  - oc: create
  - id: taken
    oi: takeInCharge
    expect: { action: oi.takeInCharge, attempts: 1 }
`,
  'action-wrong.yaml': `id: t.action-wrong
title: expect.action naming another action fails
clauses: ["§7 T5"]
roles: [oi]
steps:
  - oc: create
  - oi: takeInCharge
    expect: { action: oi.plan }
`,
};

let runs: RunResult[];
const scenario = (role: string, id: string): ScenarioResult =>
  runs.find((r) => r.implementation.role === role)!.scenarios.find((s) => s.id === id)!;
const failed = (s: ScenarioResult) =>
  s.steps.flatMap((st) => st.checks.filter((c) => c.verdict !== 'pass').map((c) => c.message));

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sav-receive-oi-'));
  for (const [name, text] of Object.entries(SCENARIOS)) writeFileSync(path.join(dir, name), text);
  runs = await runCatalogue({ roles: ['oc', 'oi'], paths: [dir], generated: false });
}, 60_000);

describe('role oi: the pushed action is checked', () => {
  it('a receive step awaiting another action fails in role oi as in role oc', () => {
    for (const role of ['oc', 'oi']) {
      const s = scenario(role, 't.receive-wrong');
      expect(s.verdict, role).toBe('fail');
      const last = s.steps.at(-1)!;
      expect(last.verdict, role).toBe('fail');
      expect(failed(s), role).toContain('expected oi.plan, the push is oi.takeInCharge');
    }
  });

  it('expect.action and expect.attempts pass in role oi when they match the push', () => {
    const s = scenario('oi', 't.action-ok');
    expect(failed(s)).toEqual([]);
    expect(s.verdict).toBe('pass');
  });

  it('expect.action naming another action fails, naming what was pushed', () => {
    const s = scenario('oi', 't.action-wrong');
    expect(s.verdict).toBe('fail');
    expect(JSON.stringify(s.steps.at(-1)!.checks)).toContain('oi.takeInCharge');
  });
});
