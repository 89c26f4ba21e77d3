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
import { conditionHolds, declaredFields, shorten } from '../../src/rules/index.ts';
import { firstNonXmlChar } from '../../src/soap/chars.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { iso } from './clock.ts';
import { engineFields } from './fields.ts';
import { closureCodesFor } from './lifecycle.ts';

const DAY_MS = 24 * 3600 * 1000;
const DEFECT_RESPONSIBILITY = 'defectResponsibility';

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
    // For a closure code the setting defectResponsibilityByClosureCode does not map.
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

/** The fields an override of an R7 action may set: those §8 lists for it, less the common ones. */
export function overridableFields(index: ProfileIndex, action: ActionDef): string[] {
  const engineOwned = new Set([...index.profile.commonSet.mandatory, ...managedFields(index)]);
  const f = engineFields(index);
  engineOwned.add(f.interactionDateComplete);
  return [...declaredFields(action)].filter((name) => !engineOwned.has(name));
}

/** Why an override may not set a field the action does not list (English, for the control API). */
function refusalReason(index: ProfileIndex, action: ActionDef, field: string): string {
  const f = engineFields(index);
  const transitions = action.transitions.flatMap((id) => index.transition.get(id) ?? []);
  switch (field) {
    case f.serviceProviderID:
      return 'identity field: the mock sets it to the SIREN of the OC that owns the ticket';
    case f.supplierID:
      return "identity field: the mock sets it to the OI's own SIREN";
    case f.key:
      return 'identity field: the ticket is the one named in the URL';
    case f.state:
      return `set by the transition of ${action.id} (${transitions
        .map((t) => `${t.id} → ${t.to === 'unchanged' ? 'state unchanged' : t.to}`)
        .join(', ')}, §7)`;
    case f.version:
      return 'the OI increments it at each of its updates (§7)';
    case f.description:
      return `the action code, set by ${action.id} (${transitions.map((t) => t.description).join(', ')}, §6)`;
    case f.interactionDate:
      return 'the date of the OI update, set by the mock when it applies the action';
    case f.interactionDateComplete:
      return 'set by the OI when the ticket closes (§7)';
  }
  if (index.profile.commonSet.mandatory.includes(field))
    return 'common field of every set, set by the mock (§8)';
  const others = index.activeActions
    .filter((a) => a !== action && declaredFields(a).has(field))
    .map((a) => `${a.id} (${a.catalogue})`);
  if (others.length > 0) return `a field of ${others.join(', ')}, not of ${action.id} (§8)`;
  return `no action carries it, ${action.id} included (§8)`;
}

const quoted = (v: unknown) => JSON.stringify(typeof v === 'string' ? shorten(v) : v);

export interface OverrideRefusal {
  /** English, e.g. `invalid field overrides for oi.takeInCharge: …; oi.takeInCharge accepts: …`. */
  message: string;
  /** One line per refused field: `field: value why`. */
  problems: string[];
  /** The fields the action accepts (§8). */
  accepted: string[];
}

/**
 * Checks the field overrides of an R7 action: each must name a field §8 lists for the action
 * (the mock owns identity, state, version, action code and dates) and carry a string XML can
 * carry, or null. Undefined when every override is acceptable.
 */
export function refuseOverrides(
  index: ProfileIndex,
  action: ActionDef,
  overrides: Record<string, unknown>,
): OverrideRefusal | undefined {
  const accepted = overridableFields(index, action);
  const problems: string[] = [];
  for (const [name, value] of Object.entries(overrides)) {
    const field = index.field.get(name);
    if (!field) {
      problems.push(`${name}: is not a field of profile ${index.profile.id}`);
    } else if (!accepted.includes(field.name)) {
      problems.push(
        `${name}: ${quoted(value)} cannot be overridden: ${refusalReason(index, action, field.name)}`,
      );
    } else if (value !== null && typeof value !== 'string') {
      problems.push(`${name}: ${quoted(value)} must be a string or null`);
    } else if (typeof value === 'string') {
      const at = firstNonXmlChar(value);
      if (at >= 0) {
        const code = value.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
        const position = [...value.slice(0, at)].length + 1;
        problems.push(
          `${name}: ${quoted(value)} holds U+${code} at character ${position}, a character XML 1.0 cannot carry (the OC would receive U+FFFD)`,
        );
      }
    }
  }
  if (problems.length === 0) return undefined;
  const acceptsText = `${action.id} accepts: ${accepted.join(', ') || 'no field'}`;
  return {
    message: `invalid field overrides for ${action.id}: ${problems.join('; ')}; ${acceptsText}`,
    problems,
    accepted,
  };
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
  const overridden = new Set<string>();
  for (const [k, v] of Object.entries(input.overrides ?? {})) {
    const canonical = index.field.get(k)?.name ?? k;
    overridden.add(canonical);
    if (!managed.has(canonical)) ticket[canonical] = v;
  }
  const code = ticket[f.closureCode];
  // The responsibility the closure code implies (setting defectResponsibilityByClosureCode, §6),
  // unless the caller gave one.
  const implied = code ? index.settings.defectResponsibilityByClosureCode[code] : undefined;
  if (implied && !overridden.has(DEFECT_RESPONSIBILITY) && declaredFields(action).has(DEFECT_RESPONSIBILITY))
    ticket[DEFECT_RESPONSIBILITY] = implied;
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
