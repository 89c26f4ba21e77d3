/**
 * Typed codec errors: every way a request can fail to be a readable operation. Each kind maps to
 * exactly one SOAP 1.1 faultcode (see `faultFor` in fault.ts), so no exception escapes as a crash.
 */
export type CodecErrorKind =
  | 'TOO_LARGE'
  | 'NOT_UTF8'
  | 'DTD_FORBIDDEN'
  | 'MALFORMED_XML'
  | 'NOT_SOAP_ENVELOPE'
  | 'SOAP_VERSION_MISMATCH'
  | 'NO_BODY'
  | 'EMPTY_BODY'
  | 'UNKNOWN_OPERATION'
  | 'WRONG_NAMESPACE'
  | 'BAD_STRUCTURE';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  constructor(
    readonly kind: CodecErrorKind,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export const isCodecError = (e: unknown): e is CodecError => e instanceof CodecError;
