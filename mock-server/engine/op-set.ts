/**
 * setTroubleTicketByValue from the OC (T2 cancel, T3 cancellation request, T4 information). The
 * rules judge the message against the ticket as stored (state and version: illegal transitions
 * and stale versions are theirs); the engine adds what only it knows (key, isolation, SIRENs).
 */
import { closureLabel } from '../../src/profile/index.ts';
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import type { TicketRecord } from '../store/types.ts';
import { badBody, faultAnswer, type Handled, okAnswer, refusalAnswer } from './answers.ts';
import { iso } from './clock.ts';
import type { EngineContext, OcRequest } from './context.ts';
import { incoming, storedRequest } from './history.ts';
import { acceptedAction, closesWithCode, isOpenState, targetState } from './lifecycle.ts';
import { refusalOf } from './refusals.ts';
import { mergeFields, ocWrites, ownedBy } from './tickets.ts';

export function setTicket(ctx: EngineContext, req: OcRequest): Handled {
  const { op, decoded, account } = req;
  const { index, store, f, codes } = ctx;
  if (decoded.body.kind !== 'setRequest') return faultAnswer(ctx.writer, op, badBody(index));
  const ticket = decoded.body.ticket;
  const key = ticket[f.key] ?? null;
  const owned = key ? ownedBy(index, store.getTicket(key), account) : undefined;
  const current = owned && { state: owned.state, lastUpdateVersionNumber: owned.lastUpdateVersionNumber };
  const outcome = checkMessage(decoded, index, { sender: 'OC', ...(current ? { current } : {}) });
  const answer = answerFor(outcome.findings, index);
  // A refused request on a known ticket is kept in its history too (another OC's is not: isolation).
  const remember = (t: TicketRecord, rest: Parameters<typeof incoming>[4]) =>
    store.grouped(() =>
      store.addHistory(
        incoming(op, t, iso(ctx.clock.now()), storedRequest(req.raw), { ...rest, stateBefore: t.state }),
      ),
    );
  if (answer.kind === 'fault') {
    const h = faultAnswer(ctx.writer, op, answer);
    if (owned) remember(owned, { responseXml: h.answer.body });
    return h;
  }
  const refusal =
    refusalOf(answer) ??
    ctx.refusals.identity(ticket, account) ??
    (owned ? undefined : ctx.refusals.unknownKey(key));
  if (refusal || !owned) {
    const r = refusal ?? ctx.refusals.unknownKey(key);
    const h = refusalAnswer(ctx.writer, op, key, r);
    if (owned) {
      remember(owned, {
        ...(outcome.action ? { action: outcome.action.id } : {}),
        returnCode: r.code,
        returnLabel: r.label,
        responseXml: h.answer.body,
      });
    }
    return h;
  }
  const { action, transition } = acceptedAction(outcome);
  const now = iso(ctx.clock.now());
  const state = targetState(transition, owned.state);
  // Only what the action lists: never the OI's fields, nor the access the ticket was created on.
  const fields = mergeFields(index, owned.fields, ocWrites(index, action, ticket));
  const closure = closesWithCode(index, transition);
  if (closure) {
    fields[f.closureCode] = closure.code;
    fields[f.closureLabel] = closureLabel(closure);
  }
  const open = isOpenState(index, state);
  if (!open) fields[f.interactionDateComplete] = now;
  const updated: TicketRecord = {
    ...owned,
    state,
    open,
    // The OC's own updates keep the version; the closure the OI sets itself (ERR07) is an OI update.
    lastUpdateVersionNumber: owned.lastUpdateVersionNumber + (closure ? 1 : 0),
    fields,
    updatedAt: now,
    stageAt: state !== owned.state ? now : owned.stageAt,
  };
  const responseXml = ctx.writer.response(op.name, {
    troubleTicketKey: owned.troubleTicketKey,
    returnCode: codes.success,
  });
  store.grouped(() => {
    store.updateTicket(updated, owned);
    store.addHistory(
      incoming(op, owned, now, storedRequest(req.raw), {
        action: action.id,
        transition: transition.id,
        returnCode: codes.success,
        responseXml,
        stateBefore: owned.state,
        stateAfter: state,
      }),
    );
  });
  if (state !== owned.state || !open) ctx.schedule(updated);
  return okAnswer(responseXml, { troubleTicketKey: owned.troubleTicketKey, returnCode: codes.success });
}
