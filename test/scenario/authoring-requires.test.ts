/**
 * `credentials: other` needs `requires: [other-oc]` (refused at load, not found halfway through a
 * run); a scenario skipped in role oi for a capability role oi never has says so instead of naming
 * options that change nothing there; the README's example scenario runs as its text says.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { formatProblem, runCatalogue } from '../../src/scenario/index.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

const index = defaultIndex();
const problems = (text: string) => parseScenarioText(text, 'f.yaml', index).problems.map(formatProblem);
const head = (requires: string) =>
  `id: t.creds\ntitle: other OC\nclauses: ["§9"]\nroles: [oc]\n${requires}steps:\n  - oc: create\n`;

describe('credentials: other', () => {
  it('is refused at load without requires: [other-oc], naming the fix and the line', () => {
    const p = problems(`${head('')}    credentials: other\n`);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^f\.yaml:7:\d+: steps\[0\]\.credentials: credentials: other needs `requires: \[other-oc\]`/,
    );
  });

  it('is accepted with requires: [other-oc]', () => {
    expect(problems(`${head('requires: [other-oc]\n')}    credentials: other\n`)).toEqual([]);
  });

  it('is refused on a push step (it carries the OI credentials)', () => {
    const p = problems(
      'id: t.p\ntitle: p\nclauses: ["§9"]\nroles: [oi]\nrequires: [other-oc]\nsteps:\n  - oc: create\n  - push: information\n    credentials: other\n',
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('steps[1].credentials: credentials: other is a second OC account');
  });
});

describe('requires in role oi, and the README example', () => {
  it('runs the README example in both roles; other-oc skips in role oi without naming role oc options', async () => {
    const readme = readFileSync(path.join(import.meta.dirname, '../../scenarios/README.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-requires-'));
    writeFileSync(path.join(dir, 'example.yaml'), example);
    writeFileSync(
      path.join(dir, 'other.yaml'),
      'id: t.other\ntitle: needs other-oc\nclauses: ["§9"]\nroles: [oi]\nrequires: [other-oc]\nsteps:\n  - oc: create\n',
    );
    const runs = await runCatalogue({ roles: ['oc', 'oi'], paths: [dir], generated: false });
    for (const run of runs) {
      const ex = run.scenarios.find((s) => s.id === 'lifecycle.t3-t10-cancellation-agreed')!;
      expect(ex.verdict, run.implementation.role).toBe('pass');
    }
    const oi = runs.find((r) => r.implementation.role === 'oi')!;
    const other = oi.scenarios.find((s) => s.id === 't.other')!;
    expect(other.verdict).toBe('skip');
    expect(other.skipReason).toMatch(/^needs other-oc — .*role oc only/);
    expect(other.skipReason).not.toContain('--other-login');
  }, 60_000);
});
