/** The read request (R9), responses (spec 4.1, §9) and faults (§3). */
import { describe, expect, it } from 'vitest';
import { EXAMPLE_KEY, EXAMPLE_SIRENS, exampleTicket } from '../../src/rules/examples.ts';
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import type { GetRequest } from '../../src/soap/model.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { decode, errorsOf, index, namesField } from './helpers.ts';

const w = new MessageWriter(index);
const codes = index.profile.returnCodes;
const R9 = index.profile.getRequest;
const [oc, oi] = EXAMPLE_SIRENS;
const sirens = index.profile.fields.filter((f) => f.siren).map((f) => f.name);

function validGet(): GetRequest {
  const get: GetRequest = { troubleTicketKey: EXAMPLE_KEY };
  for (const f of R9.mandatory) (get as Record<string, string>)[f] = f === sirens[0] ? oc : oi;
  return get;
}
const judgeGet = (get: GetRequest) => {
  const outcome = checkMessage(decode(w.getRequest(get)), index);
  return { outcome, answer: answerFor(outcome.findings, index) };
};
const judgeXml = (xml: string) => checkMessage(decode(xml), index).findings;

describe('get request (R9)', () => {
  it('a valid request is accepted', () => {
    expect(judgeGet(validGet()).answer).toEqual({ kind: 'ok' });
  });

  it.each(R9.mandatory)('without %s: returnCode 1 naming it', (field) => {
    const { [field as keyof GetRequest]: _d, ...rest } = validGet();
    const { answer } = judgeGet(rest);
    expect(answer).toMatchObject({ kind: 'returnCode', code: codes.missing });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
  });

  it.each(R9.oneOf.map((g) => [g.join('|'), g] as const))(
    'without any of %s: returnCode 1 naming the first',
    (_n, group) => {
      const get = Object.fromEntries(Object.entries(validGet()).filter(([k]) => !group.includes(k)));
      const { answer } = judgeGet(get);
      expect(answer).toMatchObject({ kind: 'returnCode', code: codes.missing });
      if (answer.kind === 'returnCode') expect(namesField(answer.label, group[0]!)).toBe(true);
    },
  );

  it.each(R9.mandatory)('a malformed %s: returnCode 2 naming it', (field) => {
    const { answer } = judgeGet({ ...validGet(), [field]: '12' });
    expect(answer).toMatchObject({ kind: 'returnCode', code: codes.invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, field)).toBe(true);
  });

  it('attrNames naming no field is a warning', () => {
    const { outcome, answer } = judgeGet({ ...validGet(), attrNames: ['nimporteQuoi'] });
    expect(answer).toEqual({ kind: 'ok' });
    expect(outcome.findings.find((f) => f.rule === 'GET.ATTR')).toMatchObject({
      severity: 'warning',
      value: 'nimporteQuoi',
    });
  });

  it('thousands of unknown attrNames: a bounded number of warnings, the rest counted in one', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `x${i}`);
    const { outcome, answer } = judgeGet({ ...validGet(), attrNames: ['troubleTicketState', ...names] });
    expect(answer).toEqual({ kind: 'ok' });
    const warnings = outcome.findings.filter((f) => f.rule === 'GET.ATTR');
    expect(warnings.length).toBeLessThan(50);
    expect(warnings[0]).toMatchObject({ value: 'x0' });
    const detailed = warnings.filter((w) => w.value !== undefined).length;
    expect(warnings.at(-1)!.explanation).toContain(`encore ${names.length - detailed} autres noms`);
  });
});

