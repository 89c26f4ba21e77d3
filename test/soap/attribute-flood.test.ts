/**
 * Many attributes on one element: the answer still blames the field (returnCode 2, §9), while the
 * schema errors handed to the rules stay bounded (the reader calls the flood one error instead of
 * letting the XSD validator report each attribute, and the validator caps what it returns).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import { SCHEMA_ERRORS_DETAILED, schemaValidator } from '../../src/schema/validator.ts';
import { ATTRIBUTES_MAX, readMessage } from '../../src/soap/read.ts';
import { call, createValue, cred, engine, index, OC1, writer } from '../mock-engine/helpers.ts';

const validator = schemaValidator(index.profile);
const p = index.profile.prefixes;
const CREATE = writer.createRequest(createValue({ technicalId: 'FI-3975-1108' }), cred(OC1));
const attrs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}="v"`).join(' ');
const onField = (field: string, n: number, xml = CREATE) =>
  xml.replace(`<${p.ftth}:${field}>`, `<${p.ftth}:${field} ${attrs(n)}>`);

const answerOf = (xml: string) => {
  const msg = readMessage(xml, index, { validator });
  const findings = checkMessage(msg, index).findings;
  return { msg, findings, answer: answerFor(findings, index) };
};

describe('an element flooded with attributes', () => {
  it('60000 attributes on technicalId: one schema error naming it, returnCode 2 blaming technicalId', () => {
    const { msg, findings, answer } = answerOf(onField('technicalId', 60_000));
    expect(msg.schemaErrors).toHaveLength(1);
    expect(msg.schemaErrors[0]!.element).toBe('technicalId');
    expect(msg.schemaErrors[0]!.message).toContain('60000 attributes');
    expect(findings.length).toBeLessThan(10);
    expect(answer).toMatchObject({ kind: 'returnCode', code: index.profile.returnCodes.invalid });
    expect(answer.kind === 'returnCode' && answer.label).toMatch(/^technicalId : /);
  });

  it('a few attributes on a field are still told by the XSD validator, attribute by attribute', () => {
    const { msg, answer } = answerOf(onField('technicalId', ATTRIBUTES_MAX));
    expect(msg.schemaErrors).toHaveLength(ATTRIBUTES_MAX);
    expect(msg.schemaErrors[0]!.message).toContain("attribute 'a0'");
    expect(answer.kind === 'returnCode' && answer.label).toMatch(/^technicalId : /);
  });

  it('a flood on an element of no field (troubleTicketValue) is a Client fault naming it', () => {
    const xml = CREATE.replace(`<${p.tt}:troubleTicketValue>`, `<${p.tt}:troubleTicketValue ${attrs(5000)}>`);
    const { msg, answer } = answerOf(xml);
    expect(msg.schemaErrors).toHaveLength(1);
    expect(answer).toMatchObject({ kind: 'fault', faultcode: 'Client' });
    expect(answer.kind === 'fault' && answer.faultstring).toContain('troubleTicketValue');
  });
});

describe('the schema errors returned are capped', () => {
  // Each field just under the flood limit: more errors than the cap, none of them a flood.
  const fields = index.profile.fields.filter((f) => f.group === 'ftth').map((f) => f.name);
  const many = fields.reduce((xml, f) => onField(f, ATTRIBUTES_MAX, xml), CREATE);

  it('the first errors in document order, the first about each further element, one summary', () => {
    const { msg, answer } = answerOf(many);
    const present = fields.filter((f) => many.includes(`<${p.ftth}:${f} `));
    expect(present.length * ATTRIBUTES_MAX).toBeGreaterThan(SCHEMA_ERRORS_DETAILED + ATTRIBUTES_MAX);
    const errors = msg.schemaErrors;
    expect(errors.length).toBeLessThanOrEqual(SCHEMA_ERRORS_DETAILED + present.length + 1);
    const summary = errors.at(-1)!;
    expect(summary.more).toBe(present.length * ATTRIBUTES_MAX - (errors.length - 1));
    expect(summary.message).toContain(`${summary.more} more schema errors`);
    // Every element is still named (the answer is the one the whole list gives).
    for (const f of present) expect(errors.some((e) => e.element === f)).toBe(true);
    expect(answer).toMatchObject({ kind: 'returnCode', code: index.profile.returnCodes.invalid });
    expect(answer.kind === 'returnCode' && answer.label).toMatch(new RegExp(`^${present[0]} : `));
  });
});

describe('on the mock', () => {
  const e = engine();
  afterAll(() => e.close());

  it('a create with 60000 attributes on technicalId is answered returnCode 2 naming technicalId', async () => {
    const x = await call(e, onField('technicalId', 60_000));
    expect(x.returnCode).toBe(index.profile.returnCodes.invalid);
    expect(x.returnLabel).toMatch(/^technicalId : /);
  });
});
