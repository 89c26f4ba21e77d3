/**
 * Applies an OI action (R7) to a stored ticket: the message it makes (oi-actions.ts), judged by
 * the rules like any OI message, then stored with its history and its delivery to the OC in one
 * committed transaction, then pushed and rescheduled.
 */

import { answerFor, checkTicket } from '../../src/rules/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import type { TicketRecord } from '../store/types.ts';
import { iso } from './clock.ts';
import type { EngineContext } from './context.ts';
import { EngineError } from './errors.ts';
import { redactPassword } from './history.ts';
import { isOpenState, targetState, transitionFor, unavailableOiAction } from './lifecycle.ts';
import { buildOiTicket, refuseOverrides } from './oi-actions.ts';
import type { Pusher } from './push.ts';
import { mergeFields, publicTicket } from './tickets.ts';
import type { StoredTicket } from './types.ts';

export interface OiActionResult {
  ticket: StoredTicket;
  returnCode: string;
  returnLabel?: string;
}

export interface OiActionDeps {
  ctx: EngineContext;
  pusher?: Pusher;
  /** The credentials the pushed requests carry (the OC endpoint's account). */
  pushCredentials?: { login: string; password: string };
  /** The OC endpoint the delivery goes to, as shown (see Pusher.shownUrl). */
  pushUrl?: string;
}

export function applyOiAction(
  { ctx, pusher, pushCredentials, pushUrl }: OiActionDeps,
  key: string,
  actionId: string,
  overrides?: TicketValue,
): OiActionResult {
  const { index, store, f, codes } = ctx;
  const rec = store.getTicket(key);
  if (!rec) throw new EngineError('unknown-ticket', `no ticket ${key}`);
  const action = index.action.get(actionId);
  const oiActions = index.activeActions.filter((a) => a.actor === 'OI').map((a) => a.id);
  if (!action || !oiActions.includes(actionId)) {
    throw new EngineError('unknown-action', unavailableOiAction(index, actionId, oiActions));
  }
  if (overrides) {
    const refused = refuseOverrides(index, action, overrides);
    if (refused) throw new EngineError('invalid-argument', refused.message);
  }
  // The action is named by the caller, not read from a message: its transition from the ticket's
  // state is what the OI would send, and there is none when the diagram does not allow it.
  const t = transitionFor(index, action, rec.state);
  if (!t) {
    const r = ctx.refusals.illegalOiAction(action, rec.state);
    return { ticket: publicTicket(rec), returnCode: r.code, returnLabel: r.label };
  }
  const nowMs = ctx.clock.now();
  const now = iso(nowMs);
  const state = targetState(t, rec.state);
  const open = isOpenState(index, state);
  const value = buildOiTicket({
    index,
    action,
    transition: t,
    key,
    ocSiren: rec.ocSiren,
    oiSiren: ctx.oiSiren,
    oiName: ctx.oiName,
    state,
    version: rec.lastUpdateVersionNumber + 1,
    now: nowMs,
    ...(overrides ? { overrides } : {}),
  });
  if (!open) value[f.interactionDateComplete] = now;
  const outcome = checkTicket(value, 'setTroubleTicketByValue', index, {
    sender: 'OI',
    current: { state: rec.state, lastUpdateVersionNumber: rec.lastUpdateVersionNumber },
  });
  // The mock derives the closure label from the code: when the code is wrong there is no label to
  // derive, and the answer must blame the code the caller gave, not the label it did not.
  const labelDerived = overrides?.[f.closureLabel] === undefined;
  const findings =
    labelDerived && outcome.findings.some((x) => x.field === f.closureCode && x.severity === 'error')
      ? outcome.findings.filter((x) => x.field !== f.closureLabel)
      : outcome.findings;
  const answer = answerFor(findings, index);
  if (answer.kind !== 'ok') {
    return {
      ticket: publicTicket(rec),
      returnCode: answer.kind === 'returnCode' ? answer.code : codes.invalid,
      returnLabel: answer.kind === 'returnCode' ? answer.label : answer.faultstring,
    };
  }
  const updated: TicketRecord = {
    ...rec,
    state,
    open,
    lastUpdateVersionNumber: rec.lastUpdateVersionNumber + 1,
    fields: mergeFields(index, rec.fields, value),
    updatedAt: now,
    stageAt: now,
  };
  const requestXml = redactPassword(ctx.writer.setRequest(value, pusher ? pushCredentials : undefined));
  store.transaction(() => {
    store.updateTicket(updated, rec);
    store.addHistory({
      troubleTicketKey: key,
      at: now,
      direction: 'push',
      actor: 'OI',
      operation: 'setTroubleTicketByValue',
      action: action.id,
      transition: t.id,
      requestXml,
      stateBefore: rec.state,
      stateAfter: state,
    });
    if (pusher) {
      store.addDelivery({
        troubleTicketKey: key,
        action: action.id,
        ...(pushUrl !== undefined ? { targetUrl: pushUrl } : {}),
        ticketJson: JSON.stringify(value),
        requestXml,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      });
    }
  });
  pusher?.enqueue(key);
  ctx.schedule(updated);
  return { ticket: publicTicket(updated), returnCode: codes.success };
}
