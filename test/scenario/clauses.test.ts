/**
 * Every check is tied to the clause and basis of the protocol model that state what it checks
 * (issue 5, the certification body's audit): illegal transitions, field formats, meta answers,
 * the SOAP/HTTP checks, the rule engine's umbrella and the reads.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { checkTicket } from '../../src/rules/index.ts';
import { checkValue } from '../../src/rules/values.ts';
import { checkExpectations, type Observed } from '../../src/scenario/expect.ts';
import { CheckSink } from '../../src/scenario/judge.ts';
import { illegalStates, rulebookOf } from '../../src/scenario/rulebook.ts';

const index = defaultIndex();
const book = rulebookOf(index);
const entry = (id: string) => {
  const r = book.get(id);
  expect(r, `rule ${id}`).toBeDefined();
  return { clause: r!.clause, basis: r!.basis };
};
const sinkFor = () => new CheckSink(book, true);

describe('illegal transitions: refusal per §7 table, returnLabel naming troubleTicketState a [decision]', () => {
  const field = index.settings.illegalTransitionField;
  const fieldBasis = index.profile.settingsBasis.illegalTransitionField;
  const illegal = index.activeActions.flatMap((a) =>
    a.operation === 'setTroubleTicketByValue'
      ? illegalStates(a, index).map((s) => ({ a, s, t: index.transition.get(a.transitions[0]!)! }))
      : [],
  );

  it('there are illegal transitions to judge', () => {
    expect(illegal.length).toBeGreaterThan(10);
  });

  it.each(illegal.map(({ a, s, t }) => [`ILLEGAL:${a.id}@${s}`, t.basis, t.clause] as const))(
    '%s: returnCode 2 cites the transition table (%s %s), the label check the field setting',
    (rule, basis, clause) => {
      const sink = sinkFor();
      const o: Observed = { returnCode: '2', returnLabel: `${field} : action refusée` };
      checkExpectations({ returnCode: '2', field }, o, { sink, index, rule, ticketSource: 'la réponse' });
      const [code, label] = sink.checks;
      expect(code).toMatchObject({ title: 'returnCode 2', basis, clause, verdict: 'pass' });
      expect(label).toMatchObject({
        title: `returnLabel nomme ${field}`,
        basis: fieldBasis.basis,
        clause: fieldBasis.clause,
        verdict: 'pass',
      });
      expect(label!.basis).toBe('decision');
    },
  );

  it('T1..T10 transitions are [interop] §7 (the model gives the table no other basis), T11 a [decision]', () => {
    for (const t of index.activeTransitions)
      expect([t.id, entry(t.id)]).toEqual([
        t.id,
        t.id === 'T11' ? { basis: 'decision', clause: '§7' } : { basis: 'interop', clause: '§7' },
      ]);
  });

  it('the rule engine files the refusal under §7 [interop], the field it names being the setting', () => {
    const ticket = {
      interactionDate: '2030-01-01T10:00:00Z',
      description: 'CASE CANCELATION REQUEST',
      troubleTicketKey: 'TT-1',
      troubleTicketState: 'OPENACTIVE.TO.BE.CANCELED',
      lastUpdateVersionNumber: '1',
      serviceProviderID: '380129866',
      supplierID: '343059564',
    };
    const fromQueued = checkTicket(ticket, 'setTroubleTicketByValue', index, {
      sender: 'OC',
      current: { state: 'QUEUED', lastUpdateVersionNumber: 1 },
    }).findings.find((f) => f.rule === 'TRANSITION');
    expect(fromQueued).toMatchObject({ field, basis: 'interop', clause: '§7' });
    expect(fromQueued!.message).toContain('(règle TRANSITION, §7 [interop])');
    const fromClosed = checkTicket(ticket, 'setTroubleTicketByValue', index, {
      sender: 'OC',
      current: { state: 'CLOSED', lastUpdateVersionNumber: 1 },
    }).findings.find((f) => f.rule === 'TRANSITION.FINAL');
    expect(fromClosed).toMatchObject({ field, basis: 'interop', clause: '§7' });
  });
});

describe('formats cite the §5 row that states them, not §4 (element order)', () => {
  const dateTimes = [
    'interactionDate',
    'interactionDateComplete',
    'troubleDetectionTime',
    'serviceRestoredTime',
    'supplierPlannedActionDate',
    'appointmentSuggestion1',
  ];

  it.each(dateTimes)('FORMAT:%s is §5 [interop], as its finding on a bad xsd:dateTime', (name) => {
    expect(entry(`FORMAT:${name}`)).toEqual({ basis: 'interop', clause: '§5' });
    const [finding] = checkValue(index.field.get(name)!, 'demain', index);
    expect(finding).toMatchObject({ rule: 'FORMAT.DATETIME', basis: 'interop', clause: '§5' });
  });

  it('no FORMAT rule cites §4', () => {
    const formats = [...book.rules.values()].filter((r) => r.kind === 'format');
    expect(formats.length).toBeGreaterThan(20);
    expect(formats.filter((r) => r.clause === '§4').map((r) => r.id)).toEqual([]);
  });

  it('lastUpdateVersionNumber (no §5 row) cites the OSS/J Common schema of §2 for xs:long; nil stays §4', () => {
    const f = index.field.get('lastUpdateVersionNumber')!;
    expect(entry('FORMAT:lastUpdateVersionNumber')).toEqual({
      basis: 'interop',
      clause: '§2 co (OSSJ Common v1-5)',
    });
    expect(checkValue(f, 'un', index)[0]).toMatchObject({ clause: '§2 co (OSSJ Common v1-5)' });
    expect(checkValue(f, null, index)[0]).toMatchObject({ rule: 'FORMAT.NIL', clause: '§4' });
  });

  it('SUAppointmentManagementId keeps its [spec] length (≤ 10, spec 3.1.1)', () => {
    expect(entry('FORMAT:SUAppointmentManagementId')).toEqual({ basis: 'spec', clause: 'spec 3.1.1' });
  });
});

describe('meta answers: the advisory checks do not depend on the outcome', () => {
  const op = 'getSupportedOptionalOperations';
  const rule = `META:${op}`;
  const judge = (o: Observed) => {
    const sink = sinkFor();
    checkExpectations({ values: [] }, o, { sink, index, rule, ticketSource: 'la réponse' });
    return sink.checks.map((c) => ({
      rule: c.rule,
      mandatory: c.mandatory,
      basis: c.basis,
      verdict: c.verdict,
    }));
  };

  it('the values check is advisory whether the OI answered or sent a fault; the answer check is mandatory', () => {
    const answered = judge({ values: [], metaOperation: op, httpStatus: 200 });
    const fault = judge({ fault: { code: 'Server', text: 'boom' }, httpStatus: 500 });
    expect(answered).toEqual([
      { rule, mandatory: false, basis: 'decision', verdict: 'pass' },
      { rule: 'META.ANSWER', mandatory: true, basis: 'interop', verdict: 'pass' },
    ]);
    expect(fault).toEqual([
      { rule, mandatory: false, basis: 'decision', verdict: 'fail' },
      { rule: 'META.ANSWER', mandatory: true, basis: 'interop', verdict: 'fail' },
    ]);
  });

  it('META.ANSWER is §3 [interop], a rule of role oc', () => {
    expect(entry('META.ANSWER')).toEqual({ basis: 'interop', clause: '§3' });
    expect(book.coverable('oc').map((r) => r.id)).toContain('META.ANSWER');
  });
});

describe('clauses that say what the check checks', () => {
  it('HTTP status and the arrival of an answer rest on SOAP 1.1 over HTTP (§1 [spec], SOAP 1.1 §6.2), not §9', () => {
    for (const id of ['SOAP.HTTP-STATUS', 'SOAP.ANSWER']) {
      expect(entry(id)).toEqual({ basis: 'spec', clause: '§1' });
      expect(book.get(id)!.title).toContain('SOAP 1.1 §6.2');
    }
    expect(book.get('SOAP.HTTP-STATUS')!.title).toContain('R1126');
  });

  it('the RULES umbrella cites every clause it covers, not §8 alone', () => {
    expect(entry('RULES')).toEqual({ basis: 'spec', clause: '§5–§9' });
  });

  it('GET_BY_KEY checks the response (spec 3.3.2), the request rules stay spec 3.3.1', () => {
    expect(entry('GET_BY_KEY')).toEqual({ basis: 'spec', clause: 'spec 3.3.2' });
    expect(index.profile.getRequest.clause).toBe('spec 3.3.1');
  });

  it('a get by technicalId is §3 [spec]; which ticket answers among several is §3 [decision]', () => {
    expect(entry('GET_BY_TECHNICALID')).toEqual({ basis: 'spec', clause: '§3' });
    expect(entry('GET_BY_TECHNICALID.OPEN_FIRST')).toEqual(
      (({ basis, clause }) => ({ basis, clause }))(index.profile.settingsBasis.getByTechnicalIdOpenFirst),
    );
    expect(entry('GET_BY_TECHNICALID.OPEN_FIRST').basis).toBe('decision');
  });
});
