/** The SOAP answers the engine hands the transport: a response (returnCode 0/1/2) or a SOAP 1.1 fault. */
import type { OperationDef, ProfileIndex } from '../../src/profile/index.ts';
import { CLIENT_CHOICE, codecErrorAnswer, type FaultAnswer, faultChoiceFor } from '../../src/rules/index.ts';
import { CodecError } from '../../src/soap/errors.ts';
import type { MessageWriter } from '../../src/soap/write.ts';
import type { Refusal } from './refusals.ts';
import type { ExchangeLog, SoapAnswer } from './types.ts';

/** An answer and what its log line says about it (operation and duration are added by the pipeline). */
export type Handled = { answer: SoapAnswer; log: Partial<ExchangeLog> };

const HTTP_OK = 200;
const HTTP_FAULT = 500;

export const blankLog = (): ExchangeLog => ({ operation: 'unknown', durationMs: 0 });

export const okAnswer = (body: string, log: Partial<ExchangeLog>): Handled => ({
  answer: { status: HTTP_OK, body, log: blankLog() },
  log,
});

/** A create/set response carrying a refusal. */
export function refusalAnswer(
  writer: MessageWriter,
  op: OperationDef,
  key: string | null,
  r: Refusal,
): Handled {
  const body = writer.response(op.name, { troubleTicketKey: key, returnCode: r.code, returnLabel: r.label });
  return okAnswer(body, { ...(key ? { troubleTicketKey: key } : {}), returnCode: r.code });
}

export function faultAnswer(writer: MessageWriter, op: OperationDef | undefined, a: FaultAnswer): Handled {
  const body = writer.fault({
    faultcode: a.faultcode,
    faultstring: a.faultstring,
    ...(op ? { exception: op.exception, choice: faultChoiceFor(a, op) } : {}),
    message: a.finding?.message ?? a.faultstring,
  });
  return { answer: { status: HTTP_FAULT, body, log: blankLog() }, log: { fault: a.faultcode } };
}

/** A Client fault for what the request got wrong that no field can carry (auth, unknown event…). */
export const clientFault = (faultstring: string): FaultAnswer => ({
  kind: 'fault',
  faultcode: 'Client',
  faultstring,
  choice: CLIENT_CHOICE,
});

/** The operation element holds something else than the request of its operation. */
export const badBody = (index: ProfileIndex): FaultAnswer =>
  codecErrorAnswer(
    new CodecError('BAD_STRUCTURE', 'the operation element does not hold the expected request'),
    index,
  );
