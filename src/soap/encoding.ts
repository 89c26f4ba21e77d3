/**
 * The one rule for the character encoding a request may name, in its HTTP Content-Type charset as
 * in its XML declaration: UTF-8, the encoding of the exchanges end to end.
 */

/**
 * Whether an encoding label names UTF-8: `utf-8` or `utf8`, any case (the WHATWG Encoding
 * Standard's labels of UTF-8 the clients use). US-ASCII is not one: a message declared US-ASCII
 * and holding a non-ASCII byte is malformed (XML 1.0 §4.3.3), one holding none loses nothing by
 * being declared UTF-8. The caller trims what its syntax lets it pad (an HTTP quoted string).
 */
export function isUtf8Label(name: string): boolean {
  return /^utf-?8$/i.test(name);
}
