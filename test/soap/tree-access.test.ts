/**
 * The codec's fast tree access (raw pointers into libxml2's memory, names kept across documents)
 * reads what the public libxml2-wasm API reads, on the inputs where a shortcut could go wrong:
 * names that share a hash, non-ASCII and very long names, messages read in turn.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { treeKind, useTree } from '../../src/soap/dom.ts';
import { CodecError } from '../../src/soap/errors.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const writer = new MessageWriter(index);
const CREATE = writer.createRequest(exampleTicket('oc.create', index), { login: 'oc', password: 'pw' });
const initialTree = treeKind();
afterAll(() => useTree(initialTree));

/** The message with extra elements at the start of its troubleTicketValue. */
const withElements = (xml: string) => CREATE.replace(/(<[\w]+:troubleTicketValue>)/, `$1${xml}`);

/** What reading gives with one access: the decoded message, or the CodecError. */
function outcome(raw: string, kind: 'raw' | 'public'): unknown {
  useTree(kind);
  try {
    return readMessage(raw, index, { validator });
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return { kind: e.kind, message: e.message, line: e.line };
  }
}

const unknownFields = (raw: string) => {
  useTree('raw');
  return readMessage(raw, index)
    .issues.filter((i) => i.kind === 'unknown-element')
    .map((i) => i.field);
};

describe('the fast tree access reads what the public API reads', () => {
  const LONG = `n${'x'.repeat(300)}`;
  const messages = [
    // "Aa" and "BB" have the same 31-based hash: the one read second must not take the first's name.
    withElements('<Aa>1</Aa><BB>2</BB>'),
    withElements('<BB>2</BB><Aa>1</Aa>'),
    withElements('<élément>é</élément><ñame>x</ñame>'),
    withElements(`<${LONG}>long</${LONG}><${LONG}y>longer</${LONG}y>`),
    CREATE.replace('</soapenv:Envelope>', '<soapenv:Body>'),
  ];

  it.each(messages.map((m, i) => [i, m] as const))('message %i', (_i, raw) => {
    expect(outcome(raw, 'raw')).toEqual(outcome(raw, 'public'));
  });

  it('tells apart names read in turn from many documents', () => {
    for (let round = 0; round < 3; round++) {
      expect(unknownFields(messages[0]!)).toEqual(['Aa', 'BB']);
      expect(unknownFields(messages[1]!)).toEqual(['BB', 'Aa']);
      expect(unknownFields(messages[2]!)).toEqual(['élément', 'ñame']);
      expect(unknownFields(messages[3]!)).toEqual([LONG, `${LONG}y`]);
    }
  });
});
