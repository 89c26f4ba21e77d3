import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { labelNames } from '../../src/scenario/expect.ts';
import type { Exchange } from '../../src/scenario/http.ts';
import { CheckSink, judgeAnswer } from '../../src/scenario/judge.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const create = index.operation.get('createTroubleTicketByValue')!;

function judge(response: string | undefined, httpStatus?: number, error?: string) {
  const sink = new CheckSink(rulebookOf(index), true);
  const x: Exchange = {
    url: 'http://oi.test/',
    request: '<request/>',
    durationMs: 3,
    ...(response !== undefined ? { response, contentType: 'text/xml; charset=utf-8' } : {}),
    ...(httpStatus !== undefined ? { httpStatus } : {}),
    ...(error ? { error } : {}),
  };
  judgeAnswer(sink, x, index, { operation: create, who: 'OI' });
  return Object.fromEntries(sink.checks.map((c) => [c.rule, c.verdict]));
}

const ok = writer.response('createTroubleTicketByValue', { troubleTicketKey: 'TT-1', returnCode: '0' });
const fault = writer.fault({
  faultcode: 'Client',
  faultstring: 'authentication failed',
  exception: 'createTroubleTicketByValueException',
  choice: 'ossIllegalArgumentException',
});

describe('automatic checks on every answer', () => {
  it('pass on a correct answer with HTTP 200', () => {
    expect(judge(ok, 200)).toEqual({
      'SOAP.ANSWER': 'pass',
      'SOAP.MEDIA-TYPE': 'pass',
      'SOAP.NAMESPACE': 'pass',
      'SOAP.SCHEMA': 'pass',
      'SOAP.ENVELOPE': 'pass',
      'SOAP.HTTP-STATUS': 'pass',
      RULES: 'pass',
    });
  });

  it('fail a SOAP fault sent with HTTP 200, pass it with HTTP 500', () => {
    expect(judge(fault, 200)['SOAP.HTTP-STATUS']).toBe('fail');
    const right = judge(fault, 500);
    expect(right['SOAP.HTTP-STATUS']).toBe('pass');
    expect(right['SOAP.FAULT']).toBe('pass');
  });

  it('fail a normal answer sent with HTTP 500', () => {
    expect(judge(ok, 500)['SOAP.HTTP-STATUS']).toBe('fail');
  });

  it('fail an answer whose operation element is in another namespace', () => {
    const wrong = ok.split(index.ns.tt).join('http://ossj.org/xml/TroubleTicket/v9-9');
    expect(judge(wrong, 200)).toEqual({
      'SOAP.ANSWER': 'pass',
      'SOAP.MEDIA-TYPE': 'pass',
      'SOAP.NAMESPACE': 'fail',
    });
  });

  it('fail an answer of another operation, and an unreadable one', () => {
    const other = writer.response('setTroubleTicketByValue', { troubleTicketKey: 'TT-1', returnCode: '0' });
    expect(judge(other, 200)['SOAP.ENVELOPE']).toBe('fail');
    expect(judge('<html>502 Bad Gateway</html>', 502)['SOAP.ENVELOPE']).toBe('fail');
  });

  it('fail when no answer arrives', () => {
    expect(judge(undefined, undefined, 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9')).toEqual({
      'SOAP.ANSWER': 'fail',
    });
  });

  it('keep the XML evidence of failing checks and of the first check of an exchange only', () => {
    const sink = new CheckSink(rulebookOf(index), true);
    const x: Exchange = {
      url: 'u',
      request: '<r/>',
      response: fault,
      contentType: 'text/xml; charset=utf-8',
      httpStatus: 200,
      durationMs: 1,
    };
    judgeAnswer(sink, x, index, { operation: create, who: 'OI' });
    const withXml = sink.checks.filter((c) => c.evidence?.response);
    expect(withXml.map((c) => c.rule)).toEqual(['SOAP.ANSWER', 'SOAP.HTTP-STATUS']);
    expect(sink.checks.every((c) => c.evidence?.httpStatus === 200)).toBe(true);
    // SOAP 1.1 over HTTP is [spec] (§1); SOAP 1.1 §6.2 (WS-I BP R1126) gives the status, not §9.
    const status = sink.checks.find((c) => c.rule === 'SOAP.HTTP-STATUS');
    expect(status).toMatchObject({ basis: 'spec', clause: '§1', mandatory: true, verdict: 'fail' });
    expect(status!.message).toContain('SOAP 1.1 §6.2');
  });
});

