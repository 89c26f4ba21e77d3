/**
 * The rule engine's public contract. Implementation modules live beside this file; consumers
 * (mock, scenarios, CLI) import only from here.
 */

/** A received value cut for quoting in a message (60 characters and `…`). */
export { shorten } from '../soap/errors.ts';
/** Whether an action's condition applies to a ticket (its `require` fields become mandatory). */
export { conditionHolds } from './action.ts';
/**
 * answerFor: maps findings to the answer §9 requires ("whenever one field can be blamed, a returnCode
 * naming it"); codecErrorAnswer: the fault a CodecError requires; internalErrorAnswer: the Server fault
 * of an internal error; faultChoiceFor: the detail choice an operation declares.
 */
export {
  answerFor,
  CLIENT_CHOICE,
  codecErrorAnswer,
  faultChoiceFor,
  internalErrorAnswer,
  SERVER_CHOICE,
} from './answer.ts';
/** All protocol rules on a decoded message; the same rules on a ticket value built in code. */
export { checkMessage, checkTicket } from './check.ts';
export type { Answer, CheckOutcome, FaultAnswer, RuleContext } from './context.ts';
export type { Demand, Finding, Severity } from './finding.ts';
/** Fields an action mentions in any way (mandatory, optional, one-of, conditional, fixed, allowed, discriminator). */
export { declaredFields } from './plan.ts';
export { closureCodesOf, type Roles, rolesOf } from './roles.ts';
export { isSirenShape, luhnCheckDigit, luhnValid, sirenFrom } from './siren.ts';
