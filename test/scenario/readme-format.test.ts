/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario variables are written ${…} in plain strings */
/**
 * scenarios/README.md says exactly which keys each step kind takes: its table is checked against
 * the format the loader enforces (src/scenario/schema.ts), both ways.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { STEP_KINDS, scenarioSchemas } from '../../src/scenario/schema.ts';

const readme = readFileSync(path.join(import.meta.dirname, '../../scenarios/README.md'), 'utf8');

/** key → kinds, from the README's "Step keys, by kind" table. */
function documented(): Map<string, Set<string>> {
  const table = readme.slice(readme.indexOf('Step keys, by kind')).split('\n\n')[1]!;
  const ticks = (cell: string) =>
    [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(':')[0]!.trim());
  const out = new Map<string, Set<string>>();
  for (const row of table.split('\n').slice(2)) {
    const [, keys, on] = row.split('|').map((c) => c.trim());
    const kinds = on!.startsWith('every step')
      ? STEP_KINDS.filter((k) => !ticks(on!).includes(k))
      : ticks(on!);
    for (const key of ticks(keys!)) out.set(key, new Set([...(out.get(key) ?? []), ...kinds]));
  }
  return out;
}

describe('scenarios/README.md step keys', () => {
  it('lists, for every step kind, exactly the keys the loader accepts', () => {
    const { steps } = scenarioSchemas(defaultIndex());
    const doc = documented();
    for (const kind of STEP_KINDS) {
      const accepted = Object.keys(steps[kind].shape)
        .filter((k) => k !== kind)
        .sort();
      const listed = [...doc]
        .filter(([, kinds]) => kinds.has(kind))
        .map(([k]) => k)
        .sort();
      expect(listed, kind).toEqual(accepted);
    }
  });

  it('lists the ${steps.<id>.…} items a step records', () => {
    const items = readme.slice(readme.indexOf('`${steps.<id>.<item>}`'), readme.indexOf('`${data.'));
    for (const item of [
      'troubleTicketKey',
      'returnCode',
      'returnLabel',
      'httpStatus',
      'faultcode',
      'faultstring',
    ])
      expect(items).toContain(`\`${item}\``);
  });
});
