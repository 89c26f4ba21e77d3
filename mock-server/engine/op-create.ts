/** createTroubleTicketByValue (T1): a new ticket, stored with its history before the answer leaves. */
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import { badBody, faultAnswer, type Handled, okAnswer, refusalAnswer } from './answers.ts';
import { iso } from './clock.ts';
import type { EngineContext, OcRequest } from './context.ts';
import { storedRequest } from './history.ts';
import { accessOf, intakeCode } from './intake.ts';
import { acceptedAction, isOpenState } from './lifecycle.ts';
import { refusalOf } from './refusals.ts';
import { mergeFields, newKey, ocWrites, ownerOf } from './tickets.ts';

export function createTicket(ctx: EngineContext, req: OcRequest): Handled {
  const { op, decoded, account } = req;
  const { index, store, codes } = ctx;
  if (decoded.body.kind !== 'createRequest') return faultAnswer(ctx.writer, op, badBody(index));
  const ticket = decoded.body.ticket;
  const outcome = checkMessage(decoded, index, { sender: 'OC' });
  const answer = answerFor(outcome.findings, index);
  if (answer.kind === 'fault') return faultAnswer(ctx.writer, op, answer);
  const refusal = refusalOf(answer) ?? ctx.refusals.identity(ticket, account);
  if (refusal) return refusalAnswer(ctx.writer, op, null, refusal);
  const { action, transition } = acceptedAction(outcome);
  const state = transition.to;
  const now = iso(ctx.clock.now());
  const ocSiren = ownerOf(index, ticket, account);
  // Only what oc.create lists: fields of the OI (closure, completion date, supplier*) are not kept.
  const fields = mergeFields(index, {}, ocWrites(index, action, ticket));
  const access = accessOf(ctx, fields);
  let responseXml = '';
  const record = store.grouped(() => {
    const key = newKey(store, ctx.keyPrefix);
    responseXml = ctx.writer.response(op.name, { troubleTicketKey: key, returnCode: codes.success });
    const rec = store.insertTicket({
      troubleTicketKey: key,
      ocSiren,
      state,
      open: isOpenState(index, state),
      lastUpdateVersionNumber: index.settings.initialVersionNumber,
      fields,
      access,
      createdAt: now,
      updatedAt: now,
      stageAt: now,
      // A ticket that passes the intake checks now passes them later too (the inventory does not
      // change, closed tickets do not reopen): done at once, which spares a write per create.
      intakeDone: intakeCode(ctx, access, ocSiren, Number.MAX_SAFE_INTEGER) === undefined,
    });
    store.addHistory({
      troubleTicketKey: key,
      at: now,
      direction: 'in',
      actor: 'OC',
      operation: op.name,
      action: action.id,
      transition: transition.id,
      returnCode: codes.success,
      requestXml: storedRequest(req.raw),
      responseXml,
      stateAfter: state,
    });
    return rec;
  });
  // Business refusals (ERR01/ERR04) come after the answer, as OI actions.
  if (record.intakeDone) ctx.schedule(record);
  else ctx.queueIntake(record.troubleTicketKey);
  return okAnswer(responseXml, { troubleTicketKey: record.troubleTicketKey, returnCode: codes.success });
}