describe('returnLabel naming a field', () => {
  it('matches the field name as a whole word, aliases included', () => {
    expect(labelNames('serviceProviderID : doit contenir 9 chiffres', 'serviceProviderID', index)).toBe(true);
    expect(labelNames('Champ serviceProviderID manquant', 'serviceProviderID', index)).toBe(true);
    expect(labelNames('serviceProviderIDX : x', 'serviceProviderID', index)).toBe(false);
    expect(labelNames('reprovisioningId : trop long', 'reprovisionningId', index)).toBe(true);
    expect(labelNames(null, 'troubleTicketKey', index)).toBe(false);
  });
});

describe('an answer breaking protocol rules: one check per broken rule, under its own clause', () => {
  function checksOf(response: string) {
    const sink = new CheckSink(rulebookOf(index), true);
    const x: Exchange = {
      url: 'http://oc.test/',
      request: '<request/>',
      durationMs: 3,
      response,
      contentType: 'text/xml; charset=utf-8',
      httpStatus: 200,
    };
    judgeAnswer(sink, x, index, { operation: create, who: 'OC' });
    return sink.checks.filter((c) => c.rule === 'RULES');
  }
  const codes = index.profile.returnCodes;

  it('files a returnLabel naming no field under the clause and basis its message cites', () => {
    const [check, ...more] = checksOf(
      writer.response('createTroubleTicketByValue', {
        troubleTicketKey: null,
        returnCode: codes.invalid,
        returnLabel: 'valeur incorrecte',
      }),
    );
    expect(more).toEqual([]);
    expect(check).toMatchObject({ verdict: 'fail', clause: codes.clause, basis: codes.basis });
    expect(check!.message).toContain(`(règle RESPONSE.LABEL, ${codes.clause} [${codes.basis}])`);
    expect(check!.title).toContain('(RESPONSE.LABEL)');
  });

  it('gives each broken rule its own check, under the clause and basis its message cites', () => {
    // A read answer whose ticket breaks two format rules of different clauses.
    const sink = new CheckSink(rulebookOf(index), true);
    const response = writer.getResponse(
      { troubleTicketKey: 'TT-1', returnCode: codes.success },
      {
        troubleTicketKey: 'TT-1',
        troubleTicketState: 'QUEUED',
        lastUpdateVersionNumber: 'abc',
        serviceProviderID: '12',
      },
    );
    const x: Exchange = {
      url: 'http://oc.test/',
      request: '<request/>',
      durationMs: 3,
      response,
      httpStatus: 200,
    };
    judgeAnswer(sink, x, index, { operation: index.operation.get('getTroubleTicketByKey')!, who: 'OI' });
    const checks = sink.checks.filter((c) => c.rule === 'RULES');
    expect(checks.map((c) => c.evidence?.highlight)).toEqual([
      'lastUpdateVersionNumber',
      'serviceProviderID',
    ]);
    for (const c of checks) {
      const cited = /\(règle ([A-Z.]+), ([^[]+) \[(\w+)\]\)$/.exec(c.message);
      expect(cited, c.message).not.toBeNull();
      expect([c.verdict, c.title.endsWith(`(${cited![1]})`), c.clause, c.basis]).toEqual([
        'fail',
        true,
        cited![2],
        cited![3],
      ]);
    }
    expect(new Set(checks.map((c) => c.clause)).size).toBe(2);
  });
});
