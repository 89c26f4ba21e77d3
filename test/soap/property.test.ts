/**
 * Property-based robustness (fast-check): random text, random bytes and mutated valid envelopes
 * (elements dropped, duplicated, swapped, text changed, entities and garbage injected, namespaces
 * changed, truncated) go through readMessage and the rule engine. Nothing but a CodecError is ever
 * thrown, every decoded message and every answer is well formed. And whatever values a ticket holds,
 * the writer's output is well formed and reads back to them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import {
  type Answer,
  answerFor,
  checkMessage,
  codecErrorAnswer,
  type RuleContext,
} from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { treeKind, useTree } from '../../src/soap/dom.ts';
import { CodecError } from '../../src/soap/errors.ts';
import type { DecodedMessage, TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { buildFixtures } from '../fixtures/build.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const writer = new MessageWriter(index);
const fixtures = buildFixtures(index).map((f) => f.xml);
const RUNS = { numRuns: 300 };
const { missing, invalid } = index.profile.returnCodes;
const DIRECTIONS = ['request', 'response', 'fault'];
const BODY_KINDS = [
  'createRequest',
  'setRequest',
  'getRequest',
  'metaRequest',
  'ticketResponse',
  'metaResponse',
  'fault',
];
const CONTEXTS: RuleContext[] = [
  {},
  { sender: 'OC', current: { state: 'OPENACTIVE', lastUpdateVersionNumber: 2 } },
];

function assertAnswer(a: Answer): void {
  switch (a.kind) {
    case 'ok':
      return;
    case 'returnCode':
      expect([missing, invalid]).toContain(a.code);
      expect(a.label.length).toBeGreaterThan(0);
      expect(typeof a.finding.rule).toBe('string');
      return;
    case 'fault':
      expect(['Client', 'Server', 'VersionMismatch']).toContain(a.faultcode);
      expect(typeof a.faultstring).toBe('string');
      expect(a.choice.length).toBeGreaterThan(0);
      return;
    default:
      throw new Error(`malformed answer ${JSON.stringify(a)}`);
  }
}

function assertDecoded(msg: DecodedMessage): void {
  expect(DIRECTIONS).toContain(msg.direction);
  expect(BODY_KINDS).toContain(msg.body.kind);
  for (const i of msg.issues) {
    expect(typeof i.field).toBe('string');
    expect(Number.isInteger(i.line)).toBe(true);
  }
  for (const line of Object.values(msg.lines)) expect(Number.isInteger(line)).toBe(true);
  for (const e of msg.schemaErrors) expect(typeof e.message).toBe('string');
  if (msg.body.kind === 'createRequest' || msg.body.kind === 'setRequest') {
    for (const v of Object.values(msg.body.ticket)) expect(v === null || typeof v === 'string').toBe(true);
  }
}

/** The whole receiving path: read, check, answer. Only a CodecError may be thrown by the reader. */
function exercise(raw: string | Uint8Array): void {
  let msg: DecodedMessage;
  try {
    msg = readMessage(raw, index, { validator });
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const answer = codecErrorAnswer(e, index);
    expect(answer.kind).toBe('fault');
    assertAnswer(answer);
    return;
  }
  assertDecoded(msg);
  for (const ctx of CONTEXTS) {
    const outcome = checkMessage(msg, index, ctx);
    for (const f of outcome.findings) {
      expect(typeof f.rule).toBe('string');
      expect(['error', 'warning', 'info']).toContain(f.severity);
      expect(typeof f.message).toBe('string');
    }
    assertAnswer(answerFor(outcome.findings, index));
  }
}

// ---- mutations of valid envelopes -------------------------------------------------------------

/** Leaf elements (`<x …/>` or `<x …>text</x>`), as [start, end) offsets. */
function leaves(xml: string): [number, number][] {
  return [...xml.matchAll(/<([\w:.-]+)(?:\s[^<>]*)?(?:\/>|>[^<]*<\/\1>)/g)].map((m) => [
    m.index,
    m.index + m[0].length,
  ]);
}

const INJECTIONS = [
  '&lol;',
  '&#0;',
  '&#x10FFFF;',
  '&#xD800;',
  '&amp;',
  '&',
  '<',
  ']]>',
  '<![CDATA[<x>]]>',
  '<!-- -->',
  '<?pi x?>',
  '<!DOCTYPE x [<!ENTITY lol "lol">]>',
  '<!ENTITY xxe SYSTEM "file:///etc/passwd">',
  '<x:y xmlns:x="urn:x"/>',
  'xsi:nil="true"',
  '\u0000',
  '\uFFFE',
  '\uD800',
  '\r\n',
  'é',
];
const URIS = [...Object.values(index.ns), 'urn:other', '', 'http://www.w3.org/2003/05/soap-envelope'];

