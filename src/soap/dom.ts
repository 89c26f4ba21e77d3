/**
 * Read-only access to a parsed libxml2 tree, built for the codec's hot path.
 *
 * Every getter of a libxml2-wasm node object crosses the wasm boundary and most allocate (a node
 * object per `next`, a decoded string per `namespaceUri`, an array per `attrs`, a wasm-side copy
 * per `content`). The raw access below reads libxml2's node structs straight from the wasm memory
 * by pointer. It rests on libxml2-wasm internals (the struct layout its own readers use, the heap
 * view one of them returns, the `_nodePtr` of a node object), so a probe compares it with the
 * public API when the module loads and the codec falls back to the public API if they disagree.
 */
import { ParseOption, XmlDocument, type XmlElement, type XmlNode } from 'libxml2-wasm';
import { XmlNodeSetStruct, XmlNodeStruct, xmlNodeGetContent } from 'libxml2-wasm/lib/libxml2.mjs';

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** libxml2 options of the codec: no network, no external entities, CDATA as text. */
export const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_NOCDATA |
  // Small text nodes stored inline: fewer allocations; safe because the tree is never modified.
  ParseOption.XML_PARSE_COMPACT;

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
  /** All text inside the element (libxml2's node content). */
  text(el: N): string;
  hasElementChild(el: N): boolean;
  /** The public node object, for the XSD validator. */
  element(el: N): XmlElement;
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
 * The wasm memory of libxml2-wasm: the library's node-set reader returns a view on its heap, whose
 * buffer is the whole memory. A view is detached when the memory grows; callers re-map then.
 */
const wasmMemory = (anyPtr: number): ArrayBuffer =>
  XmlNodeSetStruct.nodeTable(anyPtr, 0).buffer as ArrayBuffer;

const utf8 = new TextDecoder();

/**
 * Pointer-based access reading libxml2's structs straight from the wasm memory: no call into wasm
 * and no allocation per node. Names (interned by libxml2) and namespace URIs are decoded once per
 * document; text is decoded from the text node itself, libxml2 being asked only for mixed content.
 */
class RawTree implements Tree<number> {
  readonly root: number;
  private readonly rootElement: XmlElement;
  private readonly strings = new Map<number, string>();
  private u8!: Uint8Array;
  private i32!: Int32Array;

  constructor(doc: XmlDocument) {
    this.rootElement = doc.root;
    this.root = nodePtr(this.rootElement);
    this.map();
  }

  private map(): void {
    const memory = wasmMemory(this.root);
    this.u8 = new Uint8Array(memory);
    this.i32 = new Int32Array(memory);
  }

  /** The 32-bit word at an address, re-mapping the memory if it grew since. */
  private word(addr: number): number {
    if (this.i32.length === 0) this.map();
    return this.i32[addr >> 2]!;
  }

  /** A NUL-terminated UTF-8 string (one native decode; a JS char loop is several times slower). */
  private cstr(ptr: number): string {
    if (ptr === 0) return '';
    const u8 = this.u8;
    let end = ptr;
    while (end < u8.length && u8[end] !== 0) end++;
    return utf8.decode(u8.subarray(ptr, end));
  }

  /** An interned string (element name, namespace URI): decoded once per document. */
  private interned(ptr: number): string {
    let s = this.strings.get(ptr);
    if (s === undefined) {
      s = this.cstr(ptr);
      this.strings.set(ptr, s);
    }
    return s;
  }

  children(el: number): number[] {
    const out: number[] = [];
    for (let n = this.word(el + CHILDREN); n; n = this.word(n + NEXT)) {
      if (this.word(n + TYPE) === ELEMENT) out.push(n);
    }
    return out;
  }

  name(el: number): string {
    return this.interned(this.word(el + NAME));
  }

  ns(el: number): string {
    const ns = this.word(el + NS);
    return ns ? this.interned(this.word(ns + HREF)) : '';
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

  text(el: number): string {
    const first = this.word(el + CHILDREN);
    if (first === 0) return '';
    if (this.word(first + NEXT) === 0 && this.word(first + TYPE) === TEXT)
      return this.cstr(this.word(first + CONTENT));
    // Several nodes (text split by a comment, say): libxml2 concatenates them; it may grow the memory.
    const text = xmlNodeGetContent(el);
    this.map();
    return text;
  }

  hasElementChild(el: number): boolean {
    for (let n = this.word(el + CHILDREN); n; n = this.word(n + NEXT)) {
      if (this.word(n + TYPE) === ELEMENT) return true;
    }
    return false;
  }

  element(el: number): XmlElement {
    if (el === this.root) return this.rootElement;
    // Rebuild the public object by walking down from the root (once per message, for the validator).
    const path: number[] = [];
    for (let n = el; n && n !== this.root; n = XmlNodeStruct.parent(n)) path.unshift(n);
    let node: XmlElement = this.rootElement;
    for (const target of path) {
      const c = elementChildren(node).find((e) => nodePtr(e) === target);
      if (!c) throw new Error('node not found under the root');
      node = c;
    }
    return node;
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
    text: t.text(el),
    elements: t.hasElementChild(el),
    children: t.children(el).map((c) => describe(t, c)),
  };
}

const PROBE = `<p:a xmlns:p="urn:probe:a" xmlns:i="${XSI_NS}">
  <b i:nil="true" x="1"/><p:c i:nil="0">t&amp;é<d xmlns="urn:probe:d">u</d></p:c>
  <e i:nil="1"/>text<!-- c --><f/><g>x<!-- split -->y</g><h>a</h><h>${'long text, ü, '.repeat(8)}</h>
  <i:nil>a<![CDATA[<b>]]>c</i:nil><p:k i:nil=" true "/><l>&#x1F600;</l></p:a>`;

function probeRaw(): boolean {
  let doc: XmlDocument | undefined;
  try {
    doc = XmlDocument.fromString(PROBE, { option: PARSE_OPTIONS });
    const raw = new RawTree(doc);
    const pub = new PublicTree(doc);
    const same = JSON.stringify(describe(raw)) === JSON.stringify(describe(pub));
    const payload = raw.children(raw.root)[1];
    return same && payload !== undefined && raw.element(payload).name === 'c';
  } catch {
    return false;
  } finally {
    doc?.dispose();
  }
}

let kind: TreeKind = probeRaw() ? 'raw' : 'public';

/** Which access the codec uses (raw unless the probe failed or a test forced it). */
export const treeKind = (): TreeKind => kind;

/** Forces an access (tests compare both on every fixture). */
export function useTree(k: TreeKind): void {
  kind = k;
}

export function openTree(doc: XmlDocument, k: TreeKind = kind): Tree {
  return (k === 'raw' ? new RawTree(doc) : new PublicTree(doc)) as Tree;
}

/**
 * Element children through XPath: walking `firstChild`/`next` stops at a processing instruction or
 * DTD node, which libxml2-wasm does not expose as a tree node (so it has no `next`).
 */
function elementChildren(el: XmlElement): XmlElement[] {
  return el.find('*') as XmlElement[];
}
