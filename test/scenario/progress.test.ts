import { describe, expect, it } from 'vitest';
import { plainProgress, ttyProgress } from '../../src/scenario/progress.ts';
import type { ScenarioResult } from '../../src/scenario/result.ts';

const scenario = (id: string, verdict: ScenarioResult['verdict']): ScenarioResult => ({
  id,
  title: id,
  file: 'f.yaml',
  tags: [],
  clauses: ['§7'],
  verdict,
  durationMs: 12.4,
  steps:
    verdict === 'fail'
      ? [
          {
            index: 0,
            kind: 'oc.create',
            title: 't',
            actor: 'OC',
            verdict: 'fail',
            durationMs: 1,
            checks: [
              {
                id: 'T1',
                title: 't',
                rule: 'T1',
                clause: '§7',
                basis: 'interop',
                mandatory: true,
                verdict: 'fail',
                message: 'expected returnCode 0, got returnCode 2',
              },
            ],
          },
        ]
      : [],
});

describe('run progress', () => {
  it('prints one plain line per scenario, with the first failed check', () => {
    const lines: string[] = [];
    const p = plainProgress((l) => lines.push(l));
    p.onStart!('oc', 2);
    p.onScenario!('oc', scenario('a', 'pass'), 1, 2);
    p.onScenario!('oc', scenario('b', 'fail'), 2, 2);
    expect(lines).toEqual([
      'role oc: 2 scenarios',
      'PASS  [oc] 1/2 a (12 ms)',
      'FAIL  [oc] 2/2 b (12 ms) — step 1 T1: expected returnCode 0, got returnCode 2',
    ]);
  });

  it('rewrites one line on a terminal and keeps failures above it', () => {
    let text = '';
    const stream = {
      columns: 80,
      write: (s: string) => {
        text += s;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const p = ttyProgress(stream);
    p.onStart!('oi', 2);
    p.onScenario!('oi', scenario('a', 'pass'), 1, 2);
    p.onScenario!('oi', scenario('b', 'fail'), 2, 2);
    p.done();
    const frames = text.split('\r\x1b[2K');
    expect(frames).toContain('[oi] 1/2  ✔ 1  ✘ 0  a');
    expect(frames).toContain('FAIL [oi] b — step 1 T1: expected returnCode 0, got returnCode 2\n');
    expect(frames).toContain('[oi] 2/2  ✔ 1  ✘ 1  b');
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });
});
