/**
 * libxml2-wasm behind guards: size limit, UTF-8 only, no DTD and no entity declarations (refused
 * before the parser sees them), no network. Everything here returns or throws {@link CodecError}.
 */
import { ParseOption, XmlDocument, XmlElement, XmlParseError, XmlText, type XmlTreeNode } from 'libxml2-wasm';
import { CodecError } from './errors.ts';

const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOCDATA;

const DTD_MARKER = /<!(DOCTYPE|ENTITY)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Turns raw bytes into text, refusing anything that is not UTF-8 (or its ASCII subset). */
export function decodeUtf8(raw: Uint8Array | string, maxBytes: number): string {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) throw new CodecError('TOO_LARGE', `message of ${size} bytes exceeds the limit of ${maxBytes} bytes`);
  if (typeof raw === 'string') return raw;
  if (raw[0] === 0xfe || raw[0] === 0xff || (raw[0] === 0 && raw[1] === 0x3c)) {
    throw new CodecError('NOT_UTF8', 'message is UTF-16 or UTF-32: only UTF-8 is accepted');
  }
  try {
    return utf8.decode(raw);
  } catch {
    throw new CodecError('NOT_UTF8', 'message is not valid UTF-8');
  }
}

/** Parses XML text. The caller owns the document and must dispose it. */
export function parseXml(text: string): XmlDocument {
  const dtd = DTD_MARKER.exec(text);
  if (dtd) {
    const line = text.slice(0, dtd.index).split('\n').length;
    throw new CodecError('DTD_FORBIDDEN', `<!${dtd[1]} found: DTDs and entity declarations are refused`, line);
  }
  const decl = /^\uFEFF?\s*<\?xml[^>]*encoding=["']([^"']+)["']/.exec(text);
  if (decl && !/^(utf-?8|us-ascii)$/i.test(decl[1]!)) {
    throw new CodecError('NOT_UTF8', `XML declaration names encoding "${decl[1]}": only UTF-8 is accepted`);
  }
  try {
    return XmlDocument.fromString(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, { option: PARSE_OPTIONS });
  } catch (e) {
    if (e instanceof XmlParseError) {
      const d = e.details[0];
      throw new CodecError('MALFORMED_XML', `malformed XML: ${(d?.message ?? e.message).trim()}`, d?.line);
    }
    throw new CodecError('MALFORMED_XML', `malformed XML: ${(e as Error).message}`);
  }
}

/** The element children of an element, in document order. */
export function childElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n: XmlTreeNode | null = el.firstChild; n; n = n.next) {
    if (isElement(n)) out.push(n);
  }
  return out;
}

export function isElement(n: XmlTreeNode): n is XmlElement {
  return n instanceof XmlElement;
}

/** Non-whitespace text directly inside an element (mixed content is a structure error). */
export function hasText(el: XmlElement): boolean {
  for (let n: XmlTreeNode | null = el.firstChild; n; n = n.next) {
    if (n instanceof XmlText && n.content.trim() !== '') return true;
  }
  return false;
}

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

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
