import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runResultJsonSchema } from '../../src/reports/index.ts';
import { fullRun } from './full-run.ts';
import { largeRun, loadSample, SAMPLES } from './generate.ts';
import { expectGolden, UPDATE_GOLDEN } from './golden.ts';

const SCHEMA_URL = new URL('../../docs/run-result.schema.json', import.meta.url);
const generated = `${JSON.stringify(runResultJsonSchema(), null, 2)}\n`;
if (UPDATE_GOLDEN) expectGolden(SCHEMA_URL, generated);
const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
const validate = ajv.compile(schema);

type Node = { properties?: Record<string, Node>; items?: Node };

/** Every property path the schema declares, arrays written `[]`. */
function schemaPaths(node: Node, prefix = ''): string[] {
  if (node.items) return schemaPaths(node.items, `${prefix}[]`);
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...schemaPaths(child, p)];
  });
}

/** Every property path present in a value, arrays written `[]`. */
function valuePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuePaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...valuePaths(v, p)];
  });
}

describe('run.json schema', () => {
  it('is the schema generated from the zod mirror of result.ts (UPDATE_GOLDEN=1 regenerates it)', () => {
    // Compared as data: the checked-in file is formatted by biome like every other JSON file.
    expect(schema, 'run-result.schema.json is stale: UPDATE_GOLDEN=1 npx vitest run test/reports').toEqual(
      JSON.parse(generated),
    );
  });

  it('is versioned (1.2, still reading 1.0 and 1.1) and forbids unknown fields', () => {
    expect(schema.$id).toBe('urn:sav-ftth-conformance:run-result:1.2');
    expect((schema.properties as Record<string, { enum?: string[] }>).schemaVersion!.enum).toEqual([
      '1.0',
      '1.1',
      '1.2',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });

  it.each(SAMPLES)('validates the sample run %s', (name) => {
    const ok = validate(loadSample(name));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('validates a generated 1,000-check run', () => {
    expect(validate(largeRun(1000))).toBe(true);
  });

  it('accepts a run with every field of the TypeScript model populated', () => {
    const ok = validate(JSON.parse(JSON.stringify(fullRun)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares exactly the fields of the TypeScript model, no more, no fewer', () => {
    const declared = new Set(schemaPaths(schema as Node));
    const populated = new Set(valuePaths(fullRun));
    expect([...declared].filter((p) => !populated.has(p))).toEqual([]);
    expect([...populated].filter((p) => !declared.has(p))).toEqual([]);
  });

  it('rejects a run with a missing field, an unknown field, a wrong enum or a wrong version', () => {
    const clone = () => JSON.parse(JSON.stringify(fullRun));
    const missing = clone();
    delete missing.scenarios[0].steps[0].checks[0].basis;
    const extra = clone();
    extra.scenarios[0].steps[0].checks[0].colour = 'red';
    const badEnum = clone();
    badEnum.scenarios[0].steps[0].checks[0].verdict = 'maybe';
    const badVersion = clone();
    badVersion.schemaVersion = '0.9';
    const badDate = clone();
    badDate.startedAt = 'yesterday';
    for (const [bad, path] of [
      [missing, '/scenarios/0/steps/0/checks/0'],
      [extra, '/scenarios/0/steps/0/checks/0'],
      [badEnum, '/scenarios/0/steps/0/checks/0/verdict'],
      [badVersion, '/schemaVersion'],
      [badDate, '/startedAt'],
    ] as const) {
      expect(validate(bad)).toBe(false);
      expect(validate.errors!.map((e) => e.instancePath)).toContain(path);
    }
  });
});
