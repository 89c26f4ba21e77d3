/**
 * libxml2-wasm behind guards: size limit, UTF-8 only, no DTD and no entity declarations (refused
 * before the parser sees them), no network. Everything here returns or throws {@link CodecError}.
 *
 * The message is handled as UTF-8 bytes end to end: a string is encoded once (natively), bytes are
 * checked natively (`isUtf8`) and handed to libxml2 as they are, never decoded to a JS string.
 */
import { isUtf8 } from 'node:buffer';
import { XmlDocument, type XmlElement, XmlParseError } from 'libxml2-wasm';
import { PARSE_OPTIONS, type ParsedDocument, parseDocument, XSI_NS } from './dom.ts';
import { CodecError } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const tooLarge = (size: number, maxBytes: number) =>
  new CodecError('TOO_LARGE', `message of ${size} bytes exceeds the limit of ${maxBytes} bytes`);

/** UTF-16/UTF-32 (with or without BOM) betray themselves by a BOM or a NUL among the first bytes. */
function refuseWideEncodings(raw: Uint8Array): void {
  const [b0, b1] = raw;
  if (b0 === 0xfe || b0 === 0xff || b0 === 0 || (b0 !== undefined && b1 === 0)) {
    throw new CodecError('NOT_UTF8', 'message is UTF-16 or UTF-32: only UTF-8 is accepted');
  }
}

/** Turns raw bytes into text, refusing anything that is not UTF-8 (or its ASCII subset). */
export function decodeUtf8(raw: Uint8Array | string, maxBytes: number): string {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) throw tooLarge(size, maxBytes);
  if (typeof raw === 'string') return raw;
  refuseWideEncodings(raw);
  try {
    return utf8.decode(raw);
  } catch {
    throw new CodecError('NOT_UTF8', 'message is not valid UTF-8');
  }
}

/** The UTF-8 bytes of a message, within the size limit, or a CodecError. */
export function messageBytes(raw: Uint8Array | string, maxBytes: number): Uint8Array {
  if (typeof raw === 'string') {
    // Each UTF-16 unit is at least one UTF-8 byte: no need to encode a string already too long.
    if (raw.length > maxBytes) throw tooLarge(Buffer.byteLength(raw), maxBytes);
    if (LONE_SURROGATE.test(raw)) {
      throw new CodecError('NOT_UTF8', 'message holds an unpaired UTF-16 surrogate: it cannot be UTF-8');
    }
    const bytes = encoder.encode(raw);
    if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength, maxBytes);
    return bytes;
  }
  if (raw.byteLength > maxBytes) throw tooLarge(raw.byteLength, maxBytes);
  refuseWideEncodings(raw);
  if (!isUtf8(raw)) throw new CodecError('NOT_UTF8', 'message is not valid UTF-8');
  return raw;
}

const NL = 0x0a;
const upper = (b: number | undefined) => (b !== undefined && b >= 0x61 && b <= 0x7a ? b - 0x20 : b);

/** `<!DOCTYPE` or `<!ENTITY` (any case) at `i`; comments and CDATA sections are other `<!`. */
function markupDeclarationAt(bytes: Uint8Array, i: number): string | undefined {
  for (const word of ['DOCTYPE', 'ENTITY']) {
    let match = true;
    for (let k = 0; k < word.length && match; k++) match = upper(bytes[i + 2 + k]) === word.charCodeAt(k);
    if (match) return word;
  }
  return undefined;
}

const BANG = 0x21;
const LT = 0x3c;

/**
 * Refuses DTDs and entity declarations before libxml2 sees them (billion laughs, XXE). A `!` is
 * rare in a message: it is searched natively, then the `<` before it is looked at.
 */
function refuseDtd(bytes: Buffer): void {
  for (let i = bytes.indexOf(BANG, 1); i >= 0; i = bytes.indexOf(BANG, i + 1)) {
    const at = i - 1;
    if (bytes[at] !== LT) continue;
    const word = markupDeclarationAt(bytes, at);
    if (!word) continue;
    let line = 1;
    for (let k = 0; k < at; k++) if (bytes[k] === NL) line++;
    throw new CodecError('DTD_FORBIDDEN', `<!${word} found: DTDs and entity declarations are refused`, line);
  }
}

/** An XML declaration naming another encoding than UTF-8 is refused, whatever the bytes. */
function refuseDeclaredEncoding(bytes: Buffer): void {
  const head = bytes.toString('latin1', 0, Math.min(bytes.byteLength, 256));
  const decl = /^(?:\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head);
  if (decl && !/^(utf-?8|us-ascii)$/i.test(decl[1]!)) {
    throw new CodecError('NOT_UTF8', `XML declaration names encoding "${decl[1]}": only UTF-8 is accepted`);
  }
}

/** libxml2's failure as a CodecError (the first diagnostic, with its line). */
function parseFailure(e: unknown): CodecError {
  if (e instanceof XmlParseError) {
    const d = e.details[0];
    return new CodecError('MALFORMED_XML', `malformed XML: ${(d?.message ?? e.message).trim()}`, d?.line);
  }
  return new CodecError('MALFORMED_XML', `malformed XML: ${(e as Error)?.message ?? String(e)}`);
}

/** The DTD and encoding guards, then a parse whose failure becomes a CodecError. */
function guardedParse<T>(bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  refuseDtd(buffer);
  refuseDeclaredEncoding(buffer);
  try {
    return parse(bytes);
  } catch (e) {
    throw parseFailure(e);
  }
}

/** Parses guarded UTF-8 bytes. The caller owns the document and must dispose it. */
export function parseXmlBytes(bytes: Uint8Array): XmlDocument {
  return guardedParse(bytes, (b) => XmlDocument.fromBuffer(b, { option: PARSE_OPTIONS }));
}

/** Parses XML text. The caller owns the document and must dispose it. */
export function parseXml(text: string): XmlDocument {
  if (LONE_SURROGATE.test(text)) {
    throw new CodecError('NOT_UTF8', 'message holds an unpaired UTF-16 surrogate: it cannot be UTF-8');
  }
  return parseXmlBytes(encoder.encode(text));
}

/** Size limit, encoding and DTD guards, then parse: raw message → tree (caller disposes it). */
export function parseMessageTree(raw: Uint8Array | string, maxBytes: number): ParsedDocument {
  return guardedParse(messageBytes(raw, maxBytes), parseDocument);
}

export { XSI_NS };

/** True when the element carries xsi:nil="true" (or "1"), whatever its prefix. */
export function isNil(el: XmlElement): boolean {
  for (const a of el.attrs) {
    if (a.name === 'nil' && a.namespaceUri === XSI_NS) {
      const v = a.value.trim();
      return v === 'true' || v === '1';
    }
  }
  return false;
}