describe('create and set responses', () => {
  const ops = ['createTroubleTicketByValue', 'setTroubleTicketByValue'];

  it.each(ops)('%s: success with the key is correct', (op) => {
    expect(
      errorsOf(judgeXml(w.response(op, { troubleTicketKey: EXAMPLE_KEY, returnCode: codes.success }))),
    ).toEqual([]);
  });

  it('create: success without the new key is an error (spec 4.1)', () => {
    const findings = judgeXml(
      w.response('createTroubleTicketByValue', { troubleTicketKey: null, returnCode: codes.success }),
    );
    expect(errorsOf(findings).map((f) => f.rule)).toEqual(['RESPONSE.KEY']);
  });

  it.each(ops)('%s: a return code outside the protocol is an error', (op) => {
    const findings = judgeXml(w.response(op, { troubleTicketKey: EXAMPLE_KEY, returnCode: '7' }));
    expect(errorsOf(findings)).toMatchObject([{ rule: 'RESPONSE.CODE', field: 'returnCode', value: '7' }]);
  });

  it.each([codes.missing, codes.invalid])(
    'code %s: a label naming the field as "field : explication" is correct',
    (code) => {
      const findings = judgeXml(
        w.response(ops[1]!, {
          troubleTicketKey: EXAMPLE_KEY,
          returnCode: code,
          returnLabel: `${sirens[0]} : doit contenir 9 chiffres`,
        }),
      );
      expect(findings).toEqual([]);
    },
  );

  it.each([codes.missing, codes.invalid])('code %s: a label naming no field is an error', (code) => {
    const findings = judgeXml(
      w.response(ops[1]!, { troubleTicketKey: null, returnCode: code, returnLabel: 'erreur' }),
    );
    expect(errorsOf(findings).map((f) => f.rule)).toEqual(['RESPONSE.LABEL']);
  });

  it('a label naming the field in free form is a warning', () => {
    const findings = judgeXml(
      w.response(ops[1]!, {
        troubleTicketKey: null,
        returnCode: codes.invalid,
        returnLabel: `le champ ${sirens[0]} est faux`,
      }),
    );
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['RESPONSE.LABEL.FORMAT', 'warning']]);
  });
});

describe('get response', () => {
  it('a success carrying a full ticket is correct', () => {
    const ticket = exampleTicket('oc.create', index, { full: true });
    const withKey = { ...ticket, troubleTicketKey: EXAMPLE_KEY };
    expect(
      errorsOf(
        judgeXml(w.getResponse({ troubleTicketKey: EXAMPLE_KEY, returnCode: codes.success }, withKey)),
      ),
    ).toEqual([]);
  });

  it('an error carrying the nil ticket the schema requires is correct', () => {
    const xml = w.getResponse({
      troubleTicketKey: null,
      returnCode: codes.invalid,
      returnLabel: 'troubleTicketKey : inconnu',
    });
    expect(judgeXml(xml)).toEqual([]);
  });

  it('a success whose ticket has a nil key is an error', () => {
    const findings = judgeXml(w.getResponse({ troubleTicketKey: EXAMPLE_KEY, returnCode: codes.success }));
    expect(errorsOf(findings).map((f) => f.rule)).toContain('RESPONSE.TICKET');
  });

  it('the ticket of a response is checked for formats and lists', () => {
    const ticket = { ...exampleTicket('oc.create', index), troubleTicketKey: EXAMPLE_KEY, [sirens[1]!]: '1' };
    const findings = judgeXml(
      w.getResponse({ troubleTicketKey: EXAMPLE_KEY, returnCode: codes.success }, ticket),
    );
    expect(errorsOf(findings)).toMatchObject([{ rule: 'FORMAT.LENGTH', field: sirens[1] }]);
  });
});

describe('faults', () => {
  const cases = index.profile.operations.flatMap((op) => op.faultChoices.map((c) => [op.name, c] as const));
  it.each(cases)('%s fault with %s is correct', (op, choice) => {
    const xml = w.fault({
      faultcode: 'Client',
      faultstring: 'refusé',
      exception: `${op}Exception`,
      choice,
      message: 'refusé',
    });
    expect(judgeXml(xml)).toEqual([]);
  });

  it('a faultcode outside SOAP 1.1 is an error', () => {
    const xml = w.fault({
      faultcode: 'Oops',
      faultstring: 'x',
      exception: 'createTroubleTicketByValueException',
      choice: 'remoteException',
    });
    expect(errorsOf(judgeXml(xml)).map((f) => f.rule)).toEqual(['FAULT.CODE']);
  });

  it('a detail choice the operation does not declare is an error', () => {
    const op = index.profile.operations.find((o) => !o.faultChoices.includes('duplicateKeyException'))!;
    const xml = w.fault({
      faultcode: 'Client',
      faultstring: 'x',
      exception: op.exception,
      choice: 'duplicateKeyException',
    });
    expect(errorsOf(judgeXml(xml)).map((f) => f.rule)).toEqual(['FAULT.CHOICE']);
  });

  it('a fault without detail is a warning', () => {
    const findings = judgeXml(w.fault({ faultcode: 'Server', faultstring: 'x' }));
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['FAULT.DETAIL', 'warning']]);
  });
});