type Mutation = (xml: string) => string;
const pick = <T>(xs: T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
const at = (i: number, xml: string) => i % (xml.length + 1);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map(
    (i): Mutation =>
      (xml) => {
        const l = pick(leaves(xml), i);
        return l ? xml.slice(0, l[0]) + xml.slice(l[1]) : xml;
      },
  ),
  fc.nat().map(
    (i): Mutation =>
      (xml) => {
        const l = pick(leaves(xml), i);
        return l ? xml.slice(0, l[1]) + xml.slice(l[0], l[1]) + xml.slice(l[1]) : xml;
      },
  ),
  fc.tuple(fc.nat(), fc.nat()).map(
    ([i, j]): Mutation =>
      (xml) => {
        const ls = leaves(xml);
        const [a, b] = [pick(ls, i), pick(ls, j)].sort((x, y) => (x?.[0] ?? 0) - (y?.[0] ?? 0));
        if (!a || !b || a[0] === b[0]) return xml;
        return (
          xml.slice(0, a[0]) +
          xml.slice(b[0], b[1]) +
          xml.slice(a[1], b[0]) +
          xml.slice(a[0], a[1]) +
          xml.slice(b[1])
        );
      },
  ),
  fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 40 })).map(
    ([i, text]): Mutation =>
      (xml) => {
        const l = pick(leaves(xml), i);
        if (!l) return xml;
        const leaf = xml.slice(l[0], l[1]);
        const open = leaf.indexOf('>') + 1;
        const close = leaf.lastIndexOf('</');
        if (close < open) return xml;
        return xml.slice(0, l[0] + open) + text + xml.slice(l[0] + close);
      },
  ),
  fc.tuple(fc.nat(), fc.constantFrom(...INJECTIONS)).map(
    ([i, s]): Mutation =>
      (xml) => {
        const p = at(i, xml);
        return xml.slice(0, p) + s + xml.slice(p);
      },
  ),
  fc.tuple(fc.nat(), fc.string({ unit: 'grapheme', maxLength: 20 })).map(
    ([i, s]): Mutation =>
      (xml) => {
        const p = at(i, xml);
        return xml.slice(0, p) + s + xml.slice(p);
      },
  ),
  fc.tuple(fc.constantFrom(...Object.values(index.ns)), fc.constantFrom(...URIS)).map(
    ([from, to]): Mutation =>
      (xml) =>
        xml.replace(`"${from}"`, `"${to}"`),
  ),
  fc.nat().map(
    (i): Mutation =>
      (xml) => {
        const l = pick(leaves(xml), i);
        if (!l) return xml;
        const end = xml.indexOf('>', l[0]);
        const selfClosing = xml[end - 1] === '/';
        const p = selfClosing ? end - 1 : end;
        return `${xml.slice(0, p)} xsi:nil="true"${xml.slice(p)}`;
      },
  ),
  fc.nat().map(
    (i): Mutation =>
      (xml) =>
        xml.slice(0, at(i, xml)),
  ),
);

describe('nothing but a CodecError escapes, every answer is well formed', () => {
  it('random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => exercise(s)),
      RUNS,
    );
  });

  it('random text made of XML and SOAP pieces', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '/',
      '="',
      '"',
      ' ',
      'soapenv:',
      'Envelope',
      'Body',
      'Header',
      `xmlns:soapenv="${index.ns.soapenv}"`,
      `xmlns:tt="${index.ns.tt}"`,
      'tt:createTroubleTicketByValueRequest',
      'tt:troubleTicketValue',
      ...INJECTIONS,
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => exercise(parts.join(''))),
      RUNS,
    );
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => exercise(b)),
      RUNS,
    );
  });

  it('valid envelopes with 1 to 4 mutations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (xml, ms) => exercise(ms.reduce((x, m) => m(x), xml)),
      ),
      RUNS,
    );
  });

  it('valid envelopes as bytes with flipped bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (xml, flips) => {
          const bytes = Buffer.from(xml, 'utf8');
          for (const [i, b] of flips) bytes[i % bytes.length] = b;
          exercise(bytes);
        },
      ),
      RUNS,
    );
  });
});

describe('the fast tree access agrees with the public API', () => {
  /** The outcome of reading with one access: the decoded message, or the CodecError kind and message. */
  function outcome(raw: string, kind: 'raw' | 'public'): unknown {
    const before = treeKind();
    useTree(kind);
    try {
      return readMessage(raw, index, { validator });
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return { kind: e.kind, message: e.message, line: e.line };
    } finally {
      useTree(before);
    }
  }

  it('is the access in use on this platform', () => {
    expect(treeKind()).toBe('raw');
  });

  it('both accesses read past a processing instruction between elements', () => {
    for (const xml of fixtures.slice(0, 10)) {
      const raw = xml
        .replace('<soapenv:Body>', '<?pi x?><soapenv:Body>')
        .replace('</soapenv:Body>', '<?pi y?></soapenv:Body>');
      const read = outcome(raw, 'public');
      expect(read).toEqual(outcome(raw, 'raw'));
      expect(read).toHaveProperty('body');
    }
  });

  it('both accesses decode every mutated envelope identically', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (xml, ms) => {
          const raw = ms.reduce((x, m) => m(x), xml);
          expect(outcome(raw, 'raw')).toEqual(outcome(raw, 'public'));
        },
      ),
      RUNS,
    );
  });
});

describe('the writer never produces malformed XML', () => {
  const NOT_XML_CHAR =
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({
      unit: fc.constantFrom(
        'a',
        '&',
        '<',
        '>',
        '"',
        "'",
        '\r',
        '\n',
        '\t',
        ' ',
        '\uD800',
        '\uDC00',
        '\u0001',
        'é',
      ),
      maxLength: 20,
    }),
    fc.constant(null),
  );
  const ticket = fc.dictionary(fc.constantFrom(...index.profile.fields.map((f) => f.name)), value, {
    maxKeys: 12,
  });

  it('any ticket value reads back as written (characters XML cannot carry become U+FFFD)', () => {
    fc.assert(
      fc.property(ticket, (t: TicketValue) => {
        const msg = readMessage(writer.createRequest(t, { login: 'l\r\n', password: '&<p>' }), index);
        const expected: TicketValue = {};
        for (const f of index.profile.fields) {
          const v = t[f.name];
          if (v !== undefined) expected[f.name] = v === null ? null : v.replace(NOT_XML_CHAR, '\uFFFD');
          else if (f.required) expected[f.name] = null;
        }
        expect(msg.body).toEqual({ kind: 'createRequest', ticket: expected });
        expect(msg.credentials).toEqual({ login: 'l\r\n', password: '&<p>' });
      }),
      RUNS,
    );
  });
});
