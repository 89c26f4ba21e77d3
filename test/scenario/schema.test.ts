import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultIndex } from '../../src/profile/index.ts';
import {
  DEFAULT_SCENARIO_DIR,
  loadScenarios,
  parseScenarioText,
  ScenarioLoadError,
  scenarioFiles,
} from '../../src/scenario/load.ts';
import { SCENARIO_SCHEMA_FILE, scenarioSchemaText } from '../../src/scenario/schema-file.ts';

const index = defaultIndex();

describe('scenario JSON Schema', () => {
  it('the committed scenarios/scenario.schema.json is the export of the zod schema (regenerate: npx tsx src/scenario/schema-file.ts)', () => {
    // Compared as JSON: the formatter may lay the committed file out differently.
    expect(JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(scenarioSchemaText()));
  });

  it('every shipped scenario file validates against it, as an editor would see it', () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')));
    const files = scenarioFiles([DEFAULT_SCENARIO_DIR]);
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const ok = validate(parse(readFileSync(f, 'utf8')));
      expect(ok, `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects in the JSON Schema what the loader rejects: an unknown step kind', () => {
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')));
    expect(
      validate({ id: 'x', title: 't', clauses: ['§7'], roles: ['oc'], steps: [{ delete: 'create' }] }),
    ).toBe(false);
  });
});

const problemsOf = (text: string) => parseScenarioText(text, 'bad.yaml', index).problems;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('loading scenario files', () => {
  const head = 'id: demo\ntitle: Démo\nclauses: ["§7"]\nroles: [oc]\nsteps:\n';

  it('loads a valid file with its steps and their lines', () => {
    const text = `${head}  - id: create\n    oc: create\n  - oc: get\n    expect:\n      state: QUEUED\n`;
    const { scenarios, problems } = parseScenarioText(text, 'ok.yaml', index);
    expect(problems).toEqual([]);
    expect(scenarios).toHaveLength(1);
    expect(scenarios[0]!.file).toBe('ok.yaml');
    expect(scenarios[0]!.stepLines).toEqual([6, 8]);
    expect(scenarios[0]!.tags).toEqual([]);
  });

  it('names the file, the line and the unknown key', () => {
    const text = `${head}  - oc: create\n  - oc: get\n    expekt:\n      state: QUEUED\n`;
    const [p, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ file: 'bad.yaml', line: lineOf(text, 'expekt'), where: 'steps[1].expekt' });
    expect(p!.message).toContain('unknown key "expekt"');
  });

  it('names an unknown action with the list of valid ones', () => {
    const text = `${head}  - oc: creat\n`;
    const [p] = problemsOf(text);
    expect(p).toMatchObject({ line: lineOf(text, 'creat'), where: 'steps[0].oc' });
    expect(p!.message).toMatch(/create/);
    expect(p!.message).toMatch(/cancellationRequest/);
  });

  it('names an unknown field in set, and a wrong state in expect', () => {
    const text = `${head}  - oc: create\n    set:\n      troubleDescriptio: x\n  - oc: get\n    expect:\n      state: OUVERT\n`;
    const problems = problemsOf(text);
    expect(problems.map((p) => p.where)).toEqual(['steps[0].set.troubleDescriptio', 'steps[1].expect.state']);
    expect(problems[0]!.line).toBe(lineOf(text, 'troubleDescriptio'));
    expect(problems[1]!.line).toBe(lineOf(text, 'OUVERT'));
    expect(problems[1]!.message).toContain('OPENACTIVE');
  });

  it('reports YAML syntax errors with their line', () => {
    const text = `${head}  - oc: create\n    set: {troubleDescription: [unclosed\n`;
    const [p] = problemsOf(text);
    expect(p!.message).toMatch(/^YAML: /);
    expect(p!.line).toBeGreaterThanOrEqual(lineOf(text, 'unclosed'));
  });

  it('reports a missing title and an empty clause list at the document', () => {
    const problems = problemsOf('id: demo\nclauses: []\nroles: [oc]\nsteps:\n  - oc: create\n');
    expect(problems.map((p) => p.where).sort()).toEqual(['clauses', 'title']);
  });

  it('checks the meaning: unknown rule, step with two kinds, reference to no create, push in role oc, no ticket yet', () => {
    const text = `${head}  - oc: get\n  - oc: create\n    rule: NO.SUCH.RULE\n  - oc: create\n    oi: takeInCharge\n  - oi: plan\n    ticket: nowhere\n  - push: information\n`;
    const problems = problemsOf(text);
    // A step that does two things is reported alone: the meaning of a malformed scenario is not judged.
    expect(problems.map((p) => `${p.line} ${p.where}: ${p.message}`)).toEqual([
      `${lineOf(text, '    oi: takeInCharge') - 1} steps[2]: holds oc and oi: one step does one thing`,
    ]);
    // The two-kinds step stops the semantic pass; once fixed, the others show.
    const fixed = text.replace('    oi: takeInCharge\n', '');
    const more = problemsOf(fixed).map((p) => `${p.where}: ${p.message}`);
    expect(more).toEqual(
      expect.arrayContaining([
        'steps[0].oc: acts on a ticket, but no create step comes before it',
        'steps[1].rule: unknown rule "NO.SUCH.RULE" (see src/scenario/rulebook.ts)',
        'steps[3].ticket: "nowhere" is not the id of an earlier create step',
        'steps[4].push: push steps (the harness pushes as the OI) need roles: [oi]',
      ]),
    );
  });

  it('loads several scenarios from one file (YAML documents) and refuses duplicate ids across files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scenarios-'));
    const doc = (id: string) => `id: ${id}\ntitle: T\nclauses: ["§7"]\nroles: [oc]\nsteps:\n  - oc: create\n`;
    writeFileSync(path.join(dir, 'a.yaml'), `${doc('one')}---\n${doc('two')}`);
    expect(loadScenarios([dir], index).map((s) => s.id)).toEqual(['one', 'two']);
    writeFileSync(path.join(dir, 'b.yml'), doc('two'));
    try {
      loadScenarios([dir], index);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioLoadError);
      expect((e as Error).message).toMatch(/b\.yml: id: scenario id "two" is already used in .*a\.yaml/);
    }
  });

  it('names a path that does not exist', () => {
    expect(() => loadScenarios(['/no/such/dir'], index)).toThrow(
      /\/no\/such\/dir: no such file or directory/,
    );
  });
});
