/**
 * What the automatic checks and the expectations accept from an OI: dateTimes compared as instants,
 * meta values judged as the profile's [decision] (advisory), dot-notation faultcodes, the closure
 * pair of a ticket read back CLOSED, and a returnLabel judged on its `champ :` prefix.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { EXAMPLE_KEY, exampleTicket } from '../../src/rules/examples.ts';
import { rolesOf } from '../../src/rules/index.ts';
import { checkExpectations, labelNames, type Observed, observedFrom } from '../../src/scenario/expect.ts';
import type { Exchange } from '../../src/scenario/http.ts';
import { CheckSink, judgeAnswer } from '../../src/scenario/judge.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import type { Expect } from '../../src/scenario/schema.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const roles = rolesOf(index);
const newSink = () => new CheckSink(rulebookOf(index), true);

function expectOn(e: Expect, o: Observed, rule = 'RULES') {
  const sink = newSink();
  checkExpectations(e, o, { sink, index, rule, ticketSource: 'le ticket relu' });
  return sink.checks;
}

function answer(response: string, operation: string, httpStatus = 200) {
  const sink = newSink();
  const x: Exchange = {
    url: 'http://oi.test/',
    request: '<request/>',
    response,
    contentType: 'text/xml; charset=utf-8',
    httpStatus,
    durationMs: 1,
  };
  const { answer: msg } = judgeAnswer(sink, x, index, {
    operation: index.operation.get(operation)!,
    who: 'OI',
  });
  return { checks: sink.checks, observed: observedFrom(msg, x) };
}

describe('fields: expectations on xsd:dateTime fields compare instants', () => {
  const field = index.profile.fields.find((f) => f.type === 'dateTime' && f.group === 'ftth')!.name;
  const want = '2030-02-01T14:00:00Z';
  const verdict = (got: string) =>
    expectOn({ fields: { [field]: want } }, { ticket: { [field]: got } }).map((c) => c.verdict);

  it.each([
    '2030-02-01T14:00:00Z',
    '2030-02-01T14:00:00.000Z',
    '2030-02-01T14:00:00+00:00',
    '2030-02-01T15:00:00+01:00',
    '2030-02-01T09:30:00-04:30',
    '2030-02-01T14:00:00.0000000Z',
  ])(`${field} %s is the instant ${want}`, (got) => {
    expect(verdict(got)).toEqual(['pass']);
  });

  it.each([
    '2030-02-01T14:00:00+01:00',
    '2030-02-01T14:00:00.001Z',
    '2030-02-01T14:00:00',
    '2030-02-01T14:00Z',
    'demain 14h',
  ])(`${field} %s is not the instant ${want}`, (got) => {
    const [check] = expectOn({ fields: { [field]: want } }, { ticket: { [field]: got } });
    expect(check).toMatchObject({ verdict: 'fail', expected: want, actual: got });
    expect(check!.message).toContain(field);
  });

  it('fields that are no dateTime are still compared as text', () => {
    const text = index.profile.fields.find((f) => f.type === 'string' && f.group === 'ftth')!.name;
    const [check] = expectOn(
      { fields: { [text]: want } },
      { ticket: { [text]: '2030-02-01T14:00:00.000Z' } },
    );
    expect(check!.verdict).toBe('fail');
  });
});

describe('meta answers: the values are the profile decision, the shape is mandatory', () => {
  const op = index.profile.operations.find((o) => o.meta && o.meta.responseChild === 'strings')!;
  const run = (values: string[]) => {
    const { checks, observed } = answer(writer.metaResponse(op.name, values), op.name);
    const valueChecks = expectOn({ values: op.meta!.values }, observed, `META:${op.name}`);
    return { checks, value: valueChecks[0]! };
  };

  it('the profile values pass', () => {
    expect(run(op.meta!.values).value).toMatchObject({ verdict: 'pass', basis: 'decision' });
  });

  it('other values are an advisory [decision] failure naming the unexpected and missing values', () => {
    const { checks, value } = run(['getTroubleTicketsByTemplate']);
    expect(value).toMatchObject({ verdict: 'fail', mandatory: false, basis: 'decision', clause: '§3' });
    expect(value.message).toContain('unexpected "getTroubleTicketsByTemplate"');
    // The answer is still a well-formed array of co:item strings: every mandatory check passes.
    expect(checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    const withValues = index.profile.operations.find((o) => o.meta && o.meta.values.length > 1)!;
    const missing = answer(writer.metaResponse(withValues.name, ['x']), withValues.name).observed;
    const [c] = expectOn({ values: withValues.meta!.values }, missing, `META:${withValues.name}`);
    expect(c!.message).toMatch(/unexpected "x"; missing "/);
    expect(c!.mandatory).toBe(false);
    const twice = answer(writer.metaResponse(op.name, [...op.meta!.values, 'y', 'y']), op.name).observed;
    expect(expectOn({ values: [...op.meta!.values, 'y'] }, twice, `META:${op.name}`)[0]!.message).toContain(
      'repeated "y"',
    );
  });

  it('an answer that is no array of co:item strings still fails a mandatory check', () => {
    const broken = writer
      .metaResponse(op.name, ['a'])
      .replace(/<(\w+):item>a<\/\1:item>/, (_m, p) => `<${p}:item><${p}:item>a</${p}:item></${p}:item>`);
    const { checks } = answer(broken, op.name);
    expect(checks.filter((c) => c.verdict === 'fail' && c.mandatory).map((c) => c.rule)).toContain(
      'SOAP.SCHEMA',
    );
  });

  it('the rulebook says the meta values rule rests on a decision', () => {
    expect(rulebookOf(index).get(`META:${op.name}`)).toMatchObject({ basis: 'decision', clause: '§3' });
  });
});

describe('faultcode refined with dots (SOAP 1.1 §4.4.1)', () => {
  const fault = (code: string) =>
    writer.fault({
      faultcode: code,
      faultstring: 'authentication failed',
      exception: 'createTroubleTicketByValueException',
      choice: 'ossIllegalArgumentException',
    });

  it('soapenv:Client.Authentication is a well-formed fault, with a warning (WS-I BP 1.1 R1031)', () => {
    const { checks, observed } = answer(
      fault('soapenv:Client.Authentication'),
      'createTroubleTicketByValue',
      500,
    );
    const soapFault = checks.find((c) => c.rule === 'SOAP.FAULT')!;
    expect(soapFault.verdict).toBe('pass');
    expect(soapFault.message).toMatch(/warning: .*Client\.Authentication.*R1031/);
    expect(checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    expect(expectOn({ fault: 'Client' }, observed).map((c) => c.verdict)).toEqual(['pass']);
    expect(expectOn({ fault: 'Server' }, observed).map((c) => c.verdict)).toEqual(['fail']);
  });

  it('a refinement of no SOAP 1.1 code still fails', () => {
    const { checks } = answer(fault('soapenv:Sender.Authentication'), 'createTroubleTicketByValue', 500);
    const soapFault = checks.find((c) => c.rule === 'SOAP.FAULT')!;
    expect(soapFault.verdict).toBe('fail');
    expect(soapFault.message).toContain('Sender.Authentication');
  });
});

describe('a ticket read back in state CLOSED carries its closure code and label', () => {
  const state = roles.state!.name;
  const code = roles.closureCode!.name;
  const label = roles.closureLabel!.name;
  const closed: TicketValue = {
    ...exampleTicket('oc.create', index),
    ...exampleTicket('oi.resolution', index),
    troubleTicketKey: EXAMPLE_KEY,
  };
  const read = (ticket: TicketValue) =>
    answer(
      writer.getResponse(
        { troubleTicketKey: EXAMPLE_KEY, returnCode: index.profile.returnCodes.success },
        ticket,
      ),
      'getTroubleTicketByKey',
    ).checks.filter((c) => c.rule === 'CLOSURE_PAIR');

  it('the pair passes', () => {
    expect(closed[state]).toBe('CLOSED');
    expect(read(closed).map((c) => c.verdict)).toEqual(['pass']);
  });

  it.each([
    ['without the label', label],
    ['without the code', code],
  ])('%s fails, naming the missing field', (_what, missing) => {
    const { [missing]: _gone, ...rest } = closed;
    const [check] = read(rest);
    expect(check).toMatchObject({ verdict: 'fail', mandatory: true, basis: 'interop' });
    expect(check!.message).toContain(`lacks ${missing}`);
    expect(check!.evidence?.highlight).toBe(missing);
  });

  it('a ticket that is not closed is not concerned', () => {
    const { [code]: _c, [label]: _l, ...open } = { ...closed, [state]: 'OPENACTIVE' };
    expect(read(open)).toEqual([]);
  });
});

describe('returnLabel naming a field: a `champ : explication` label is judged on its prefix', () => {
  it('a neighbour field in the prefix does not name the field quoted in the explanation', () => {
    const label = 'troubleDescription : valeur hors de la liste description (CASE CREATE REQUEST, …)';
    expect(labelNames(label, 'description', index)).toBe(false);
    expect(labelNames(label, 'troubleDescription', index)).toBe(true);
    expect(
      expectOn({ field: 'description' }, { returnCode: '2', returnLabel: label }).map((c) => c.verdict),
    ).toEqual(['fail']);
  });

  it('a label without the separator is still searched whole', () => {
    expect(labelNames('Le champ description est obligatoire', 'description', index)).toBe(true);
    expect(labelNames('Le champ description : obligatoire', 'description', index)).toBe(true);
    expect(labelNames('description : obligatoire', 'description', index)).toBe(true);
    expect(labelNames('interactionDateComplete : format', 'interactionDate', index)).toBe(false);
  });
});
