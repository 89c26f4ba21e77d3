/**
 * Where a message carries a password: the text of its Password elements (the SOAP header's,
 * whatever the prefix). The mock's history and the harness's evidence both hide it, one way.
 */

const URL_PASSWORD = /(\/\/[^/:@\s]*:)[^/@\s]*@/g;

/** Text with the password of every `scheme://user:password@` in it shown as `***` (error messages). */
export const maskUrlPasswords = (text: string): string => text.replace(URL_PASSWORD, '$1***@');

/**
 * A URL as it may be shown (banner, deliveries): the password of its userinfo as `***` (a push
 * target's own password is never part of its URL); text that is no URL, masked as error text is.
 */
export function shownUrl(url: string): string {
  if (!URL.canParse(url)) return maskUrlPasswords(url);
  const u = new URL(url);
  if (u.password !== '') u.password = '***';
  return u.href;
}

/** What the text of a Password element becomes in the harness's evidence. */
export const REDACTED = '********';

const PASSWORD_OPEN_AT = /<(?:[A-Za-z_][\w.-]*:)?Password(?:\s[^>]*)?>/y;
const PASSWORD_CLOSE = /<\/(?:[A-Za-z_][\w.-]*:)?Password\s*>/g;
const NAME_CHAR = /[\w.:-]/;

/**
 * The [start, end) offsets of every Password element's content, in order: up to its closing tag
 * (CDATA, comments or markup inside it included), or, for an element left open (a cut or
 * malformed message), up to the next markup. Empty and self-closed elements have none. The markup
 * is ASCII, so on a latin1 reading of UTF-8 bytes the offsets are byte offsets.
 */
export function passwordContents(xml: string): Array<[start: number, end: number]> {
  const spans: Array<[number, number]> = [];
  let from = 0;
  for (let i = xml.indexOf('Password'); i >= 0; i = xml.indexOf('Password', Math.max(i + 8, from))) {
    // A start tag has '<' and perhaps a prefix right before the name.
    let lt = i - 1;
    while (lt >= from && NAME_CHAR.test(xml[lt]!)) lt--;
    if (lt < from || xml[lt] !== '<') continue;
    PASSWORD_OPEN_AT.lastIndex = lt;
    const open = PASSWORD_OPEN_AT.exec(xml);
    if (!open || open[0].endsWith('/>')) continue;
    const start = lt + open[0].length;
    PASSWORD_CLOSE.lastIndex = start;
    const close = PASSWORD_CLOSE.exec(xml);
    const next = xml.indexOf('<', start);
    const end = close ? close.index : next < 0 ? xml.length : next;
    if (end > start) spans.push([start, end]);
    from = end;
  }
  return spans;
}

/** The XML with the content of every Password element replaced by `mask`; the elements stay. */
export function redactPasswords(xml: string, mask = REDACTED): string {
  const spans = passwordContents(xml);
  if (spans.length === 0) return xml;
  let out = '';
  let from = 0;
  for (const [start, end] of spans) {
    out += xml.slice(from, start) + mask;
    from = end;
  }
  return out + xml.slice(from);
}
