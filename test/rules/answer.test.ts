/** From findings and codec errors to the answer §9 requires. */
import { describe, expect, it } from 'vitest';
import {
  answerFor,
  codecErrorAnswer,
  type Finding,
  faultChoiceFor,
  internalErrorAnswer,
} from '../../src/rules/index.ts';
import { makeFinding } from '../../src/rules/text.ts';
import { CodecError, type CodecErrorKind } from '../../src/soap/errors.ts';
import { readMessage } from '../../src/soap/read.ts';
import { index } from './helpers.ts';

/** Every kind, with the faultcode §9 requires. A new kind fails to compile here until it is mapped. */
const EXPECTED: Record<CodecErrorKind, 'Client' | 'VersionMismatch' | 'MustUnderstand'> = {
  TOO_LARGE: 'Client',
  NOT_UTF8: 'Client',
  DTD_FORBIDDEN: 'Client',
  MALFORMED_XML: 'Client',
  NOT_SOAP_ENVELOPE: 'Client',
  SOAP_VERSION_MISMATCH: 'VersionMismatch',
  MUST_UNDERSTAND: 'MustUnderstand',
  NO_BODY: 'Client',
  EMPTY_BODY: 'Client',
  UNKNOWN_OPERATION: 'Client',
  WRONG_NAMESPACE: 'Client',
  BAD_STRUCTURE: 'Client',
};

describe('codec errors', () => {
  it.each(Object.entries(EXPECTED) as [CodecErrorKind, string][])('%s → fault %s', (kind, faultcode) => {
    const a = codecErrorAnswer(new CodecError(kind, `détail ${kind}`, 3), index);
    expect(a).toMatchObject({ kind: 'fault', faultcode, choice: 'ossIllegalArgumentException' });
    expect(a.faultstring).toContain(`détail ${kind}`);
    expect(a.finding).toMatchObject({ rule: `CODEC.${kind}`, demand: 'fault', severity: 'error', line: 3 });
  });

  it.each([
    [
      'SOAP 1.2 envelope',
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
      'VersionMismatch',
    ],
    ['malformed XML', '<a><b></a>', 'Client'],
    ['entity declaration', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'Client'],
    ['binary garbage', new Uint8Array([0xff, 0x00, 0x13, 0x37]), 'Client'],
  ] as const)('a real %s maps to %s', (_n, raw, faultcode) => {
    let error: unknown;
    try {
      readMessage(raw, index);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CodecError);
    expect(codecErrorAnswer(error as CodecError, index).faultcode).toBe(faultcode);
  });

  it('an internal error is a Server fault with remoteException', () => {
    expect(internalErrorAnswer(new Error('disque plein'), index)).toMatchObject({
      kind: 'fault',
      faultcode: 'Server',
      choice: 'remoteException',
      finding: { rule: 'INTERNAL', demand: 'fault' },
    });
  });

  it('the detail choice falls back to one the operation declares', () => {
    const metaOnly = index.profile.operations.find(
      (o) => !o.faultChoices.includes('ossIllegalArgumentException'),
    )!;
    const a = codecErrorAnswer(new CodecError('BAD_STRUCTURE', 'x'), index);
    expect(faultChoiceFor(a, metaOnly)).toBe('remoteException');
    expect(faultChoiceFor(a, index.operation.get('createTroubleTicketByValue'))).toBe(
      'ossIllegalArgumentException',
    );
  });
});

describe('answerFor', () => {
  const [early, late] = index.profile.fields.filter((f) => f.group === 'ftth');
  const f = (field: string | undefined, demand: Finding['demand'], severity: Finding['severity'] = 'error') =>
    makeFinding({
      rule: 'TEST',
      severity,
      ...(field ? { field } : {}),
      demand,
      basis: 'decision',
      clause: '§9',
      explanation: 'test',
    });

  it('no error: ok, whatever the warnings', () => {
    expect(answerFor([f(early!.name, 'none', 'warning'), f(undefined, 'none', 'info')], index)).toEqual({
      kind: 'ok',
    });
  });

  it('a fault beats a returnCode', () => {
    const a = answerFor([f(early!.name, 'missing'), f(undefined, 'fault')], index);
    expect(a).toMatchObject({ kind: 'fault', faultcode: 'Client' });
  });

  it('missing (1) beats invalid (2), and the first field in schema order is named', () => {
    const a = answerFor(
      [f(early!.name, 'invalid'), f(late!.name, 'missing'), f(early!.name, 'missing')],
      index,
    );
    expect(a).toMatchObject({ kind: 'returnCode', code: index.profile.returnCodes.missing });
    if (a.kind === 'returnCode') expect(a.label.startsWith(`${early!.name} : `)).toBe(true);
  });

  it('invalid gives returnCode 2 naming the first invalid field in schema order', () => {
    const a = answerFor([f(late!.name, 'invalid'), f(early!.name, 'invalid')], index);
    expect(a).toMatchObject({ kind: 'returnCode', code: index.profile.returnCodes.invalid });
    if (a.kind === 'returnCode') expect(a.finding.field).toBe(early!.name);
  });
});
