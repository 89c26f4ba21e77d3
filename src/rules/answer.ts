/**
 * From findings to the answer §9 requires: a fault when the request is not a readable operation,
 * else returnCode 1 for the first missing field, else returnCode 2 for the first wrong one.
 */
import type { OperationDef, ProfileIndex } from '../profile/index.ts';
import type { CodecError, CodecErrorKind } from '../soap/errors.ts';
import type { Answer, FaultAnswer } from './context.ts';
import type { Finding } from './finding.ts';
import { makeFinding } from './text.ts';

/** JSR 91 exception chosen in the fault detail: the request is wrong, or the server is. */
export const CLIENT_CHOICE = 'ossIllegalArgumentException';
export const SERVER_CHOICE = 'remoteException';

/** Schema position of a finding's field; findings without a profile field come first. */
export function positionOf(f: Finding, index: ProfileIndex): number {
  if (!f.field) return -1;
  const def = index.field.get(f.field);
  return def ? index.position.get(def)! : index.profile.fields.length;
}

export function answerFor(findings: Finding[], index: ProfileIndex): Answer {
  // One pass: the first error no field can be blamed for, else the first missing field in schema
  // order, else the first wrong one (ties keep the findings' order).
  let fault: Finding | undefined;
  let missing: Finding | undefined;
  let missingAt = 0;
  let invalid: Finding | undefined;
  let invalidAt = 0;
  for (const f of findings) {
    if (f.severity !== 'error') continue;
    if (f.demand === 'fault' || ((f.demand === 'missing' || f.demand === 'invalid') && !f.field)) {
      fault = f;
      break;
    }
    if (f.demand === 'missing') {
      const at = positionOf(f, index);
      if (!missing || at < missingAt) {
        missing = f;
        missingAt = at;
      }
    } else if (f.demand === 'invalid') {
      const at = positionOf(f, index);
      if (!invalid || at < invalidAt) {
        invalid = f;
        invalidAt = at;
      }
    }
  }
  if (fault) {
    return {
      kind: 'fault',
      faultcode: 'Client',
      faultstring: fault.message,
      choice: CLIENT_CHOICE,
      finding: fault,
    };
  }
  if (missing)
    return {
      kind: 'returnCode',
      code: index.profile.returnCodes.missing,
      label: missing.message,
      finding: missing,
    };
  if (invalid)
    return {
      kind: 'returnCode',
      code: index.profile.returnCodes.invalid,
      label: invalid.message,
      finding: invalid,
    };
  return { kind: 'ok' };
}

/**
 * §9: SOAP 1.2 (or any other envelope version) is a VersionMismatch; a header entry not understood
 * despite mustUnderstand="1" is a MustUnderstand (SOAP 1.1 §4.4.1); every other unreadable request
 * is the client's.
 */
const FAULTCODE: Record<CodecErrorKind, FaultAnswer['faultcode']> = {
  TOO_LARGE: 'Client',
  NOT_UTF8: 'Client',
  DTD_FORBIDDEN: 'Client',
  MALFORMED_XML: 'Client',
  NOT_SOAP_ENVELOPE: 'Client',
  SOAP_VERSION_MISMATCH: 'VersionMismatch',
  MUST_UNDERSTAND: 'MustUnderstand',
  NO_BODY: 'Client',
  EMPTY_BODY: 'Client',
  UNKNOWN_OPERATION: 'Client',
  WRONG_NAMESPACE: 'Client',
  BAD_STRUCTURE: 'Client',
};

export function codecErrorAnswer(error: CodecError, index: ProfileIndex): FaultAnswer {
  void index;
  const finding = makeFinding({
    rule: `CODEC.${error.kind}`,
    severity: 'error',
    demand: 'fault',
    basis: 'spec',
    clause: '§9',
    explanation: `la requête n'est pas une opération lisible (${error.kind}) : ${error.message}`,
    ...(error.line !== undefined ? { line: error.line } : {}),
  });
  return {
    kind: 'fault',
    faultcode: FAULTCODE[error.kind] ?? 'Client',
    faultstring: error.message,
    choice: CLIENT_CHOICE,
    finding,
  };
}

/** The fault an internal error requires: faultcode Server, choice remoteException (§9). */
export function internalErrorAnswer(error: unknown, index: ProfileIndex): FaultAnswer {
  void index;
  const detail = error instanceof Error ? error.message : String(error);
  const finding = makeFinding({
    rule: 'INTERNAL',
    severity: 'error',
    demand: 'fault',
    basis: 'spec',
    clause: '§9',
    explanation: `erreur interne du serveur : ${detail}`,
  });
  return {
    kind: 'fault',
    faultcode: 'Server',
    faultstring: `internal error: ${detail}`,
    choice: SERVER_CHOICE,
    finding,
  };
}

/**
 * The detail choice to emit for an operation: the answer's own when the operation declares it, else
 * remoteException (every operation has it), else the operation's first choice.
 */
export function faultChoiceFor(answer: FaultAnswer, operation: OperationDef | undefined): string {
  if (!operation || operation.faultChoices.includes(answer.choice)) return answer.choice;
  return operation.faultChoices.includes(SERVER_CHOICE) ? SERVER_CHOICE : operation.faultChoices[0]!;
}
