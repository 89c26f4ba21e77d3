/**
 * The codec's guards and its error messages as a client reads them: the XML declaration read to its
 * end, the UTF-8 decoding forced, parser errors in plain English with their position, SOAP 1.1
 * mustUnderstand, client values quoted within a bound, and a bounded record of structure issues.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { answerFor, checkMessage, codecErrorAnswer } from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { parseDocument } from '../../src/soap/dom.ts';
import { CodecError } from '../../src/soap/errors.ts';
import { ISSUES_DETAILED, readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { plainParserMessage } from '../../src/soap/xml.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const writer = new MessageWriter(index);
const ns = index.ns;
const p = index.profile.prefixes;
const CRED = { login: 'oc', password: 'pw' };
const CREATE = writer.createRequest(
  { ...exampleTicket('oc.create', index), serviceProviderName: 'Hélène Müller' },
  CRED,
);
const DECL = /^<\?xml[^>]*\?>/;

function codecError(raw: string | Uint8Array): CodecError {
  try {
    readMessage(raw, index, { validator });
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw new Error(`expected a CodecError, got ${String(e)}`);
  }
  throw new Error('expected a CodecError, the message was read');
}

const envelope = (body: string, header = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${ns.soapenv}">${header}<s:Body>${body}</s:Body></s:Envelope>`;

describe('the XML declaration is read to its end', () => {
  const shortMessage = codecError(CREATE.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')).message;

  it('an encoding padded past the first 256 bytes is refused with the same message as the short form', () => {
    const long = CREATE.replace(DECL, `<?xml version="1.0"${' '.repeat(300)}encoding="ISO-8859-1"?>`);
    const error = codecError(Buffer.from(long));
    expect(error.kind).toBe('NOT_UTF8');
    expect(error.message).toBe(shortMessage);
    expect(error.message).toBe('XML declaration names encoding "ISO-8859-1": only UTF-8 is accepted');
  });

  it('an absurdly long declaration is refused, saying so', () => {
    const error = codecError(CREATE.replace(DECL, `<?xml version="1.0"${' '.repeat(5000)}?>`));
    expect(error.kind).toBe('MALFORMED_XML');
    expect(error.message).toContain('XML declaration');
    expect(error.message).toContain('longer than 1024 bytes');
  });

  it('an unterminated declaration is refused, saying so', () => {
    const error = codecError(CREATE.replace(DECL, '<?xml version="1.0" encoding="UTF-8">'));
    expect(error.kind).toBe('MALFORMED_XML');
    expect(error.message).toContain('not closed by "?>"');
  });

  it('Latin-1 bytes declared ISO-8859-1 are told about their declaration, not about UTF-8', () => {
    const latin1 = Buffer.from(CREATE.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'), 'latin1');
    expect(codecError(latin1).message).toBe(shortMessage);
  });

  it('invalid UTF-8 is located by its byte offset and line', () => {
    const head = Buffer.from(CREATE.slice(0, 400));
    const raw = Buffer.concat([head, Buffer.from([0xc3, 0x28]), Buffer.from(CREATE.slice(400))]);
    const error = codecError(raw);
    expect(error.kind).toBe('NOT_UTF8');
    expect(error.message).toContain(`at byte offset ${head.byteLength}`);
    expect(error.message).toContain('c3 28');
    expect(error.line).toBe(1);
  });

  it('the UTF-8 declarations still pass, with or without a BOM', () => {
    for (const decl of ['<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0"?>', '']) {
      const msg = readMessage(`\uFEFF${CREATE.replace(DECL, decl)}`, index, { validator });
      expect(msg.body.kind === 'createRequest' && msg.body.ticket.serviceProviderName).toBe('Hélène Müller');
    }
  });

  it('the parser decodes UTF-8 whatever the declaration says (defence behind the guard)', () => {
    const bytes = new TextEncoder().encode(
      `<?xml version="1.0"${' '.repeat(300)}encoding="ISO-8859-1"?><a>Hélène</a>`,
    );
    for (const kind of ['raw', 'public'] as const) {
      const doc = parseDocument(bytes, kind);
      try {
        const tree = doc.open();
        expect(tree.text(tree.root)).toBe('Hélène');
      } finally {
        doc.dispose();
      }
    }
  });
});

describe('malformed XML is told in plain English, with its position', () => {
  const LIBXML = /xmlParse|XML_PARSE|xmlChar|HUGE/;

  it("a lone '&' gives its line and column and how to write it", () => {
    const xml = CREATE.replace(/></g, '>\n<').replace(
      /<cbe:troubleDescription>[^<]*/,
      '<cbe:troubleDescription>A & B',
    );
    const line = xml.split('\n').findIndex((l) => l.includes('A & B')) + 1;
    const error = codecError(xml);
    expect(error.kind).toBe('MALFORMED_XML');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^malformed XML at line ${line}, column \\d+: `));
    expect(error.message).toContain('write &amp;');
    expect(error.message).not.toMatch(LIBXML);
  });

  it('a character reference to code point 0 names the code point, not libxml2', () => {
    const error = codecError(envelope('<a>&#0;</a>'));
    expect(error.message).toContain('code point 0');
    expect(error.message).not.toMatch(LIBXML);
  });

  it('nesting too deep is refused without advice about parser options', () => {
    const error = codecError(envelope(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`));
    expect(error.message).toContain('nesting deeper than 256 elements is refused');
    expect(error.message).not.toMatch(LIBXML);
  });

  it('a tag mismatch names both tags', () => {
    const error = codecError('<a>\n<b></a>');
    expect(error.message).toMatch(
      /^malformed XML at line 2, column \d+: end tag <\/a> does not match start tag <b> of line 2$/,
    );
  });
});

