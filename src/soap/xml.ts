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
import { isUtf8Label } from './encoding.ts';
import { CodecError, shorten } from './errors.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const NL = 0x0a;
const LT = 0x3c;
const BANG = 0x21;
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

/** Offset of the first byte that does not start a valid UTF-8 sequence (-1 when none): error path only. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const c1 = b[i + 1];
    if (c1 === undefined || c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) {
      const ck = b[i + k];
      if (ck === undefined || ck < 0x80 || ck > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (bytes[k] === NL) line++;
  return line;
}

function notUtf8(bytes: Uint8Array): CodecError {
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return new CodecError('NOT_UTF8', 'message is not valid UTF-8');
  const line = lineAt(bytes, at);
  const seq = Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return new CodecError(
    'NOT_UTF8',
    `message is not valid UTF-8: invalid byte sequence at byte offset ${at} (line ${line}, bytes ${seq})`,
    line,
  );
}

/** Turns raw bytes into text, refusing anything that is not UTF-8 (or its ASCII subset). */
export function decodeUtf8(raw: Uint8Array | string, maxBytes: number): string {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) throw tooLarge(size, maxBytes);
  if (typeof raw === 'string') return raw;
  refuseWideEncodings(raw);
  refuseDeclaredEncoding(raw);
  try {
    return utf8.decode(raw);
  } catch {
    throw notUtf8(raw);
  }
}

/**
 * The UTF-8 bytes of a message, within the size limit, or a CodecError. The XML declaration is read
 * before the bytes are checked: Latin-1 bytes declared ISO-8859-1 are told about their declaration.
 */
export function messageBytes(raw: Uint8Array | string, maxBytes: number): Uint8Array {
  if (typeof raw === 'string') {
    // Each UTF-16 unit is at least one UTF-8 byte: no need to encode a string already too long.
    if (raw.length > maxBytes) throw tooLarge(Buffer.byteLength(raw), maxBytes);
    if (LONE_SURROGATE.test(raw)) {
      throw new CodecError('NOT_UTF8', 'message holds an unpaired UTF-16 surrogate: it cannot be UTF-8');
    }
    const bytes = encoder.encode(raw);
    if (bytes.byteLength > maxBytes) throw tooLarge(bytes.byteLength, maxBytes);
    refuseDeclaredEncoding(bytes);
    return bytes;
  }
  if (raw.byteLength > maxBytes) throw tooLarge(raw.byteLength, maxBytes);
  refuseWideEncodings(raw);
  refuseDeclaredEncoding(raw);
  if (!isUtf8(raw)) throw notUtf8(raw);
  return raw;
}

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
    const line = lineAt(bytes, at);
    throw new CodecError(
      'DTD_FORBIDDEN',
      `<!${word} found at line ${line}: DTDs and entity declarations are refused, and the text is searched for them before it is parsed, so "<!${word}" is refused even inside a comment, a CDATA section or a value (write &lt;!${word} in a value)`,
      line,
    );
  }
}

/** A legitimate XML declaration is well under 100 bytes; one longer than this is refused. */
export const XML_DECLARATION_MAX_BYTES = 1024;
const GT = 0x3e;
const QM = 0x3f;
const isBlank = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * An XML declaration naming another encoding than UTF-8 is refused, whatever the bytes. The whole
 * declaration is read (to its `?>`, within {@link XML_DECLARATION_MAX_BYTES}): padding cannot push
 * the encoding out of sight. The parser is told UTF-8 anyway (dom.ts).
 */
function refuseDeclaredEncoding(bytes: Uint8Array): void {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (isBlank(bytes[i])) i++;
  // `<?xml` then a blank or `?` (not `<?xml-stylesheet`, another processing instruction).
  if (
    bytes[i] !== LT ||
    bytes[i + 1] !== QM ||
    ((bytes[i + 2] ?? 0) | 0x20) !== 0x78 ||
    ((bytes[i + 3] ?? 0) | 0x20) !== 0x6d ||
    ((bytes[i + 4] ?? 0) | 0x20) !== 0x6c ||
    !(isBlank(bytes[i + 5]) || bytes[i + 5] === QM)
  ) {
    return;
  }
  const limit = Math.min(bytes.byteLength, i + XML_DECLARATION_MAX_BYTES);
  // No `>` may appear inside a declaration: the first one ends it.
  let end = i + 5;
  while (end < limit && bytes[end] !== GT) end++;
  const line = i === 0 ? 1 : lineAt(bytes, i);
  if (end >= limit) {
    throw new CodecError(
      'MALFORMED_XML',
      end < bytes.byteLength
        ? `malformed XML at line ${line}: the XML declaration (<?xml …?>) is longer than ${XML_DECLARATION_MAX_BYTES} bytes`
        : `malformed XML at line ${line}: the XML declaration (<?xml …) is not closed by "?>"`,
      line,
    );
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + i, end + 1 - i).toString('latin1');
  const decl = /\sencoding\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(text);
  const encoding = decl?.[1] ?? decl?.[2];
  if (encoding !== undefined && !isUtf8Label(encoding)) {
    throw new CodecError(
      'NOT_UTF8',
      `XML declaration names encoding "${shorten(encoding)}": only UTF-8 is accepted`,
      line,
    );
  }
  if (bytes[end - 1] !== QM) {
    throw new CodecError(
      'MALFORMED_XML',
      `malformed XML at line ${line}: the XML declaration (<?xml …) is not closed by "?>"`,
      line,
    );
  }
}

