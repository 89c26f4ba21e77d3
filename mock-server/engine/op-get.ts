/**
 * getTroubleTicketByKey (R9): by key, or by technicalId (the OC's tickets on that PTO, whichever
 * reference of its access they were created with; open ones first when the profile says so). The
 * read is kept in the ticket's history; that row need not be durable before the answer leaves, so
 * it simply joins the next group commit.
 */
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import type { TicketRecord } from '../store/types.ts';
import { badBody, faultAnswer, type Handled, okAnswer } from './answers.ts';
import { iso } from './clock.ts';
import type { EngineContext, OcRequest } from './context.ts';
import { incoming, storedRequest } from './history.ts';
import { type Refusal, refusalOf } from './refusals.ts';
import { filterAttrs, ownedBy, ticketValue } from './tickets.ts';

export function getTicket(ctx: EngineContext, req: OcRequest): Handled {
  const { op, decoded, account } = req;
  const { index, store, f, codes } = ctx;
  if (decoded.body.kind !== 'getRequest') return faultAnswer(ctx.writer, op, badBody(index));
  const g = decoded.body.get;
  const outcome = checkMessage(decoded, index, { sender: 'OC' });
  const answer = answerFor(outcome.findings, index);
  if (answer.kind === 'fault') return faultAnswer(ctx.writer, op, answer);
  const requested = g.troubleTicketKey ?? null;
  const asValue: TicketValue = {};
  if (g.serviceProviderID !== undefined) asValue[f.serviceProviderID] = g.serviceProviderID;
  if (g.supplierID !== undefined) asValue[f.supplierID] = g.supplierID;
  let refusal: Refusal | undefined = refusalOf(answer) ?? ctx.refusals.identity(asValue, account);
  let found: TicketRecord | undefined;
  if (!refusal) {
    if (requested) {
      found = ownedBy(index, store.getTicket(requested), account);
      if (!found) refusal = ctx.refusals.unknownKey(requested);
    } else if (g.technicalId) {
      const owner = index.settings.ocIsolation ? account.siren : (g.serviceProviderID ?? account.siren);
      // The PTO's access, resolved through the inventory: a ticket created with its commercialId counts.
      const access = ctx.inventory.resolve({ technicalId: g.technicalId });
      found = store.findByAccess(owner, access, index.settings.getByTechnicalIdOpenFirst);
      if (!found) refusal = ctx.refusals.unknownTechnicalId(g.technicalId);
    } else refusal = ctx.refusals.missingKey();
  }
  if (refusal || !found) {
    const r = refusal ?? ctx.refusals.unknownKey(requested);
    const body = ctx.writer.getResponse({
      troubleTicketKey: requested,
      returnCode: r.code,
      returnLabel: r.label,
    });
    return okAnswer(body, { ...(requested ? { troubleTicketKey: requested } : {}), returnCode: r.code });
  }
  const t = found;
  const body = ctx.writer.getResponse(
    { troubleTicketKey: t.troubleTicketKey, returnCode: codes.success },
    filterAttrs(index, ticketValue(f, t), g.attrNames),
  );
  store.grouped(() =>
    store.addHistory(
      incoming(op, t, iso(ctx.clock.now()), storedRequest(req.raw), {
        returnCode: codes.success,
        responseXml: body,
        stateBefore: t.state,
        stateAfter: t.state,
      }),
    ),
  );
  return okAnswer(body, { troubleTicketKey: t.troubleTicketKey, returnCode: codes.success });
}
