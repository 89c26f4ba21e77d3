/**
 * Hostile and broken inputs: each one gives a CodecError of a precise kind (or, when a field can be
 * blamed, a ReadIssue naming it), never another exception, and each CodecError maps to a SOAP 1.1
 * fault that we can write and read back.
 */
import { describe, expect, it } from 'vitest';
import { defaultIndex, getProfile, indexProfile } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { codecErrorAnswer } from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { CodecError, type CodecErrorKind } from '../../src/soap/errors.ts';
import type { DecodedMessage } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const writer = new MessageWriter(index);
const ns = index.ns;
const CREATE = writer.createRequest(exampleTicket('oc.create', index), { login: 'oc', password: 'pw' });

/** Reads and returns the CodecError, failing if anything else happens. */
function codecError(raw: string | Uint8Array, maxBytes?: number): CodecError {
  try {
    readMessage(raw, index, { validator, ...(maxBytes ? { maxBytes } : {}) });
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw new Error(`expected a CodecError, got ${String(e)}`);
  }
  throw new Error('expected a CodecError, the message was read');
}

const envelope = (body: string, soapNs = ns.soapenv) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${soapNs}"><s:Body>${body}</s:Body></s:Envelope>`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<s:Envelope xmlns:s="${ns.soapenv}"><s:Body><x>&lol9;</x></s:Body></s:Envelope>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
${CREATE.replace(/^<\?xml[^>]*>/, '').replace('<cbe:troubleDescription>', '<cbe:troubleDescription>&xxe;')}`;

interface Case {
  name: string;
  raw: () => string | Uint8Array;
  kind: CodecErrorKind;
  /** Text the error message must contain (it names what is wrong). */
  says: string;
  maxBytes?: number;
}

const cases: Case[] = [
  {
    name: 'malformed XML (unclosed element)',
    raw: () => CREATE.replace('</tt:troubleTicketValue>', ''),
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
  {
    name: 'malformed XML (bad attribute)',
    raw: () => envelope('<a b=c/>'),
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
  {
    name: 'truncated message',
    raw: () => CREATE.slice(0, CREATE.length / 2),
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
  {
    name: 'undefined entity reference',
    raw: () => envelope('<a>&nbsp;</a>'),
    kind: 'MALFORMED_XML',
    says: 'nbsp',
  },
  { name: 'empty input', raw: () => '', kind: 'MALFORMED_XML', says: 'empty' },
  { name: 'billion laughs', raw: () => BILLION_LAUGHS, kind: 'DTD_FORBIDDEN', says: '<!DOCTYPE' },
  {
    name: 'external entity (XXE, file:///etc/passwd)',
    raw: () => XXE,
    kind: 'DTD_FORBIDDEN',
    says: '<!DOCTYPE',
  },
  {
    name: 'external DTD',
    raw: () => `<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">${envelope('')}`,
    kind: 'DTD_FORBIDDEN',
    says: 'DTD',
  },
  {
    name: 'entity declaration in lower case',
    raw: () => `<!doctype x [<!entity a "b">]>${envelope('')}`,
    kind: 'DTD_FORBIDDEN',
    says: 'DOCTYPE',
  },
  {
    name: '10 MB body',
    raw: () =>
      CREATE.replace('<cbe:troubleDescription>', `<cbe:troubleDescription>${'x'.repeat(10 * 1024 * 1024)}`),
    kind: 'TOO_LARGE',
    says: 'exceeds the limit',
  },
  {
    name: '10 MB body as bytes',
    raw: () =>
      Buffer.from(
        CREATE.replace('<cbe:troubleDescription>', `<cbe:troubleDescription>${'é'.repeat(5 * 1024 * 1024)}`),
      ),
    kind: 'TOO_LARGE',
    says: 'exceeds the limit',
  },
  {
    name: 'a message over a small configured limit',
    raw: () => CREATE,
    maxBytes: 100,
    kind: 'TOO_LARGE',
    says: 'limit of 100 bytes',
  },
  {
    name: 'SOAP 1.2 envelope',
    raw: () => envelope('<a/>', 'http://www.w3.org/2003/05/soap-envelope'),
    kind: 'SOAP_VERSION_MISMATCH',
    says: 'SOAP 1.2',
  },
  {
    name: 'Envelope without namespace',
    raw: () => '<Envelope><Body/></Envelope>',
    kind: 'SOAP_VERSION_MISMATCH',
    says: 'SOAP 1.1',
  },
  {
    name: 'non-SOAP root',
    raw: () => `<tt:createTroubleTicketByValueRequest xmlns:tt="${ns.tt}"/>`,
    kind: 'NOT_SOAP_ENVELOPE',
    says: 'createTroubleTicketByValueRequest',
  },
  {
    name: 'operation element in a wrong namespace',
    raw: () => CREATE.replaceAll(`xmlns:tt="${ns.tt}"`, 'xmlns:tt="http://ossj.org/xml/TroubleTicket/v9-9"'),
    kind: 'WRONG_NAMESPACE',
    says: 'createTroubleTicketByValueRequest',
  },
  {
    name: 'unknown operation',
    raw: () => envelope(`<tt:deleteTroubleTicketRequest xmlns:tt="${ns.tt}"/>`),
    kind: 'UNKNOWN_OPERATION',
    says: 'deleteTroubleTicketRequest',
  },
  { name: 'empty body', raw: () => envelope(''), kind: 'EMPTY_BODY', says: 'empty' },
  {
    name: 'body with only blanks and a comment',
    raw: () => envelope('\n  <!-- nothing -->\n'),
    kind: 'EMPTY_BODY',
    says: 'empty',
  },
  {
    name: 'no body',
    raw: () => `<s:Envelope xmlns:s="${ns.soapenv}"><s:Header/></s:Envelope>`,
    kind: 'NO_BODY',
    says: 'no Body',
  },
  {
    name: 'two operations in the body',
    raw: () =>
      envelope(
        `<tt:getTroubleTicketTypesRequest xmlns:tt="${ns.tt}"/><tt:getTroubleTicketTypesRequest xmlns:tt="${ns.tt}"/>`,
      ),
    kind: 'BAD_STRUCTURE',
    says: '2 elements',
  },
  {
    name: 'header after the body',
    raw: () => `<s:Envelope xmlns:s="${ns.soapenv}"><s:Body/><s:Header/></s:Envelope>`,
    kind: 'BAD_STRUCTURE',
    says: 'Header',
  },
  {
    name: 'foreign element in the envelope',
    raw: () => `<s:Envelope xmlns:s="${ns.soapenv}"><x/><s:Body/></s:Envelope>`,
    kind: 'BAD_STRUCTURE',
    says: '<x>',
  },
  {
    name: 'create without troubleTicketValue',
    raw: () => envelope(`<tt:createTroubleTicketByValueRequest xmlns:tt="${ns.tt}"/>`),
    kind: 'BAD_STRUCTURE',
    says: 'troubleTicketValue',
  },
  {
    name: 'binary garbage',
    raw: () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256),
    kind: 'NOT_UTF8',
    says: 'UTF',
  },
  {
    name: 'garbage that happens to be UTF-8',
    raw: () => 'ceci n est pas du XML { "a": 1 }',
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
  {
    name: 'invalid UTF-8 inside a field',
    raw: () =>
      Buffer.concat([
        Buffer.from(CREATE.slice(0, 400)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(CREATE.slice(400)),
      ]),
    kind: 'NOT_UTF8',
    says: 'not valid UTF-8',
  },
  {
    name: 'UTF-16LE with BOM',
    raw: () =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CREATE.replace('UTF-8', 'UTF-16'), 'utf16le')]),
    kind: 'NOT_UTF8',
    says: 'UTF-16',
  },
  {
    name: 'UTF-16BE without BOM',
    raw: () => Buffer.from(CREATE, 'utf16le').swap16(),
    kind: 'NOT_UTF8',
    says: 'UTF-16',
  },
  {
    name: 'UTF-16LE without BOM',
    raw: () => Buffer.from(CREATE, 'utf16le'),
    kind: 'NOT_UTF8',
    says: 'UTF-16',
  },
  {
    name: 'declared ISO-8859-1',
    raw: () => CREATE.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
    kind: 'NOT_UTF8',
    says: 'ISO-8859-1',
  },
  {
    name: 'string with an unpaired surrogate',
    raw: () => CREATE.replace('<cbe:troubleDescription>', '<cbe:troubleDescription>\uD800'),
    kind: 'NOT_UTF8',
    says: 'surrogate',
  },
  {
    name: 'NUL character',
    raw: () => CREATE.replace('<cbe:troubleDescription>', '<cbe:troubleDescription>\u0000'),
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
  {
    name: 'nesting deeper than the parser allows',
    raw: () => envelope(`${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`),
    kind: 'MALFORMED_XML',
    says: 'malformed XML',
  },
];

