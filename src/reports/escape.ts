/**
 * Escaping for every output format. Everything a run holds (titles, messages, evidence XML) is
 * untrusted: it may come from the implementation under test.
 */

import { NOT_XML_CHAR } from '../soap/chars.ts';

/** Characters XML 1.0 cannot carry even escaped become U+FFFD, so the report stays well-formed. */
export function xmlSafeChars(s: string): string {
  return s.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Text content of an XML or HTML element. */
export function escapeText(s: string): string {
  return xmlSafeChars(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A double-quoted attribute value (`'` needs no escape there); line breaks and tabs survive attribute normalisation. */
export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** A CDATA section holding any text: `]]>` is split across two sections. */
export function cdata(s: string): string {
  return `<![CDATA[${xmlSafeChars(s).replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** A Markdown table cell (GitHub flavour): one line, no HTML, no emphasis, no links. */
export function mdCell(s: string): string {
  return xmlSafeChars(s)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Inline code in Markdown: a backtick fence longer than any backtick run inside. */
export function mdCode(s: string): string {
  const text = xmlSafeChars(s)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
