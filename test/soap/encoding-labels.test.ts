/**
 * One rule for the encoding a request names, in its XML declaration as in its HTTP charset: UTF-8,
 * labelled utf-8 or utf8 in any case. US-ASCII is refused in both places.
 */
import { describe, expect, it } from 'vitest';
import { headerRefusal } from '../../mock-server/http/soap-transport.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { isUtf8Label } from '../../src/soap/encoding.ts';
import { CodecError } from '../../src/soap/errors.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const CREATE = new MessageWriter(index).createRequest(
  { ...exampleTicket('oc.create', index), serviceProviderName: 'Hélène' },
  { login: 'oc', password: 'pw' },
);
const declaring = (encoding: string) =>
  Buffer.from(CREATE.replace(/^<\?xml[^>]*\?>/, `<?xml version="1.0" encoding="${encoding}"?>`));

function read(raw: Uint8Array): { ok: true } | { ok: false; error: CodecError } {
  try {
    readMessage(raw, index, { validator });
    return { ok: true };
  } catch (e) {
    if (e instanceof CodecError) return { ok: false, error: e };
    throw e;
  }
}

describe('isUtf8Label', () => {
  it('accepts utf-8 and utf8 in any case, nothing else', () => {
    for (const l of ['utf-8', 'UTF-8', 'Utf-8', 'utf8', 'UTF8']) expect(isUtf8Label(l)).toBe(true);
    for (const l of ['us-ascii', 'US-ASCII', 'iso-8859-1', 'utf-16', 'utf_8', 'UTF-8 ', '', 'csUTF8'])
      expect(isUtf8Label(l)).toBe(false);
  });
});

describe('the XML declaration and the HTTP charset follow the same rule', () => {
  const labels = ['UTF-8', 'utf-8', 'utf8', 'UTF8', 'US-ASCII', 'us-ascii', 'ISO-8859-1'];

  it.each(labels)('%s: the declaration is accepted exactly when the charset is', (label) => {
    const inHeader = headerRefusal(`text/xml; charset=${label}`, undefined) === undefined;
    const inDeclaration = read(declaring(label)).ok;
    expect(inDeclaration).toBe(inHeader);
    expect(inHeader).toBe(isUtf8Label(label));
  });

  it('a declaration of US-ASCII over non-ASCII bytes is refused, naming the encoding', () => {
    const r = read(declaring('US-ASCII'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('NOT_UTF8');
      expect(r.error.message).toBe('XML declaration names encoding "US-ASCII": only UTF-8 is accepted');
    }
  });
});