describe('hostile inputs give a precise CodecError', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const error = codecError(c.raw(), c.maxBytes);
    expect(error.kind).toBe(c.kind);
    expect(error.message).toContain(c.says);
  });

  it('the XXE never reaches the file system: nothing of /etc/passwd in the error', () => {
    expect(codecError(XXE).message).not.toMatch(/root:/);
  });

  it('errors point at the line of the problem', () => {
    const lines = CREATE.replace(/></g, '>\n<');
    const broken = lines.replace('<cbe:troubleDescription>', '<cbe:troubleDescription><');
    const line = broken.split('\n').findIndex((l) => l.includes('<cbe:troubleDescription><')) + 1;
    expect(codecError(broken).line).toBe(line);
    expect(codecError(`\n\n${BILLION_LAUGHS.replace(/^<\?xml[^>]*>\n/, '')}`).line).toBe(3);
  });
});

describe('each CodecError maps to a SOAP 1.1 fault we can write and read back', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const error = codecError(c.raw(), c.maxBytes);
    const answer = codecErrorAnswer(error, index);
    expect(answer.kind).toBe('fault');
    expect(answer.faultcode).toBe(error.kind === 'SOAP_VERSION_MISMATCH' ? 'VersionMismatch' : 'Client');
    const fault = readMessage(
      writer.fault({ faultcode: answer.faultcode, faultstring: answer.faultstring }),
      index,
    );
    expect(fault.body).toMatchObject({
      kind: 'fault',
      fault: { faultcode: `${index.profile.prefixes.soapenv}:${answer.faultcode}` },
    });
  });
});

