/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario variables are written ${…} in plain strings */
/**
 * Authoring mistakes a run could only report as failures of the implementation under test are file
 * errors found at load (exit 2, before any request): an expectation the step kind never observes,
 * an answer expectation on an OI step in role oc, a field an `oi` step sets that its R7 action does
 * not list (§8).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { formatProblem } from '../../src/scenario/index.ts';
import { DEFAULT_SCENARIO_DIR, loadScenarios, parseScenarioText } from '../../src/scenario/load.ts';
import { EXPECT_KEYS_BY_KIND } from '../../src/scenario/schema.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const head = (roles: string) => `id: t.kind\ntitle: kinds\nclauses: ["§7 T5"]\nroles: [${roles}]\nsteps:\n`;
const problems = (steps: string, roles = 'oc') =>
  parseScenarioText(head(roles) + steps, 'f.yaml', index).problems.map(formatProblem);

const run = async (text: string, role: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sav-kind-'));
  const file = path.join(dir, 's.yaml');
  writeFileSync(file, text);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(
    [file, '--role', role, '--no-report'],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { tty: false },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('expectations the step kind cannot meet are refused at load', () => {
  it('attempts or action on oc: get, state on meta, attempts on raw: file:line, key, value, what the kind expects', () => {
    const p = problems(
      '  - oc: create\n' +
        '  - oc: get\n    expect: { attempts: 1 }\n' +
        '  - oc: get\n    expect: { action: oc.create }\n' +
        '  - meta: getEventTypes\n    expect: { state: QUEUED }\n' +
        '  - raw: "x"\n    expect: { fault: Client, attempts: 2 }\n',
    );
    expect(p).toHaveLength(4);
    expect(p[0]).toMatch(/^f\.yaml:8:\d+: steps\[1\]\.expect\.attempts: expectation "attempts" \(given: 1\)/);
    expect(p[0]).toContain('does not apply to `oc: get` steps');
    expect(p[0]).toContain('`oc: get` steps expect: returnCode, field, label, fault, httpStatus, key, state');
    expect(p[0]).toContain('"attempts" is for oi, receive steps');
    expect(p[1]).toMatch(/^f\.yaml:10:\d+: steps\[2\]\.expect\.action: .*\(given: "oc\.create"\)/);
    expect(p[2]).toMatch(
      /^f\.yaml:12:\d+: steps\[3\]\.expect\.state: .*`meta` steps expect: fault, httpStatus, values/,
    );
    expect(p[3]).toMatch(/^f\.yaml:14:\d+: steps\[4\]\.expect\.attempts: .*`raw` steps/);
  });

  it('values on an OC action or a push step, action on a push step', () => {
    const oc = problems('  - oc: create\n    expect: { values: [a] }\n');
    expect(oc).toHaveLength(1);
    expect(oc[0]).toContain('"values" is for raw, meta steps');
    const push = problems(
      '  - oc: create\n  - push: takeInCharge\n    expect: { action: oi.takeInCharge, state: OPENACTIVE }\n',
      'oi',
    );
    expect(push).toHaveLength(2);
    expect(push.join('\n')).toContain(
      '`push` steps expect: returnCode, field, label, fault, httpStatus, key',
    );
  });

  it('returnCode (the OC answer to a push) on an oi or receive step needs roles: [oi]', () => {
    const steps =
      '  - oc: create\n  - oi: takeInCharge\n    await: false\n  - receive: takeInCharge\n    expect: { returnCode: 0, state: OPENACTIVE }\n';
    const p = problems(steps, 'oc, oi');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^f\.yaml:10:\d+: steps\[2\]\.expect\.returnCode: .*role oi only/);
    expect(problems(steps, 'oi')).toEqual([]);
  });

  it('accepts what each kind observes', () => {
    const p = problems(
      '  - oc: create\n    expect: { returnCode: 0, state: QUEUED, present: [troubleTicketKey] }\n' +
        '  - oc: get\n    expect: { key: "${ticket.key}", version: 1, fields: { description: null } }\n' +
        '  - oi: takeInCharge\n    expect: { action: oi.takeInCharge, attempts: 1, state: OPENACTIVE }\n' +
        '  - meta: getEventTypes\n    expect: { values: [a], httpStatus: 200 }\n' +
        '  - raw: "x"\n    expect: { fault: Client, values: [a], state: QUEUED }\n',
    );
    expect(p).toEqual([]);
  });

  it('sav-ftth run exits 2 on such a file, before any request', async () => {
    const r = await run(`${head('oc')}  - oc: create\n  - oc: get\n    expect: { attempts: 1 }\n`, 'oc');
    expect(r.code).toBe(2);
    expect(r.err).toContain('expectation "attempts" (given: 1) does not apply to `oc: get` steps');
    expect(r.err).not.toContain('PASS');
  });

  it('values on a raw meta request is judged on the items of the answer', async () => {
    const op = index.operation.get('getEventTypes')!;
    const xml = new MessageWriter(index).metaRequest(op.name, {
      login: '${config.login}',
      password: '${config.password}',
    });
    const step = (values: string[]) =>
      `  - raw: ${JSON.stringify(xml)}\n    soapAction: ${op.name}\n    expect: { values: ${JSON.stringify(values)} }\n`;
    const r = await run(`${head('oc')}${step(op.meta!.values)}${step(['zz'])}`, 'oc');
    expect(r.code).toBe(0);
    // The profile's values pass; a wrong one is named as missing from the answer (advisory: [decision]).
    expect(r.out).toMatch(/checks \d+ passed, 1 failed/);
    expect(r.err).toContain('the meta answer differs from the profile values (missing "zz")');
    expect(r.err).not.toContain('no meta answer');
  });
});

describe('an oi step sets only fields its R7 action lists (§8)', () => {
  it('refuses an unlisted field, naming the action, the field, the value and the listed fields', () => {
    const p = problems(
      '  - oc: create\n  - oi: takeInCharge\n    set: { customerLastName: "Martin" }\n',
      'oc, oi',
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^f\.yaml:8:\d+: steps\[1\]\.set\.customerLastName: set on oi\.takeInCharge: customerLastName: "Martin"/,
    );
    expect(p[0]).toContain('not of oi.takeInCharge');
    expect(p[0]).toContain(
      'the fields oi.takeInCharge lists that a scenario may set (§8): supplierName, supplierResolutionState, supplierUnit, supplierPhoneNumber, supplierResolutionAction',
    );
  });

  it('refuses a field the OI owns (the version), accepts listed ones, variables included', () => {
    const bad = problems('  - oc: create\n  - oi: takeInCharge\n    set: { lastUpdateVersionNumber: 3 }\n');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain('the OI increments it');
    const ok = problems(
      '  - oc: create\n  - oi: takeInCharge\n    set: { supplierName: "${data.technicalId}", supplierPhoneNumber: "0102030405" }\n',
    );
    expect(ok).toEqual([]);
  });

  it('leaves push and oc steps free to send a wrong field on purpose', () => {
    expect(
      problems('  - oc: create\n  - push: takeInCharge\n    set: { customerLastName: "Martin" }\n', 'oi'),
    ).toEqual([]);
    expect(
      problems(
        '  - oc: create\n  - oc: information\n    set: { supplierName: "X" }\n    expect: { returnCode: 2 }\n',
      ),
    ).toEqual([]);
  });

  it('sav-ftth run exits 2 on such a file, and the shipped catalogue still loads', async () => {
    const r = await run(
      `${head('oc, oi')}  - oc: create\n  - oi: takeInCharge\n    set: { customerLastName: "Martin" }\n`,
      'oc',
    );
    expect(r.code).toBe(2);
    expect(r.err).toContain('set on oi.takeInCharge: customerLastName');
    expect(loadScenarios([DEFAULT_SCENARIO_DIR], index).length).toBeGreaterThan(0);
  });
});

describe('scenarios/README.md', () => {
  it('its expect-by-kind table lists what the tool accepts for each kind', () => {
    const readme = readFileSync(path.join(DEFAULT_SCENARIO_DIR, 'README.md'), 'utf8');
    const rows = readme
      .split('\n')
      .filter((l) => l.startsWith('| `') && l.split('|').length === 5)
      .map((l) => l.split('|').map((c) => c.trim()));
    const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const seen = new Set<string>();
    for (const [, kinds, , keys] of rows) {
      for (const kind of ticks(kinds!).filter((k) => k in EXPECT_KEYS_BY_KIND)) {
        seen.add(kind);
        expect(new Set(ticks(keys!)), kind).toEqual(
          new Set(EXPECT_KEYS_BY_KIND[kind as keyof typeof EXPECT_KEYS_BY_KIND]),
        );
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(EXPECT_KEYS_BY_KIND).sort());
  });
});
