/** Runs every rule that applies to a decoded message and returns its findings in schema order. */
import type { OperationDef, ProfileIndex } from '../profile/index.ts';
import type { DecodedMessage, TicketValue } from '../soap/model.ts';
import { checkAction } from './action.ts';
import { positionOf } from './answer.ts';
import type { CheckOutcome, RuleContext } from './context.ts';
import { checkFault, checkGetRequest, checkTicketResponse, getRequestValues } from './exchange.ts';
import type { Finding } from './finding.ts';
import { identifyAction } from './identify.ts';
import { planOf, presentFields } from './plan.ts';
import { issueDrafts, schemaDrafts } from './structure.ts';
import { type Draft, isGiven, makeFinding } from './text.ts';
import { checkValues } from './values.ts';

export function checkMessage(msg: DecodedMessage, index: ProfileIndex, ctx: RuleContext = {}): CheckOutcome {
  return runRules(msg, index, ctx, true);
}

function runRules(
  msg: DecodedMessage,
  index: ProfileIndex,
  ctx: RuleContext,
  onTheWire: boolean,
): CheckOutcome {
  const { body, lines } = msg;
  const drafts: Draft[] = msg.issues.length > 0 ? issueDrafts(msg.issues, index) : [];
  if (onTheWire && msg.direction === 'request' && !msg.credentials) {
    // Authentication is the receiver's business (a fault when it fails); the rule only notes the gap.
    drafts.push({
      rule: 'HEADER.MISSING',
      severity: 'warning',
      basis: 'spec',
      clause: '§3',
      explanation: "la requête ne porte pas d'en-tête hdr:TroubleTicketHeaderRequest (LoginName, Password)",
    });
  }
  let values: TicketValue = {};
  let outcome: Omit<CheckOutcome, 'findings'> | undefined;
  switch (body.kind) {
    case 'createRequest':
    case 'setRequest': {
      values = canonical(body.ticket, index);
      const present = presentFields(values, index);
      checkValues(drafts, values, present, index, lines, { requireSchemaFields: true });
      const operation = msg.operation?.name as 'createTroubleTicketByValue' | 'setTroubleTicketByValue';
      const id = identifyAction(values, operation, index, ctx, lines);
      appendAll(drafts, id.drafts);
      if (id.action) {
        checkAction(drafts, values, present, id.action, id.transition, index, ctx, lines);
        const sender = ctx.sender ?? id.action.actor;
        outcome = id.transition
          ? { action: id.action, transition: id.transition, sender }
          : { action: id.action, sender };
      } else if (ctx.sender) outcome = { sender: ctx.sender };
      break;
    }
    case 'getRequest':
      values = getRequestValues(body.get);
      checkValues(drafts, values, presentFields(values, index), index, lines, {
        requireSchemaFields: false,
      });
      appendAll(drafts, checkGetRequest(body.get, index, lines, values));
      break;
    case 'ticketResponse': {
      const ticket = body.ticket ? canonical(body.ticket, index) : undefined;
      if (ticket) {
        checkValues(drafts, ticket, presentFields(ticket, index), index, lines, {
          requireSchemaFields: true,
        });
      }
      appendAll(
        drafts,
        checkTicketResponse(body.response, ticket, msg.operation as OperationDef, index, lines),
      );
      values = { ...ticket, ...responseValues(body.response) };
      break;
    }
    case 'fault':
      appendAll(drafts, checkFault(body.fault, msg.operation));
      break;
    default:
      break;
  }
  const findings = drafts.map(makeFinding);
  if (msg.schemaErrors.length > 0) {
    const parameters =
      body.kind === 'setRequest'
        ? { resyncRequired: body.resyncRequired }
        : body.kind === 'getRequest'
          ? { attrNames: body.get.attrNamesText }
          : {};
    appendAll(findings, schemaDrafts(msg.schemaErrors, values, index, findings, parameters).map(makeFinding));
  }
  const checked = findings.length > 0 ? order(dedupe(findings), index) : findings;
  return outcome ? { findings: checked, ...outcome } : { findings: checked };
}

function appendAll<T>(out: T[], items: T[]): void {
  for (const item of items) out.push(item);
}

export function checkTicket(
  ticket: TicketValue,
  operation: 'createTroubleTicketByValue' | 'setTroubleTicketByValue',
  index: ProfileIndex,
  ctx: RuleContext = {},
): CheckOutcome {
  const op = index.operation.get(operation);
  if (!op) throw new Error(`operation ${operation} is not in profile ${index.profile.id}`);
  const msg: DecodedMessage = {
    direction: 'request',
    operation: op,
    body: op.kind === 'create' ? { kind: 'createRequest', ticket } : { kind: 'setRequest', ticket },
    issues: [],
    lines: {},
    schemaErrors: [],
  };
  return runRules(msg, index, ctx, false);
}

/** Keys by canonical field name (a ticket built in code may use an alias such as reprovisioningId). */
function canonical(ticket: TicketValue, index: ProfileIndex): TicketValue {
  if (!planOf(index).aliases.some((alias) => Object.hasOwn(ticket, alias))) return ticket;
  let out: TicketValue | undefined;
  for (const [k, v] of Object.entries(ticket)) {
    const f = index.field.get(k);
    if (f && f.name !== k) {
      out ??= { ...ticket };
      delete out[k];
      if (out[f.name] === undefined) out[f.name] = v;
    }
  }
  return out ?? ticket;
}

function responseValues(r: {
  troubleTicketKey: string | null;
  returnCode?: string | null;
  returnLabel?: string | null;
}) {
  const out: TicketValue = { troubleTicketKey: r.troubleTicketKey };
  if (r.returnCode !== undefined) out.returnCode = r.returnCode;
  if (r.returnLabel !== undefined) out.returnLabel = r.returnLabel;
  return out;
}

/**
 * One answer per field. A field present but misplaced (wrong namespace, not simple) is wrong, not
 * missing. A missing field is reported once, and "invalid" findings about its blank value say the
 * same thing again.
 */
function dedupe(findings: Finding[]): Finding[] {
  const misplaced = new Set(
    findings
      .filter((f) => f.field && f.severity === 'error' && f.rule.startsWith('STRUCTURE.'))
      .map((f) => f.field!),
  );
  const missing = new Map<string, Finding>();
  const generic = new Set(['REQUIRED', 'XSD']);
  for (const f of findings) {
    if (f.severity !== 'error' || f.demand !== 'missing' || !f.field || misplaced.has(f.field)) continue;
    const seen = missing.get(f.field);
    if (!seen || (generic.has(seen.rule) && !generic.has(f.rule))) missing.set(f.field, f);
  }
  return findings.filter((f) => {
    if (!f.field || f.severity !== 'error') return true;
    if (f.demand === 'missing' && misplaced.has(f.field)) return false;
    const m = missing.get(f.field);
    if (!m || m === f) return true;
    if (f.demand === 'missing') return false;
    return !(f.demand === 'invalid' && !isGiven(f.value));
  });
}

function order(findings: Finding[], index: ProfileIndex): Finding[] {
  if (findings.length < 2) return findings;
  return findings
    .map((f, i) => ({ f, i, at: positionOf(f, index) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map(({ f }) => f);
}
