/**
 * Read-only access to a parsed libxml2 tree, built for the codec's hot path.
 *
 * Every getter of a libxml2-wasm node object crosses the wasm boundary and most allocate (a node
 * object per `next`, a decoded string per `namespaceUri`, an array per `attrs`, a wasm-side copy
 * per `content`). The raw access below reads libxml2's node structs straight from the wasm memory
 * by pointer, and a message is parsed without the library's document object (whose bookkeeping, a
 * weak reference and a finalizer per document, costs microseconds a message). It rests on
 * libxml2-wasm internals (the struct layout its own readers use, the heap view one of them returns,
 * the `_nodePtr` of a node object, the steps of its parse), so a probe compares it with the public
 * API when the module loads and the codec falls back to the public API if they disagree.
 */
import { isDeepStrictEqual } from 'node:util';
import { ParseOption, XmlDocument, XmlElement, XmlError, type XmlNode, XmlParseError } from 'libxml2-wasm';
import {
  error,
  XmlNodeSetStruct,
  xmlCtxtSetErrorHandler,
  xmlDocGetRootElement,
  xmlFreeDoc,
  xmlFreeParserCtxt,
  xmlNewParserCtxt,
  xmlNodeGetContent,
  xmlReadMemory,
} from 'libxml2-wasm/lib/libxml2.mjs';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** libxml2 options of the codec: no network, no external entities, CDATA as text. */
export const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_NOCDATA |
  // Small text nodes stored inline: fewer allocations; safe because the tree is never modified.
  ParseOption.XML_PARSE_COMPACT |
  // Defence in depth behind the encoding guard of xml.ts: the bytes are decoded as UTF-8 whatever
  // an XML declaration says. (Free, where passing 'UTF-8' as xmlReadMemory's encoding costs ~2 µs.)
  ParseOption.XML_PARSE_IGNORE_ENC;

/** One parsed document, seen through opaque element handles. */
export interface Tree<N = unknown> {
  root: N;
  /** Element children, in document order. */
  children(el: N): N[];
  /** Local name. */
  name(el: N): string;
  /** Namespace URI ('' when none). */
  ns(el: N): string;
  line(el: N): number;
  /** xsi:nil="true" (or "1"), whatever the prefix. */
  nil(el: N): boolean;
  /** The value of the attribute `{ns}name`, undefined when absent. */
  attr(el: N, ns: string, name: string): string | undefined;
  /** How many attributes the element carries, counted up to `max + 1` (more are not walked). */
  attributeCount(el: N, max: number): number;
  /** All text inside the element (libxml2's node content). */
  text(el: N): string;
  hasElementChild(el: N): boolean;
  /** The public node object, for the XSD validator. */
  element(el: N): XmlElement;
}

/** A parsed message: its tree (opened once the parse succeeded) and the release of its memory. */
export interface ParsedDocument {
  /** The tree of the document; throws when the document has no root element. */
  open(): Tree;
  dispose(): void;
}

const ELEMENT = 1;
const TEXT = 3;

// Offsets in libxml2's xmlNode / xmlAttr / xmlNs structs on wasm32 (the ones libxml2-wasm's own
// struct readers use): type 4, name 8, children 12, next 24, ns 36, content 40, properties 44,
// line 56; xmlNs.href 8.
const TYPE = 4;
const NAME = 8;
const CHILDREN = 12;
const NEXT = 24;
const NS = 36;
const CONTENT = 40;
const PROPERTIES = 44;
const LINE = 56;
const HREF = 8;

const nodePtr = (node: XmlNode): number => (node as unknown as { _nodePtr: number })._nodePtr;

/**
 * The public object of an element pointer, built as the library's constructor builds it: the
 * pointer under XmlElement's prototype. Running that constructor (as its internal `createNode`
 * does) costs microseconds: V8 has no fast path for constructing a derived class whose `name` was
 * redefined, which TypeScript's decorator helpers do to XmlElement. The probe checks that the
 * library reads such an object as its own.
 */
function elementAt(ptr: number): XmlElement {
  const el = Object.create(XmlElement.prototype) as XmlElement;
  (el as unknown as { _nodePtr: number })._nodePtr = ptr;
  return el;
}

/**
 * Views on the wasm memory of libxml2-wasm, shared by every tree: the library's node-set reader
 * returns a view on its heap, whose buffer is the whole memory. Views are detached when the memory
 * grows; they are re-made then.
 */
