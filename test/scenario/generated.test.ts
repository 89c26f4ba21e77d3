import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { generatedScenarios } from '../../src/scenario/generated.ts';
import { validateScenario } from '../../src/scenario/load.ts';
import { illegalStates, rulebookOf } from '../../src/scenario/rulebook.ts';
import type { Step } from '../../src/scenario/schema.ts';

const index = defaultIndex();
const scenarios = generatedScenarios(index);
const last = (steps: Step[]) =>
  steps.at(-1)! as Step & {
    remove?: string[];
    set?: Record<string, unknown>;
    rule?: string;
    expect?: { returnCode?: string; field?: string | string[] };
  };

describe('scenarios generated from the profile', () => {
  it('are well-formed scenarios, with unique ids, tags and clauses', () => {
    const ids = new Set<string>();
    for (const s of scenarios) {
      const { file, ...data } = s;
      expect(file).toBe(`generated:${index.profile.id}`);
      const r = validateScenario(data, index);
      expect(r.issues, s.id).toEqual([]);
      expect(ids.has(s.id), s.id).toBe(false);
      ids.add(s.id);
      expect(s.tags).toContain('generated');
      expect(s.clauses.length).toBeGreaterThan(0);
    }
  });

  it('omit every mandatory field of every action once, expecting returnCode 1 naming it, in the role that sends the action', () => {
    for (const a of index.activeActions) {
      for (const f of a.mandatory) {
        const matching = scenarios.filter((s) => {
          const step = last(s.steps);
          return (
            step.rule === `MANDATORY:${a.id}:${f}` &&
            step.remove?.includes(f) &&
            step.expect?.returnCode === '1' &&
            step.expect.field === f
          );
        });
        expect(
          matching.map((s) => s.id),
          `${a.id} ${f}`,
        ).toEqual([`gen.${a.id}.mandatory.${f}`]);
        expect(matching[0]!.roles).toEqual([a.actor === 'OC' ? 'oc' : 'oi']);
        expect(a.actor === 'OC' ? 'oc' in last(matching[0]!.steps) : 'push' in last(matching[0]!.steps)).toBe(
          true,
        );
      }
    }
  });

  it('break every format and value list of every field an action carries, expecting returnCode 2 naming it', () => {
    const byRule = new Map<string, number>();
    for (const s of scenarios) {
      const step = last(s.steps);
      if (!/^(FORMAT|LIST|ALLOWED):/.test(step.rule ?? '')) continue;
      const [field] = Object.keys(step.set ?? {});
      expect(step.expect).toEqual({ returnCode: '2', field });
      byRule.set(step.rule!, (byRule.get(step.rule!) ?? 0) + 1);
    }
    const book = rulebookOf(index);
    const expected = [...book.rules.values()]
      .filter((r) => r.kind === 'format' || r.kind === 'list')
      .map((r) => r.id);
    expect([...byRule.keys()].sort()).toEqual(expected.sort());
    // interactionDate is carried by every action: one violation per action.
    expect(byRule.get('FORMAT:interactionDate')).toBe(index.activeActions.length);
  });

  it("attempt every action from every state it is not allowed in, except where the message is another action's", () => {
    const takeInCharge = index.action.get('oi.takeInCharge')!;
    // A take in charge on an OPENACTIVE ticket says what a planning (T7) says: not an illegal T5.
    expect(illegalStates(takeInCharge, index)).toEqual(['OPENACTIVE.TO.BE.CANCELED', 'CLOSED']);
    expect(illegalStates(index.action.get('oc.cancel')!, index)).toEqual([
      'OPENACTIVE',
      'OPENACTIVE.TO.BE.CANCELED',
      'CLOSED',
    ]);
    for (const a of index.activeActions.filter((a) => a.operation === 'setTroubleTicketByValue')) {
      for (const state of illegalStates(a, index)) {
        const s = scenarios.find((x) => x.id === `gen.${a.id}.illegal.${state}`);
        expect(s, `${a.id}@${state}`).toBeDefined();
        expect(last(s!.steps).expect).toEqual({
          returnCode: '2',
          field: index.settings.illegalTransitionField,
        });
        // The setup brings the ticket into that state along the happy path.
        expect('oc' in s!.steps[0]! && s!.steps[0].oc).toBe('create');
      }
    }
  });
});
