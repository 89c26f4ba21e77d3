/**
 * The meta operations (R8: getEventTypes, getEventDescriptor…): the profile's values. A request
 * the rules refuse, or an unknown event type, is a Client fault: these answers carry no returnCode.
 */
import { answerFor, checkMessage, shorten } from '../../src/rules/index.ts';
import { clientFault, faultAnswer, type Handled, okAnswer } from './answers.ts';
import type { EngineContext, OcRequest } from './context.ts';

export function metaOperation(ctx: EngineContext, req: OcRequest): Handled {
  const { op, decoded } = req;
  const outcome = checkMessage(decoded, ctx.index, { sender: 'OC' });
  const answer = answerFor(outcome.findings, ctx.index);
  if (answer.kind === 'fault') return faultAnswer(ctx.writer, op, answer);
  if (answer.kind === 'returnCode') return faultAnswer(ctx.writer, op, clientFault(answer.label));
  const m = op.meta!;
  if (m.requestChild) {
    const given = decoded.body.kind === 'metaRequest' ? decoded.body.eventType : undefined;
    if (given === undefined || !m.values.includes(given)) {
      const published = m.values.length ? m.values.join(', ') : 'no events';
      return faultAnswer(
        ctx.writer,
        op,
        clientFault(
          `${m.requestChild} "${shorten(given ?? '')}" is unknown: this service publishes ${published} (${ctx.index.profile.title})`,
        ),
      );
    }
  }
  return okAnswer(ctx.writer.metaResponse(op.name, m.values), {});
}
