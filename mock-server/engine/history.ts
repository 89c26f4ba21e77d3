/**
 * What a ticket's history keeps of an exchange: the request as received (its header password
 * replaced by `***`, since history is readable through the control API) and the answer as sent.
 */
import type { OperationDef } from '../../src/profile/index.ts';
import { passwordContents, redactPasswords } from '../../src/soap/redact.ts';
import type { NewHistoryEntry, TicketRecord } from '../store/types.ts';

const STARS = Buffer.from('***');

/** Replaces every Password element's content in an XML text by `***`. */
export const redactPassword = (xml: string) => redactPasswords(xml, '***');

/**
 * The request to store: its bytes as received, each Password element's content replaced by `***`
 * (what {@link redactPassword} does to the text). The bytes are read as latin1, one character a
 * byte, so the offsets found are byte offsets. No decoding, no copy when there is no password.
 */
export function storedRequest(raw: Uint8Array): Uint8Array {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const spans = passwordContents(buf.toString('latin1'));
  if (spans.length === 0) return buf;
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const [start, end] of spans) {
    parts.push(buf.subarray(from, start), STARS);
    from = end;
  }
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