describe('other guard messages say why', () => {
  it('the DTD guard says it also looks inside comments and CDATA sections', () => {
    const xml = CREATE.replace('<cbe:troubleDescription>', '<cbe:troubleDescription><![CDATA[x<!DOCTYPE]]>');
    const error = codecError(xml);
    expect(error.kind).toBe('DTD_FORBIDDEN');
    expect(error.message).toContain('inside a comment, a CDATA section or a value');
  });

  it('a Body holding only text says so', () => {
    const error = codecError(envelope('hello'));
    expect(error.kind).toBe('EMPTY_BODY');
    expect(error.message).toBe('the Body holds text and no element: no operation');
    expect(codecError(envelope('  ')).message).toBe('the Body is empty: no operation');
  });

  it('an unknown operation quotes its namespace within 60 characters', () => {
    const huge = `urn:${'x'.repeat(500_000)}`;
    const error = codecError(envelope(`<o:deleteTroubleTicketRequest xmlns:o="${huge}"/>`));
    expect(error.kind).toBe('UNKNOWN_OPERATION');
    expect(error.message).toContain('deleteTroubleTicketRequest');
    expect(error.message).toContain('…');
    expect(error.message.length).toBeLessThan(200);
  });

  it('an error after the operation was recognised names it, for its fault detail', () => {
    const error = codecError(envelope(`<tt:createTroubleTicketByValueRequest xmlns:tt="${ns.tt}"/>`));
    expect(error.kind).toBe('BAD_STRUCTURE');
    expect(error.operation).toBe('createTroubleTicketByValue');
  });
});

describe('SOAP 1.1 mustUnderstand (§4.2.3, WS-I BP R1025/R1027)', () => {
  const withHeader = (entry: string) => CREATE.replace(/<(\w+):Header>/, `<$1:Header>${entry}`);

  it('an unknown header entry with mustUnderstand="1" is a MustUnderstand fault naming it', () => {
    const error = codecError(
      withHeader(`<x:Security xmlns:x="urn:example:security" ${p.soapenv}:mustUnderstand="1"/>`),
    );
    expect(error.kind).toBe('MUST_UNDERSTAND');
    expect(error.message).toContain('<Security> ({urn:example:security})');
    expect(error.operation).toBe('createTroubleTicketByValue');
    expect(codecErrorAnswer(error, index)).toMatchObject({ kind: 'fault', faultcode: 'MustUnderstand' });
  });

  it('our own header with mustUnderstand="1", and unknown entries with "0" or none, are fine', () => {
    const own = CREATE.replace(
      /<(\w+):TroubleTicketHeaderRequest/,
      `<$1:TroubleTicketHeaderRequest ${p.soapenv}:mustUnderstand="1"`,
    );
    expect(readMessage(own, index, { validator }).credentials).toEqual(CRED);
    const optional = withHeader(
      `<x:Trace xmlns:x="urn:t" ${p.soapenv}:mustUnderstand="0"/><x:Other xmlns:x="urn:t"/>`,
    );
    expect(readMessage(optional, index, { validator }).credentials).toEqual(CRED);
  });

  it('a mustUnderstand value other than "0" or "1" is a Client fault naming attribute and value', () => {
    const error = codecError(withHeader(`<x:Trace xmlns:x="urn:t" ${p.soapenv}:mustUnderstand="true"/>`));
    expect(error.kind).toBe('BAD_STRUCTURE');
    expect(error.message).toContain('soapenv:mustUnderstand="true"');
    expect(codecErrorAnswer(error, index).faultcode).toBe('Client');
  });

  it('a response (an OI answering the harness) is not refused for it', () => {
    const response = writer
      .response('createTroubleTicketByValue', { troubleTicketKey: 'K', returnCode: '0', returnLabel: 'OK' })
      .replace(
        /<(\w+):Body>/,
        `<$1:Header><x:Trace xmlns:x="urn:t" $1:mustUnderstand="1"/></$1:Header><$1:Body>`,
      );
    expect(readMessage(response, index).direction).toBe('response');
  });
});