const heap = { u8: new Uint8Array(0), i32: new Int32Array(0), bytes: Buffer.alloc(0) };

function mapMemory(anyPtr: number): void {
  const memory = XmlNodeSetStruct.nodeTable(anyPtr, 0).buffer as ArrayBuffer;
  heap.u8 = new Uint8Array(memory);
  heap.i32 = new Int32Array(memory);
  heap.bytes = Buffer.from(memory);
}

/** The address of the NUL ending the string at `ptr`. */
function cstrEnd(ptr: number): number {
  const u8 = heap.u8;
  let end = ptr;
  while (end < u8.length && u8[end] !== 0) end++;
  return end;
}

/**
 * The UTF-8 string between two addresses, as TextDecoder decodes it (the codec always has): a
 * leading byte order mark is dropped. Buffer's decoder is used for speed; it keeps the mark.
 */
function utf8At(start: number, end: number): string {
  const u8 = heap.u8;
  const bom = u8[start] === 0xef && u8[start + 1] === 0xbb && u8[start + 2] === 0xbf && end - start >= 3;
  return heap.bytes.toString(undefined, bom ? start + 3 : start, end);
}

/** A NUL-terminated UTF-8 string. */
function cstr(ptr: number): string {
  return ptr === 0 ? '' : utf8At(ptr, cstrEnd(ptr));
}

/**
 * The names and namespace URIs of messages (strings libxml2 interns), kept across documents and
 * found again by content: a hash computed while looking for the NUL, then a byte comparison. A
 * known name costs no decoding, and being the same string every time, its hash for the reader's
 * maps is computed once.
 */
const vocabulary = new Map<number, { utf8: Uint8Array; text: string }>();
const VOCABULARY_MAX = 2048;
/** Longer strings are decoded but not kept: the vocabulary stays small whatever the messages. */
const WORD_MAX_BYTES = 256;

function vocabularyString(ptr: number): string {
  const u8 = heap.u8;
  let hash = 0;
  let end = ptr;
  for (let c = u8[end]; c !== 0 && c !== undefined; c = u8[++end]) hash = (Math.imul(hash, 31) + c) | 0;
  const known = vocabulary.get(hash);
  if (known !== undefined && sameBytes(known.utf8, u8, ptr, end)) return known.text;
  const text = utf8At(ptr, end);
  if (end - ptr > WORD_MAX_BYTES) return text;
  if (vocabulary.size >= VOCABULARY_MAX) vocabulary.clear();
  vocabulary.set(hash, { utf8: u8.slice(ptr, end), text });
  return text;
}

function sameBytes(utf8: Uint8Array, u8: Uint8Array, start: number, end: number): boolean {
  if (utf8.length !== end - start) return false;
  for (let k = 0; k < utf8.length; k++) if (utf8[k] !== u8[start + k]) return false;
  return true;
}

/**
 * Pointer-based access reading libxml2's structs straight from the wasm memory: no call into wasm
 * and no allocation per node. Text is decoded from the text node itself, libxml2 being asked only
 * for mixed content.
 */
class RawTree implements Tree<number> {
  /** The last namespace URI read, by address: siblings mostly share theirs. */
  private href = 0;
  private hrefText = '';

  constructor(readonly root: number) {
    if (heap.i32.length === 0) mapMemory(root);
  }

  /** The 32-bit word at an address, re-mapping the memory if it grew since. */
  private word(addr: number): number {
    if (heap.i32.length === 0) mapMemory(this.root);
    return heap.i32[addr >> 2]!;
  }

  children(el: number): number[] {
    const out: number[] = [];
    for (let n = this.word(el + CHILDREN); n; n = this.word(n + NEXT)) {
      if (this.word(n + TYPE) === ELEMENT) out.push(n);
    }
    return out;
  }

  name(el: number): string {
    const name = this.word(el + NAME);
    return name === 0 ? '' : vocabularyString(name);
  }

  ns(el: number): string {
    const ns = this.word(el + NS);
    if (ns === 0) return '';
    const href = this.word(ns + HREF);
    if (href !== this.href) {
      this.href = href;
      this.hrefText = href === 0 ? '' : vocabularyString(href);
    }
    return this.hrefText;
  }

  line(el: number): number {
    return this.word(el + LINE);
  }

  nil(el: number): boolean {
    for (let a = this.word(el + PROPERTIES); a; a = this.word(a + NEXT)) {
      if (this.name(a) === 'nil' && this.ns(a) === XSI_NS) {
        const v = this.text(a).trim();
        return v === 'true' || v === '1';
      }
    }
    return false;
  }

