/**
 * Pretty-prints evidence XML as escaped HTML, one line per element, with the offending elements
 * highlighted. Evidence is untrusted and may be malformed on purpose (hostile-input scenarios), so
 * this is a tolerant tokenizer, not a parser: whatever it cannot read is shown as text, escaped.
 */
import { escapeText } from '../escape.ts';

export const MAX_XML_CHARS = 200_000;

type Token =
  | { kind: 'open'; name: string; raw: string; selfClosing: boolean }
  | { kind: 'close'; name: string; raw: string }
  | { kind: 'text'; raw: string }
  | { kind: 'other'; raw: string };

const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<![^>]*>|<\/\s*([^\s<>]+)\s*>|<([^\s/<>!?]+)((?:\s+[^\s=<>/"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>"']+))?)*)\s*(\/?)>|[^<]+|</g;

function tokenize(xml: string): Token[] {
  const out: Token[] = [];
  for (const m of xml.matchAll(TOKEN)) {
    const raw = m[0];
    if (m[1] !== undefined) out.push({ kind: 'close', name: m[1], raw });
    else if (m[2] !== undefined) out.push({ kind: 'open', name: m[2], raw, selfClosing: m[4] === '/' });
    else if (raw[0] === '<' && raw.length > 1) out.push({ kind: 'other', raw });
    else out.push({ kind: 'text', raw });
  }
  return out;
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

export interface PrettyXml {
  /** Escaped HTML: lines wrapped in spans, highlighted lines with class `hl`. */
  html: string;
  /** Highlight names that matched at least one element. */
  found: Set<string>;
  truncated: boolean;
}

/**
 * @param highlight local names of the elements to highlight (the element and everything inside).
 */
export function prettyXml(xml: string, highlight: ReadonlySet<string> = new Set()): PrettyXml {
  const truncated = xml.length > MAX_XML_CHARS;
  const tokens = tokenize(truncated ? xml.slice(0, MAX_XML_CHARS) : xml);
  const lines: string[] = [];
  const found = new Set<string>();
  const stack: string[] = [];
  let hlDepth = -1;
  const line = (depth: number, html: string) => {
    const cls = hlDepth >= 0 ? 'l hl' : 'l';
    lines.push(`<span class="${cls}">${'  '.repeat(Math.min(depth, 40))}${html}</span>`);
  };
  const tag = (raw: string) => `<span class="t">${escapeText(raw)}</span>`;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'text') {
      const text = t.raw.trim();
      if (text) line(stack.length, escapeText(text));
      continue;
    }
    if (t.kind === 'other') {
      line(stack.length, `<span class="c">${escapeText(t.raw)}</span>`);
      continue;
    }
    if (t.kind === 'open') {
      const local = localName(t.name);
      const starts = hlDepth < 0 && highlight.has(local);
      if (starts) {
        found.add(local);
        hlDepth = stack.length;
      }
      if (t.selfClosing) {
        line(stack.length, tag(t.raw));
        if (starts) hlDepth = -1;
        continue;
      }
      // <a>text</a> on one line
      const next = tokens[i + 1];
      const after = tokens[i + 2];
      if (next?.kind === 'text' && after?.kind === 'close' && after.name === t.name) {
        line(stack.length, `${tag(t.raw)}${escapeText(next.raw)}${tag(after.raw)}`);
        i += 2;
        if (starts) hlDepth = -1;
        continue;
      }
      if (next?.kind === 'close' && next.name === t.name) {
        line(stack.length, `${tag(t.raw)}${tag(next.raw)}`);
        i += 1;
        if (starts) hlDepth = -1;
        continue;
      }
      line(stack.length, tag(t.raw));
      stack.push(t.name);
      continue;
    }
    // close: unwind to the matching open tag; a stray close tag leaves the stack alone
    const at = stack.lastIndexOf(t.name);
    if (at >= 0) stack.length = at;
    line(stack.length, tag(t.raw));
    if (hlDepth >= stack.length) hlDepth = -1;
  }
  return { html: lines.join(''), found, truncated };
}
