/**
 * Typed codec errors: every way a request can fail to be a readable operation. Each kind maps to
 * exactly one SOAP 1.1 faultcode (see `codecErrorAnswer` in rules/answer.ts), so no exception
 * escapes as a crash.
 */
export type CodecErrorKind =
  | 'TOO_LARGE'
  | 'NOT_UTF8'
  | 'DTD_FORBIDDEN'
  | 'MALFORMED_XML'
  | 'NOT_SOAP_ENVELOPE'
  | 'SOAP_VERSION_MISMATCH'
  /** A header entry with soapenv:mustUnderstand="1" that this service does not understand (SOAP 1.1 §4.2.3). */
  | 'MUST_UNDERSTAND'
  | 'NO_BODY'
  | 'EMPTY_BODY'
  | 'UNKNOWN_OPERATION'
  | 'WRONG_NAMESPACE'
  | 'BAD_STRUCTURE';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  /**
   * The operation the Body's element names, when the error came after it was recognised: its fault
   * carries that operation's detail whatever the SOAPAction (a server dispatches on the Body).
   */
  operation?: string;
  /**
   * The error belongs to a header entry (MustUnderstand, a bad mustUnderstand value): SOAP 1.1 §4.4
   * forbids carrying it in the fault's `detail`, which is for errors of the Body.
   */
  header?: boolean;

  constructor(
    readonly kind: CodecErrorKind,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export const isCodecError = (e: unknown): e is CodecError => e instanceof CodecError;

const MAX_SHOWN = 60;

/**
 * A value received from a client as a message quotes it: cut to its first 60 characters (code
 * points) and `…` when longer, so that no fault or label echoes a huge name, namespace or value.
 */
export function shorten(v: string, max = MAX_SHOWN): string {
  if (v.length <= max) return v;
  // A code point takes at most two UTF-16 units: the first 2·max units hold the first max code points.
  const chars = [...v.slice(0, 2 * max)];
  if (chars.length <= max && v.length <= 2 * max) return v;
  return `${chars.slice(0, max).join('')}…`;
}
