/**
 * What a ticket's history keeps of an exchange: the request as received (its header password
 * replaced by `***`, since history is readable through the control API) and the answer as sent.
 */
import type { OperationDef } from '../../src/profile/index.ts';
import type { NewHistoryEntry, TicketRecord } from '../store/types.ts';

const PASSWORD = /(<(?:[\w.-]+:)?Password\b[^>]*>)[^<]*(<\/(?:[\w.-]+:)?Password>)/g;
/** The same pattern, tried at one position. */
const PASSWORD_AT = new RegExp(PASSWORD.source, 'y');
const NAME_CHAR = /[\w.:-]/;
const STARS = Buffer.from('***');

/** Replaces every Password element's content in an XML text. */
export const redactPassword = (xml: string) => xml.replace(PASSWORD, '$1***$2');

/**
 * The request to store: its bytes as received, each Password element's content replaced by `***`
 * (what {@link redactPassword} does to the text). The bytes are searched as latin1, one character
 * a byte, so positions are byte offsets; the markup is ASCII, which UTF-8 never uses inside a
 * multi-byte character. No decoding, no copy when there is no password.
 */
export function storedRequest(raw: Uint8Array): Uint8Array {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const text = buf.toString('latin1');
  const parts: Uint8Array[] = [];
  let from = 0;
  for (let i = text.indexOf('Password'); i >= 0; i = text.indexOf('Password', i + 8)) {
    // A match starts at the '<' right before the name (and its prefix); try the pattern there.
    let lt = i - 1;
    while (lt >= from && NAME_CHAR.test(text[lt]!)) lt--;
    if (lt < from || text[lt] !== '<') continue;
    PASSWORD_AT.lastIndex = lt;
    const m = PASSWORD_AT.exec(text);
    if (!m) continue;
    parts.push(buf.subarray(from, lt + m[1]!.length), STARS);
    from = lt + m[0].length - m[2]!.length;
    i = lt + m[0].length - 8;
  }
  if (parts.length === 0) return buf;
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/** A history entry of a request the OC sent on one of its tickets. */
export function incoming(
  op: OperationDef,
  ticket: TicketRecord,
  at: string,
  requestXml: string | Uint8Array,
  rest: Omit<NewHistoryEntry, 'troubleTicketKey' | 'at' | 'direction' | 'actor' | 'operation' | 'requestXml'>,
): NewHistoryEntry {
  return {
    troubleTicketKey: ticket.troubleTicketKey,
    at,
    direction: 'in',
    actor: 'OC',
    operation: op.name,
    requestXml,
    ...rest,
  };
}