  attr(el: number, ns: string, name: string): string | undefined {
    for (let a = this.word(el + PROPERTIES); a; a = this.word(a + NEXT)) {
      if (this.name(a) === name && this.ns(a) === ns) return this.text(a);
    }
    return undefined;
  }

  attributeCount(el: number, max: number): number {
    let n = 0;
    for (let a = this.word(el + PROPERTIES); a !== 0 && n <= max; a = this.word(a + NEXT)) n++;
    return n;
  }

  text(el: number): string {
    const first = this.word(el + CHILDREN);
    if (first === 0) return '';
    if (this.word(first + NEXT) === 0 && this.word(first + TYPE) === TEXT)
      return cstr(this.word(first + CONTENT));
    // Several nodes (text split by a comment, say): libxml2 concatenates them; it may grow the memory.
    return xmlNodeGetContent(el);
  }

  hasElementChild(el: number): boolean {
    for (let n = this.word(el + CHILDREN); n; n = this.word(n + NEXT)) {
      if (this.word(n + TYPE) === ELEMENT) return true;
    }
    return false;
  }

  element(el: number): XmlElement {
    return elementAt(el);
  }
}

/** libxml2 xmlErrorLevel: diagnostics at this level or above make the parse fail (as in the library). */
const XML_ERR_ERROR = 2;

/**
 * The steps of `XmlDocument.fromBuffer` without the document object: a parser context whose
 * diagnostics the library's collector gathers, the same failure rule and the same error.
 */
function parseRaw(bytes: Uint8Array): number {
  const ctxt = xmlNewParserCtxt();
  const errors = error.storage.allocate([]);
  try {
    xmlCtxtSetErrorHandler(ctxt, error.errorCollector, errors);
    const doc = xmlReadMemory(ctxt, bytes, null, null, PARSE_OPTIONS);
    const details = error.storage.get(errors);
    if (doc && !details.some((d) => d.level >= XML_ERR_ERROR)) return doc;
    if (doc) xmlFreeDoc(doc);
    throw new XmlParseError(
      details.length > 0 ? details.map((d) => d.message).join('') : 'Failed to parse XML',
      details,
    );
  } finally {
    error.storage.free(errors);
    xmlFreeParserCtxt(ctxt);
  }
}

// Classes rather than object literals: tsx names every arrow function assigned to a property
// (keepNames), a cost paid per message.
class RawDocument implements ParsedDocument {
  constructor(private readonly doc: number) {}

  open(): Tree {
    const root = xmlDocGetRootElement(this.doc);
    if (!root) throw new XmlError();
    return new RawTree(root) as Tree;
  }

  dispose(): void {
    xmlFreeDoc(this.doc);
  }
}

class PublicDocument implements ParsedDocument {
  constructor(private readonly doc: XmlDocument) {}

  open(): Tree {
    return new PublicTree(this.doc) as Tree;
  }

  dispose(): void {
    this.doc.dispose();
  }
}

/** The same contract on the public API: slower, independent of libxml2-wasm internals. */
class PublicTree implements Tree<XmlElement> {
  readonly root: XmlElement;

  constructor(doc: XmlDocument) {
    this.root = doc.root;
  }

  children(el: XmlElement): XmlElement[] {
    return elementChildren(el);
  }

  name(el: XmlElement): string {
    return el.name;
  }

  ns(el: XmlElement): string {
    return el.namespaceUri;
  }

  line(el: XmlElement): number {
    return el.line;
  }

  nil(el: XmlElement): boolean {
    for (const a of el.attrs) {
      if (a.name === 'nil' && a.namespaceUri === XSI_NS) {
        const v = a.value.trim();
        return v === 'true' || v === '1';
      }
    }
    return false;
  }

  attr(el: XmlElement, ns: string, name: string): string | undefined {
    return el.attrs.find((a) => a.name === name && a.namespaceUri === ns)?.value;
  }

  attributeCount(el: XmlElement, max: number): number {
    return Math.min(el.attrs.length, max + 1);
  }

  text(el: XmlElement): string {
    return el.content;
  }

  hasElementChild(el: XmlElement): boolean {
    return elementChildren(el).length > 0;
  }

  element(el: XmlElement): XmlElement {
    return el;
  }
}

export type TreeKind = 'raw' | 'public';