/**
 * libxml2's diagnostics in plain English, without its function names or advice about its options
 * (a client cannot set them). `$1`… are the diagnostic's captures, shortened.
 */
const PARSER_WORDING: [RegExp, string][] = [
  [/^xmlParseEntityRef: no name/, "'&' must start an entity or character reference (write &amp;)"],
  [
    /^Entity '([^']*)' not defined/,
    'entity &$1; is not defined (only &amp; &lt; &gt; &quot; &apos; and character references are)',
  ],
  [/^EntityRef: expecting ';'/, "an entity reference must end with ';' (write &amp; for a literal '&')"],
  [
    /^xmlParseCharRef: invalid xmlChar value (\d+)/,
    'character reference to code point $1, which XML does not allow',
  ],
  [/^CharRef: invalid (\w+) value/, 'invalid $1 character reference (&#…;)'],
  [/^Excessive depth in document: (\d+)/, 'nesting deeper than $1 elements is refused'],
  [
    /^Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)/,
    'end tag </$3> does not match start tag <$1> of line $2',
  ],
  [/^Premature end of data in tag (\S+) line (\d+)/, 'the message ends before <$1> of line $2 is closed'],
  [
    /^(?:Invalid character: )?Char 0x([0-9A-Fa-f]+) out of allowed range/,
    'character U+$1 is not allowed in XML',
  ],
  [/^PCDATA invalid Char value (\d+)/, 'character of code point $1 is not allowed in XML text'],
  [/^StartTag: invalid element name/, "'<' must start an element name (write &lt; for a literal '<')"],
  [/^Unescaped '<' not allowed in attributes values/, "'<' in an attribute value (write &lt;)"],
  [/^AttValue: .* expected/, 'an attribute value must be in quotes'],
  [/^Attribute (\S+) redefined/, 'attribute $1 appears twice on the same element'],
  [
    /^Namespaced Attribute (\S+) in '([^']*)' redefined/,
    'attribute $1 of namespace "$2" appears twice on the same element',
  ],
  [/^Namespace prefix (\S+) on (\S+) is not defined/, 'namespace prefix $1 of <$2> is not declared'],
  [/^Extra content at the end of the document/, 'content after the end of the root element'],
  [/^XML declaration allowed only at the start/, 'an XML declaration (<?xml …?>) may only open the message'],
  [/^Sequence '\]\]>' not allowed in content/, "']]>' in text (write ]]&gt;)"],
  [/^Double hyphen within comment/, "'--' inside a comment"],
  [/^Name too long/, 'a name is too long'],
  [/^Resource limit exceeded: Text node too long/, 'a text node is too long'],
  [/^Document is empty/, 'the message is empty'],
  [/^Start tag expected, '<' not found/, "the message does not start with an element ('<' not found)"],
];

/** An unmapped diagnostic is kept whole up to this many characters (its quoted values are cut first). */
export const PARSER_MESSAGE_MAX = 300;
/** What libxml2 quotes from the message ('…' or "…"), and any other run long enough to be a value. */
const QUOTED_OR_LONG = /'[^']*'|"[^"]*"|[^\s'"]{61,}/g;

/** A quoted value (with its quotes) or a bare run, shortened as a client value is. */
function shortenQuoted(s: string): string {
  const q = s[0];
  return q === "'" || q === '"' ? `${q}${shorten(s.slice(1, -1))}${q}` : shorten(s);
}

/**
 * One diagnostic, reworded (unknown ones lose their function-name prefix and option advice). Only
 * the client's values it quotes are shortened; libxml2's own words stay whole, within a bound.
 */
export function plainParserMessage(message: string): string {
  const m = message.trim();
  for (const [re, text] of PARSER_WORDING) {
    const match = re.exec(m);
    if (match) return text.replace(/\$(\d)/g, (_, n: string) => shorten(match[Number(n)] ?? ''));
  }
  return shorten(
    m
      .replace(/^\w+:\s*/, '')
      .replace(/,?\s*(?:use|try)\s+XML_PARSE_\w+(?:\s+option)?/gi, '')
      .replace(/XML_PARSE_\w+/g, 'a parser option')
      .replace(QUOTED_OR_LONG, shortenQuoted),
    PARSER_MESSAGE_MAX,
  );
}

/** libxml2's failure as a CodecError: the first diagnostic that failed the parse, with its position. */
function parseFailure(e: unknown): CodecError {
  if (e instanceof XmlParseError) {
    const d = e.details.find((x) => x.level >= 2) ?? e.details[0];
    if (!d) return new CodecError('MALFORMED_XML', `malformed XML: ${plainParserMessage(e.message)}`);
    const where = d.line > 0 ? ` at line ${d.line}${d.col > 0 ? `, column ${d.col}` : ''}` : '';
    return new CodecError(
      'MALFORMED_XML',
      `malformed XML${where}: ${plainParserMessage(d.message)}`,
      d.line > 0 ? d.line : undefined,
    );
  }
  return new CodecError('MALFORMED_XML', `malformed XML: ${(e as Error)?.message ?? String(e)}`);
}

/** The DTD and encoding guards, then a parse whose failure becomes a CodecError. */
function guardedParse<T>(bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  refuseDtd(buffer);
  try {
    return parse(bytes);
  } catch (e) {
    throw parseFailure(e);
  }
}

/** Parses guarded UTF-8 bytes. The caller owns the document and must dispose it. */
export function parseXmlBytes(bytes: Uint8Array): XmlDocument {
  refuseDeclaredEncoding(bytes);
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
