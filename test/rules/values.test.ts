/** Field-level rules: SIREN key per setting, legacy states, open lists, nil, and what messages say. */
import { describe, expect, it } from 'vitest';
import { getProfile, indexProfile } from '../../src/profile/index.ts';
import { isDateTime, isDuration, isLong } from '../../src/rules/formats.ts';
import { luhnValid, rolesOf } from '../../src/rules/index.ts';
import { makeFinding } from '../../src/rules/text.ts';
import { checkValue } from '../../src/rules/values.ts';
import { example, index, judge, namesField } from './helpers.ts';

const create = index.activeActions.find((a) => a.operation === 'createTroubleTicketByValue')!;
const set = index.activeActions.find((a) => a.operation === 'setTroubleTicketByValue')!;
const sirenField = index.profile.fields.find((f) => f.siren && create.mandatory.includes(f.name))!;
const badKey = '380129867';

describe('SIREN key (strictSirenKey)', () => {
  it('the wrong key is a warning by default, and the message is accepted', () => {
    expect(luhnValid(badKey)).toBe(false);
    const { ticket, ctx } = example(create);
    const { answer, wire } = judge({ ...ticket, [sirenField.name]: badKey }, create.operation, ctx);
    expect(answer).toEqual({ kind: 'ok' });
    const f = wire.findings.find((x) => x.rule === 'SIREN.KEY')!;
    expect(f).toMatchObject({
      severity: 'warning',
      field: sirenField.name,
      value: badKey,
      basis: 'decision',
    });
  });

  it('the wrong key is an error giving returnCode 2 when strict', () => {
    const strict = indexProfile(getProfile(undefined, { strictSirenKey: true }));
    const { ticket, ctx } = example(create, {}, strict);
    const { answer } = judge({ ...ticket, [sirenField.name]: badKey }, create.operation, ctx, strict);
    expect(answer).toMatchObject({ kind: 'returnCode', code: strict.profile.returnCodes.invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, sirenField.name)).toBe(true);
  });
});

describe('value lists', () => {
  const stateField = rolesOf(index).state!;
  const legacy = index.list.get(stateField.list!)!.legacy![0]!;

  it('a legacy state is read (information) when legacyStatesReadable', () => {
    const [f] = checkValue(stateField, legacy, index);
    expect(f).toMatchObject({ rule: 'LIST.LEGACY', severity: 'info' });
  });

  it('a legacy state is an error when legacyStatesReadable is off', () => {
    const strict = indexProfile(getProfile(undefined, { legacyStatesReadable: false }));
    const [f] = checkValue(strict.field.get(stateField.name)!, legacy, strict);
    expect(f).toMatchObject({ rule: 'LIST.LEGACY', severity: 'error', basis: 'decision' });
  });

  it('a value outside an open list is a warning, the message is accepted', () => {
    const open = index.profile.fields.find(
      (f) => f.list && index.list.get(f.list)!.mode === 'open' && create.mandatory.includes(f.name),
    )!;
    const { ticket, ctx } = example(create);
    const { answer, wire } = judge({ ...ticket, [open.name]: 'FIBRE ARRACHEE' }, create.operation, ctx);
    expect(answer).toEqual({ kind: 'ok' });
    expect(wire.findings.find((f) => f.field === open.name)).toMatchObject({
      rule: 'LIST.OPEN',
      severity: 'warning',
    });
  });

  it('an integer list compares values, not spellings', () => {
    const intList = index.profile.fields.find((f) => f.type === 'integer' && f.list)!;
    const v = index.list.get(intList.list!)!.values[0]!;
    expect(checkValue(intList, `+0${v}`, index)).toEqual([]);
  });
});

describe('nil and blank values', () => {
  it('nil on a mandatory field that is not nillable gives returnCode 1 naming it', () => {
    const version = rolesOf(index).version!;
    expect(version.nillable).toBe(false);
    const { ticket, ctx } = example(set);
    const { answer } = judge({ ...ticket, [version.name]: null }, set.operation, ctx);
    expect(answer).toMatchObject({ kind: 'returnCode', code: index.profile.returnCodes.missing });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, version.name)).toBe(true);
  });

  it('a blank mandatory field is missing, reported once', () => {
    const { ticket, ctx } = example(create);
    const { direct } = judge({ ...ticket, [sirenField.name]: '' }, create.operation, ctx);
    expect(direct.findings.filter((f) => f.field === sirenField.name).map((f) => f.rule)).toEqual([
      'MANDATORY',
    ]);
  });
});

describe('finding messages', () => {
  it('name the field, the value, the rule and the clause, in French', () => {
    const [d] = checkValue(sirenField, '12', index, 7);
    const f = makeFinding(d!);
    expect(f.message.startsWith(`${sirenField.name} : `)).toBe(true);
    expect(f.message).toContain('« 12 »');
    expect(f.message).toContain(f.rule);
    expect(f.message).toContain(sirenField.clause);
    expect(f.message).toMatch(/caractères/);
    expect(f).toMatchObject({
      line: 7,
      demand: 'invalid',
      severity: 'error',
      field: sirenField.name,
      value: '12',
    });
  });
});

describe('XSD lexical types', () => {
  it.each([
    ['2024-03-05T10:15:00+01:00', true],
    ['2024-03-05T10:15:00.5Z', true],
    ['2024-02-29T00:00:00', true],
    ['2023-02-29T00:00:00', false],
    ['2024-03-05 10:15:00', false],
    ['2024-03-05', false],
    ['2024-03-05T10:15:00+15:00', false],
  ])('dateTime %s → %s', (v, ok) => expect(isDateTime(v)).toBe(ok));

  it.each([
    ['PT4H', true],
    ['P1DT2H30M', true],
    ['-P1Y', true],
    ['P', false],
    ['PT', false],
    ['P1DT', false],
    ['4H', false],
  ])('duration %s → %s', (v, ok) => expect(isDuration(v)).toBe(ok));

  it.each([
    ['9223372036854775807', true],
    ['9223372036854775808', false],
    ['-1', true],
    ['1.0', false],
  ])('long %s → %s', (v, ok) => expect(isLong(v)).toBe(ok));
});
