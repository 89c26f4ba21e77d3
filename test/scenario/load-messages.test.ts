/**
 * A load error tells the author how to fix it: an unknown key comes with the nearest allowed key
 * and the list of allowed ones, a refused value with the value given.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { formatProblem } from '../../src/scenario/index.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

const index = defaultIndex();
const problems = (text: string) => parseScenarioText(text, 'f.yaml', index).problems.map(formatProblem);
const head = 'id: t.m\ntitle: m\nclauses: ["§7 T1"]\nroles: [oc]\nsteps:\n';

describe('load messages', () => {
  it('suggests the closest key of a step and lists the allowed ones', () => {
    const [p, ...rest] = problems(`${head}  - oc: create\n    expcet: { state: QUEUED }\n`);
    expect(rest).toEqual([]);
    expect(p).toContain('steps[0].expcet: unknown key "expcet" (did you mean "expect"? allowed: ');
    expect(p).toMatch(/allowed: [^)]*\bcredentials\b[^)]*\)/);
  });

  it('lists the allowed keys of a nested object and of the header, without a wild guess', () => {
    const p = problems(
      'id: t.m\ntitle: m\nclauses: ["§7 T1"]\nroles: [oc]\nzzzzzz: 1\nsteps:\n  - oc: create\n    expect: { stat: QUEUED }\n',
    );
    expect(p.find((x) => x.includes('"zzzzzz"'))).toMatch(
      /unknown key "zzzzzz" \(allowed: id, title, .*requires/,
    );
    expect(p.find((x) => x.includes('"stat"'))).toContain('did you mean "state"?');
  });

  it('names the value given when it is not among the allowed ones', () => {
    const p = problems(`${head}  - oc: create\n    credentials: admin\n  - wait: "100"\n`);
    expect(p[0]).toContain('steps[0].credentials: must be one of');
    expect(p[0]).toContain('(given: "admin")');
    expect(p[1]).toContain('steps[1].wait:');
    expect(p[1]).toContain('(given: "100")');
  });
});