/** Reads the same facts through both accesses; they must agree for the raw one to be trusted. */
function describe<N>(t: Tree<N>, el: N = t.root): unknown {
  return {
    name: t.name(el),
    ns: t.ns(el),
    line: t.line(el),
    nil: t.nil(el),
    attr: t.attr(el, XSI_NS, 'nil') ?? null,
    attributes: t.attributeCount(el, 1),
    text: t.text(el),
    elements: t.hasElementChild(el),
    children: t.children(el).map((c) => describe(t, c)),
  };
}

const PROBE = `<p:a xmlns:p="urn:probe:a" xmlns:i="${XSI_NS}">
  <b i:nil="true" x="1"/><p:c i:nil="0">t&amp;é<d xmlns="urn:probe:d">u</d></p:c>
  <e i:nil="1"/>text<!-- c --><f/><g>x<!-- split -->y</g><h>a</h><h>${'long text, ü, '.repeat(8)}</h>
  <i:nil>a<![CDATA[<b>]]>c</i:nil><p:k i:nil=" true "/><l>&#x1F600;</l></p:a>`;

const MALFORMED_PROBE = '<a>\n<b></a>';
const probeBytes = (text: string) => new TextEncoder().encode(text);
const parsePublic = (bytes: Uint8Array) => XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });

/** What the library's getters read from an element object. */
const seen = (el: XmlElement) => [el.name, el.namespaceUri, el.line, el.content];

/** The error a parse throws (message and libxml2 details), or what it returns. */
function outcome(parse: () => unknown): unknown {
  try {
    return parse();
  } catch (e) {
    return e instanceof XmlParseError ? { message: e.message, details: e.details } : e;
  }
}

/** Raw access, raw parse and element objects against the public API, on one document. */
function probeDocument(doc: XmlDocument, parsed: ParsedDocument): boolean {
  const expected = JSON.stringify(describe(new PublicTree(doc)));
  const raw = parsed.open() as RawTree;
  if (JSON.stringify(describe(raw)) !== expected) return false;
  if (JSON.stringify(describe(new RawTree(nodePtr(doc.root)))) !== expected) return false;
  const payload = raw.children(raw.root)[1];
  const publicPayload = elementChildren(doc.root)[1];
  if (payload === undefined || publicPayload === undefined) return false;
  const element = raw.element(payload);
  return element instanceof XmlElement && isDeepStrictEqual(seen(element), seen(publicPayload));
}

/** A malformed document fails the raw parse exactly as it fails the library's. */
function probeFailure(): boolean {
  const bytes = probeBytes(MALFORMED_PROBE);
  const expected = outcome(() => parsePublic(bytes));
  return (
    expected instanceof Object &&
    'details' in expected &&
    isDeepStrictEqual(
      outcome(() => parseRaw(bytes)),
      expected,
    )
  );
}

function probeRaw(): boolean {
  let doc: XmlDocument | undefined;
  let parsed: ParsedDocument | undefined;
  try {
    const bytes = probeBytes(PROBE);
    doc = parsePublic(bytes);
    parsed = new RawDocument(parseRaw(bytes));
    return probeDocument(doc, parsed) && probeFailure();
  } catch {
    return false;
  } finally {
    doc?.dispose();
    parsed?.dispose();
  }
}

let kind: TreeKind = probeRaw() ? 'raw' : 'public';

/** Which access the codec uses (raw unless the probe failed or a test forced it). */
export const treeKind = (): TreeKind => kind;

/** Forces an access (tests compare both on every fixture). */
export function useTree(k: TreeKind): void {
  kind = k;
}

/** A tree over a document parsed elsewhere (the caller keeps ownership of it). */
export function openTree(doc: XmlDocument, k: TreeKind = kind): Tree {
  return (k === 'raw' ? new RawTree(nodePtr(doc.root)) : new PublicTree(doc)) as Tree;
}

/**
 * Parses bytes (already through the codec's guards) with the codec's options. Throws what
 * `XmlDocument.fromBuffer` throws. The caller disposes the result.
 */
export function parseDocument(bytes: Uint8Array, k: TreeKind = kind): ParsedDocument {
  return k === 'raw' ? new RawDocument(parseRaw(bytes)) : new PublicDocument(parsePublic(bytes));
}

/**
 * Element children through XPath: walking `firstChild`/`next` stops at a processing instruction or
 * DTD node, which libxml2-wasm does not expose as a tree node (so it has no `next`).
 */
function elementChildren(el: XmlElement): XmlElement[] {
  return el.find('*') as XmlElement[];
}