describe('field-level problems are ReadIssues naming the field, not errors', () => {
  const read = (xml: string, idx = index): DecodedMessage => readMessage(xml, idx, { validator });
  const issues = (xml: string, idx = index) => read(xml, idx).issues.map((i) => [i.kind, i.field]);

  it('a ftth child in a wrong namespace is blamed on that field', () => {
    const xml = CREATE.replace(
      /<ftth:supplierID>([^<]*)<\/ftth:supplierID>/,
      '<x:supplierID xmlns:x="http://interop-fibre.fr/xml/TroubleTicketValue/v3-0">$1</x:supplierID>',
    );
    const msg = read(xml);
    expect(msg.issues.map((i) => [i.kind, i.field])).toEqual([['wrong-namespace', 'supplierID']]);
    expect(msg.body.kind === 'createRequest' && msg.body.ticket.supplierID).toBeUndefined();
    expect(msg.schemaErrors.length).toBeGreaterThan(0);
  });

  it('…and accepted, still reported, when the profile is lenient', () => {
    const lenient = indexProfile(getProfile(undefined, { lenientFtthNamespace: true }));
    const xml = CREATE.replace(
      /<ftth:supplierID>([^<]*)<\/ftth:supplierID>/,
      '<x:supplierID xmlns:x="urn:other">$1</x:supplierID>',
    );
    const msg = readMessage(xml, lenient);
    expect(msg.issues.map((i) => [i.kind, i.field])).toEqual([['wrong-namespace', 'supplierID']]);
    expect(msg.body.kind === 'createRequest' && msg.body.ticket.supplierID).toBe('343059564');
  });

  it('every ftth child in the value namespace (a common client mistake) is blamed field by field', () => {
    const xml = CREATE.replaceAll(`xmlns:ftth="${ns.ftth}"`, `xmlns:ftth="${ns.cbe}"`);
    const blamed = issues(xml)
      .filter(([k]) => k === 'wrong-namespace')
      .map(([, f]) => f);
    const ftthFields = Object.keys(exampleTicket('oc.create', index)).filter(
      (n) => index.field.get(n)?.group === 'ftth',
    );
    expect(blamed).toEqual(ftthFields);
  });

  it('duplicate, out-of-order, unknown, ignored and non-simple elements', () => {
    const xml = CREATE.replace(/(<ftth:offerId>[^<]*<\/ftth:offerId>)/, '$1$1')
      .replace(
        /(<bi:interactionDate>[^<]*<\/bi:interactionDate>)(<bi:description>[^<]*<\/bi:description>)/,
        '$2$1',
      )
      .replace(
        '<cbe:troubleDescription>',
        '<cbe:businessInteractionState/><cbe:surprise>1</cbe:surprise><cbe:troubleDescription>',
      )
      .replace(/<ftth:defectDescription>[^<]*/, '<ftth:defectDescription><b>PAS DE SIGNAL</b>');
    expect(issues(xml)).toEqual([
      ['out-of-order', 'interactionDate'],
      ['ignored', 'businessInteractionState'],
      ['unknown-element', 'surprise'],
      ['duplicate', 'offerId'],
      ['not-simple', 'defectDescription'],
    ]);
  });

  it('an XInclude is not processed: it stays an element inside the field', () => {
    const xml = CREATE.replace(
      '<cbe:troubleDescription>',
      '<cbe:troubleDescription><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>',
    );
    const msg = read(xml);
    expect(msg.issues.map((i) => [i.kind, i.field])).toEqual([['not-simple', 'troubleDescription']]);
    expect(JSON.stringify(msg.body)).not.toMatch(/root:/);
  });

  it('character references, CDATA and comments read as their text', () => {
    const xml = CREATE.replace(
      /<cbe:troubleDescription>[^<]*/,
      '<cbe:troubleDescription>&#201;t&#xE9; <![CDATA[<coupure> & ]]><!-- x -->fin',
    );
    const msg = read(xml);
    expect(msg.issues).toEqual([]);
    expect(msg.body.kind === 'createRequest' && msg.body.ticket.troubleDescription).toBe(
      'Été <coupure> & fin',
    );
  });
});