describe('a message of thousands of unknown elements', () => {
  const flood = (n: number) =>
    CREATE.replace('<cbe:troubleDescription>', `${'<a/>'.repeat(n)}<cbe:troubleDescription>`);
  const answerOf = (xml: string) => {
    const msg = readMessage(xml, index, { validator });
    const findings = checkMessage(msg, index).findings;
    return { msg, findings, answer: answerFor(findings, index) };
  };

  it('records a bounded number of issues, one summary for the rest, and keeps the answer', () => {
    const small = answerOf(flood(3));
    const big = answerOf(flood(50_000));
    expect(big.msg.issues.length).toBeLessThanOrEqual(ISSUES_DETAILED + 2);
    expect(big.msg.issues.at(-1)).toMatchObject({ kind: 'more' });
    expect(big.msg.issues.at(-1)!.detail).toContain(`${50_000 - ISSUES_DETAILED} more`);
    expect(big.findings.length).toBeLessThan(ISSUES_DETAILED + 20);
    expect(big.answer).toMatchObject({ kind: 'fault', faultcode: 'Client' });
    expect(big.answer.kind === 'fault' && big.answer.faultstring).toBe(
      small.answer.kind === 'fault' && small.answer.faultstring,
    );
  });

  it('past the cap, the first issue of a new kind is still recorded (the answer does not change)', () => {
    const xml = flood(500)
      .replace(/<\/tt:troubleTicketValue>/, '<cbe:surprise/></tt:troubleTicketValue>')
      .replace(/(<cbe:troubleDescription>[^<]*<\/cbe:troubleDescription>)/, '$1$1');
    const { msg } = answerOf(xml);
    expect(msg.issues.some((i) => i.kind === 'duplicate' && i.field === 'troubleDescription')).toBe(true);
    expect(msg.issues.length).toBeLessThanOrEqual(ISSUES_DETAILED + 3);
  });
});

describe('an unmapped parser diagnostic keeps its words, only the values it quotes are cut', () => {
  it('a namespaced attribute given twice says which and that it is repeated', () => {
    const error = codecError(
      envelope(
        `<a xmlns:x="${ns.soapenv}" xmlns:y="${ns.soapenv}" x:mustUnderstand="1" y:mustUnderstand="0"/>`,
      ),
    );
    expect(error.kind).toBe('MALFORMED_XML');
    expect(error.message).toContain('mustUnderstand');
    expect(error.message).toContain(ns.soapenv);
    expect(error.message).toMatch(/twice|redefined/);
  });

  it('a long quoted value is shortened, the rest of the diagnostic kept', () => {
    const value = `urn:${'v'.repeat(5000)}`;
    const text = plainParserMessage(`Some future diagnostic about '${value}' that ends here`);
    expect(text).toMatch(/^Some future diagnostic about 'urn:v+…' that ends here$/);
    expect(text.length).toBeLessThan(120);
  });

  it('a diagnostic of libxml2 words alone is kept past 60 characters, within 300', () => {
    const words = 'a diagnostic libxml2 may add one day, longer than sixty characters but not a value';
    expect(plainParserMessage(`xmlSomething: ${words}`)).toBe(words);
    expect(plainParserMessage(`x ${'word '.repeat(200)}`).length).toBeLessThanOrEqual(301);
  });
});
