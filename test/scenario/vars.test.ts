/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario variables are written ${…} in plain strings */
import { describe, expect, it } from 'vitest';
import { interpolate, interpolateDeep, VariableError } from '../../src/scenario/vars.ts';

const scope = {
  ticket: { key: 'TT-000042', version: 3 },
  steps: { create: { troubleTicketKey: 'TT-000042', returnCode: '0' } },
  settings: { staleVersionField: 'lastUpdateVersionNumber' },
};

describe('scenario variables', () => {
  it('replaces ${path} inside text and keeps the type of a whole-string variable', () => {
    expect(interpolate('clé ${ticket.key} v${ticket.version}', scope)).toBe('clé TT-000042 v3');
    expect(interpolate('${ticket.version}', scope)).toBe(3);
    expect(interpolate('${steps.create.troubleTicketKey}', scope)).toBe('TT-000042');
  });

  it('keeps $${ as a literal ${', () => {
    expect(interpolate('prix $${ticket.key}', scope)).toBe('prix ${ticket.key}');
  });

  it('walks objects and arrays', () => {
    expect(
      interpolateDeep({ a: ['${settings.staleVersionField}', 1], b: { c: '${ticket.key}' } }, scope),
    ).toEqual({
      a: ['lastUpdateVersionNumber', 1],
      b: { c: 'TT-000042' },
    });
  });

  it('names an unknown variable and what is known at that level', () => {
    expect(() => interpolate('${steps.get.returnCode}', scope)).toThrow(VariableError);
    expect(() => interpolate('${steps.get.returnCode}', scope)).toThrow(
      'unknown variable ${steps.get.returnCode}: steps has no "get" (known: create)',
    );
    expect(() => interpolate('${nothing}', scope)).toThrow(/\(scope\) has no "nothing"/);
  });
});
