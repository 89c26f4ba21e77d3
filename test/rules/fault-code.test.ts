/** faultcode refined with dots (SOAP 1.1 §4.4.1): accepted as its SOAP 1.1 code, with a warning (WS-I BP 1.1 R1031). */
import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/rules/index.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { decode, index } from './helpers.ts';

const w = new MessageWriter(index);
const findingsOf = (faultcode: string) =>
  checkMessage(
    decode(
      w.fault({
        faultcode,
        faultstring: 'refusé',
        exception: 'createTroubleTicketByValueException',
        choice: 'ossIllegalArgumentException',
      }),
    ),
    index,
  ).findings;

describe('dot-notation faultcodes', () => {
  it.each(['Client.Authentication', 'Server.Database.Down', 'VersionMismatch.x', 'MustUnderstand.y'])(
    'soapenv:%s is read as its SOAP 1.1 code, with a warning naming the value and R1031',
    (code) => {
      const findings = findingsOf(`soapenv:${code}`);
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(findings.map((f) => [f.rule, f.severity, f.field, f.value])).toEqual([
        ['FAULT.CODE.DOT', 'warning', 'faultcode', `soapenv:${code}`],
      ]);
      expect(findings[0]!.message).toContain('R1031');
    },
  );

  it.each(['Authentication.Client', 'Clients', 'Client.', 'Sender.Authentication'])(
    'soapenv:%s is no SOAP 1.1 code: an error',
    (code) => {
      const errors = findingsOf(`soapenv:${code}`).filter((f) => f.severity === 'error');
      expect(errors.map((f) => [f.rule, f.value])).toEqual([['FAULT.CODE', `soapenv:${code}`]]);
    },
  );
});
