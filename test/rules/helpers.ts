/** Shared setup of the rule tests: one index, writer and validator per profile, round trips through XML. */
import { type ActionDef, defaultIndex, type ProfileIndex } from '../../src/profile/index.ts';
import { type ExampleOptions, exampleContext, exampleTicket } from '../../src/rules/examples.ts';
import { answerFor, checkMessage, checkTicket, type RuleContext } from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import type { DecodedMessage, TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

export const index = defaultIndex();

const writers = new WeakMap<ProfileIndex, MessageWriter>();
const writerOf = (ix: ProfileIndex) => {
  const cached = writers.get(ix);
  if (cached) return cached;
  const w = new MessageWriter(ix);
  writers.set(ix, w);
  return w;
};

/** The XML a sender would put on the wire for this ticket. */
export function requestXml(ticket: TicketValue, operation: ActionDef['operation'], ix = index): string {
  const w = writerOf(ix);
  return operation === 'createTroubleTicketByValue' ? w.createRequest(ticket) : w.setRequest(ticket);
}

/** Reads XML as the receiver does: with the XSD validator of the profile. */
export function decode(xml: string, ix = index): DecodedMessage {
  return readMessage(xml, ix, { validator: schemaValidator(ix.profile) });
}

/** Checks a ticket both in code and after an XML round trip; both must agree on the answer. */
export function judge(ticket: TicketValue, operation: ActionDef['operation'], ctx: RuleContext, ix = index) {
  const direct = checkTicket(ticket, operation, ix, ctx);
  const wire = checkMessage(decode(requestXml(ticket, operation, ix), ix), ix, ctx);
  return {
    direct,
    wire,
    directAnswer: answerFor(direct.findings, ix),
    answer: answerFor(wire.findings, ix),
  };
}

export function example(a: ActionDef, opts: ExampleOptions = {}, ix = index) {
  return { ticket: exampleTicket(a.id, ix, opts), ctx: exampleContext(a.id, ix, opts) };
}

export const errorsOf = <F extends { severity: string }>(findings: F[]): F[] =>
  findings.filter((f) => f.severity === 'error');

/** `field : …` — what a harness checks in a returnLabel (§9). */
export const namesField = (label: string, field: string) => label.startsWith(`${field} : `);
