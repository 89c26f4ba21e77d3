/**
 * Builds the ticket value of an OI action (R7): the fields every set carries, example values for
 * the action's mandatory fields, the caller's overrides, then what the action's conditions require
 * (a planned date for ACTION PLANIFIEE, serviceRestoredTime for a resolution by the OI) and the
 * closure label derived from the closure code (`CODE#TEXT`, §6).
 */
import {
  type ActionDef,
  closureLabel,
  type ProfileIndex,
  type TransitionDef,
} from '../../src/profile/index.ts';
import { conditionHolds } from '../../src/rules/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { iso } from './clock.ts';
import { engineFields } from './fields.ts';
import { closureCodesFor } from './lifecycle.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Example values of the R7 actions (§8). Values of value lists are checked by the rule engine like
 * any other message, so a profile that changes a list makes a wrong example visible at once.
 */
const ACTION_EXAMPLES: Record<string, Record<string, string | ((now: number) => string)>> = {
  'oi.takeInCharge': { supplierResolutionState: 'ACTION PREVUE' },
  'oi.plan': {
    supplierResolutionState: 'ACTION PLANIFIEE',
    supplierResolutionAction: 'INTERVENTION AVEC RDV',
    supplierPlannedActionDate: (now) => iso(now + DAY_MS),
    messageType: 'AVANCEMENT INTERVENTION',
    messageContent: 'Intervention planifiée avec le client',
  },
  'oi.information': {
    messageType: 'INFO',
    messageContent: 'Information de l OI sur le traitement de la signalisation',
  },
  'oi.cancellationRefusal': {
    messageType: 'REPONSE',
    messageContent: 'Annulation refusée : l intervention est engagée',
  },
  'oi.resolution': {
    defectLocalization: 'PTO',
    defectResponsibility: 'OI',
    supplierResolutionState: 'ACTION TERMINEE',
  },
};

/**
 * Whether an OPENACTIVE ticket counts as planned (the automatic behaviour resolves it next): a
 * condition of the plan action holds on its fields (in 2.1, supplierResolutionState = ACTION PLANIFIEE).
 */
export const isPlanned = (index: ProfileIndex, fields: TicketValue): boolean =>
  index.action.get('oi.plan')?.conditions?.some((c) => conditionHolds(c, fields)) ?? false;

/** Values any action may need when a condition makes the field mandatory. */
const FIELD_EXAMPLES: Record<string, (now: number) => string> = {
  supplierPlannedActionDate: (now) => iso(now + DAY_MS),
};

export interface OiActionInput {
  index: ProfileIndex;
  action: ActionDef;
  transition: TransitionDef;
  key: string;
  ocSiren: string;
  oiSiren: string;
  oiName: string;
  /** The ticket's state after the action. */
  state: string;
  version: number;
  now: number;
  overrides?: TicketValue;
  /** Closure code when none is given (the automatic resolution's `resolveWith`). */
  defaultClosureCode?: string;
}

const managedOf = new WeakMap<ProfileIndex, readonly string[]>();

/** The managed fields an override may not change: the engine owns key, state and version. */
export function managedFields(index: ProfileIndex): readonly string[] {
  let m = managedOf.get(index);
  if (!m) {
    const f = engineFields(index);
    m = [f.key, f.state, f.version];
    managedOf.set(index, m);
  }
  return m;
}

export function buildOiTicket(input: OiActionInput): TicketValue {
  const { index, action, transition, now } = input;
  const f = engineFields(index);
  const ticket: TicketValue = {
    [f.version]: String(input.version),
    [f.interactionDate]: iso(now),
    [f.description]: transition.description,
    [f.key]: input.key,
    [f.state]: input.state,
    [f.serviceProviderID]: input.ocSiren,
    [f.supplierID]: input.oiSiren,
  };
  const examples = ACTION_EXAMPLES[action.id] ?? {};
  const example = (field: string): string | undefined => {
    const e = examples[field] ?? FIELD_EXAMPLES[field];
    if (typeof e === 'function') return e(now);
    if (e !== undefined) return e;
    if (action.fixed?.[field] !== undefined) return action.fixed[field];
    if (action.allowed?.[field]?.[0] !== undefined) return action.allowed[field][0];
    if (field === 'supplierName') return input.oiName;
    return undefined;
  };
  for (const field of [...action.mandatory, ...Object.keys(examples)]) {
    if (ticket[field] !== undefined || field === f.closureCode || field === f.closureLabel) continue;
    const v = example(field);
    if (v !== undefined) ticket[field] = v;
  }
  const codes = closureCodesFor(index, transition);
  if (action.mandatory.includes(f.closureCode) || codes.length > 0) {
    const code = input.overrides?.[f.closureCode] ?? input.defaultClosureCode ?? codes[0]?.code;
    if (code) ticket[f.closureCode] = code;
  }
  const managed = new Set(managedFields(index));
  for (const [k, v] of Object.entries(input.overrides ?? {})) {
    const canonical = index.field.get(k)?.name ?? k;
    if (!managed.has(canonical)) ticket[canonical] = v;
  }
  const code = ticket[f.closureCode];
  if (code && input.overrides?.[f.closureLabel] === undefined) {
    const c = index.closure.get(code);
    if (c) ticket[f.closureLabel] = closureLabel(c);
  }
  for (const cond of action.conditions ?? []) {
    if (!conditionHolds(cond, ticket)) continue;
    for (const field of cond.require) {
      if (ticket[field] !== undefined) continue;
      const v = example(field) ?? (index.field.get(field)?.type === 'dateTime' ? iso(now) : undefined);
      if (v !== undefined) ticket[field] = v;
    }
  }
  return ticket;
}
