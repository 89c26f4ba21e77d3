/**
 * What the rules look up on every message, derived once per profile index: value lists as sets,
 * the actions each operation carries grouped by action code, each action's declared fields and
 * closure codes. The mock checks every request against the same index, so none of this is
 * recomputed per message. Plain derivations of the profile: no rule decides anything here.
 */
import {
  type ActionDef,
  type ClosureCode,
  closureLabel,
  type ProfileIndex,
  type StateDef,
  type TransitionDef,
  type ValueList,
} from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import { closureCodesOf, type Roles, rolesOf } from './roles.ts';

/** One way a create/set can be read: an action and one of its active transitions. */
export interface Pair {
  action: ActionDef;
  transition: TransitionDef;
}

export interface ListSets {
  def: ValueList;
  values: Set<string>;
  legacy?: Set<string>;
}

export interface OperationPlan {
  /** Active actions the operation carries, in profile order. */
  actions: ActionDef[];
  /** Their active transitions, in profile order. */
  pairs: Pair[];
  /** The pairs by action code (transition description), order kept. */
  byDescription: Map<string, Pair[]>;
}

export interface ActionPlan {
  /** Fields the action mentions (see declaredFields). */
  declared: Set<string>;
  /** By schema position: the field is neither mentioned by the action nor required by the schema. */
  unexpected: boolean[];
  fixed: [string, string][];
  allowed: [string, string[]][];
  /** Its transitions that carry closure codes, and the codes they allow (first seen first). */
  closureBound: TransitionDef[];
  closureCodes: string[];
  closureCodeSet: Set<string>;
  /** Every transition creates the ticket: no current version to compare with. */
  createsOnly: boolean;
  /** How findings name the action. */
  who: string;
}

export interface TransitionPlan {
  closureCodes: string[];
  closureCodeSet: Set<string>;
}

export interface RulesPlan {
  roles: Roles;
  /** Schema position by canonical field name; undefined when two fields share a name. */
  positions: Map<string, number> | undefined;
  /** Schema positions of the fields the schema requires (minOccurs=1). */
  required: number[];
  /** Value lists by id (as index.list), with their values as sets. */
  lists: Map<string, ListSets>;
  /** Names of index.field that are aliases, not canonical names. */
  aliases: string[];
  /** States by name (first one wins, as Array.find). */
  states: Map<string, StateDef>;
  closureLabels: Map<ClosureCode, string>;
  operations: Map<string, OperationPlan>;
  actions: Map<ActionDef, ActionPlan>;
  transitions: Map<TransitionDef, TransitionPlan>;
}

/** Fields an action mentions in any way. */
export function declaredFields(a: ActionDef): Set<string> {
  return new Set([
    ...a.mandatory,
    ...a.optional,
    ...(a.oneOf ?? []).flat(),
    ...(a.conditions ?? []).flatMap((c) => [c.when.field, ...c.require]),
    ...Object.keys(a.fixed ?? {}),
    ...Object.keys(a.allowed ?? {}),
    ...(a.discriminator ? [a.discriminator.field] : []),
  ]);
}

const plans = new WeakMap<ProfileIndex, RulesPlan>();

export function planOf(index: ProfileIndex): RulesPlan {
  let plan = plans.get(index);
  if (!plan) {
    plan = buildPlan(index);
    plans.set(index, plan);
  }
  return plan;
}

function buildPlan(index: ProfileIndex): RulesPlan {
  const { profile } = index;
  const lists = new Map<string, ListSets>();
  for (const [id, l] of index.list) {
    lists.set(id, { def: l, values: new Set(l.values), ...(l.legacy ? { legacy: new Set(l.legacy) } : {}) });
  }
  const states = new Map<string, StateDef>();
  for (const s of profile.states) if (!states.has(s.name)) states.set(s.name, s);
  const positions = new Map(profile.fields.map((f, i) => [f.name, i]));
  return {
    roles: rolesOf(index),
    positions: positions.size === profile.fields.length ? positions : undefined,
    required: profile.fields.flatMap((f, i) => (f.required ? [i] : [])),
    lists,
    aliases: [...index.field].filter(([name, f]) => f.name !== name).map(([name]) => name),
    states,
    closureLabels: new Map(profile.closureCodes.map((c) => [c, closureLabel(c)])),
    operations: new Map(),
    actions: new Map(),
    transitions: new Map(),
  };
}

/**
 * Schema positions of the fields a ticket gives (value not undefined), in schema order. Walks the
 * ticket's own keys rather than probing it for every field of the profile: most are absent.
 */
export function presentFields(values: TicketValue, index: ProfileIndex): number[] {
  const { positions } = planOf(index);
  const out: number[] = [];
  if (!positions) {
    index.profile.fields.forEach((f, i) => {
      if (values[f.name] !== undefined) out.push(i);
    });
    return out;
  }
  let sorted = true;
  for (const name in values) {
    const at = positions.get(name);
    if (at === undefined || values[name] === undefined) continue;
    if (out.length > 0 && at < out[out.length - 1]!) sorted = false;
    out.push(at);
  }
  return sorted ? out : out.sort((a, b) => a - b);
}

export function operationPlan(index: ProfileIndex, operation: string): OperationPlan {
  const plan = planOf(index);
  let op = plan.operations.get(operation);
  if (!op) {
    const active = new Set(index.activeTransitions.map((t) => t.id));
    const actions = index.activeActions.filter((a) => a.operation === operation);
    const pairs: Pair[] = actions.flatMap((action) =>
      action.transitions
        .filter((id) => active.has(id))
        .map((id) => ({ action, transition: index.transition.get(id)! })),
    );
    const byDescription = new Map<string, Pair[]>();
    for (const p of pairs) {
      const same = byDescription.get(p.transition.description);
      if (same) same.push(p);
      else byDescription.set(p.transition.description, [p]);
    }
    op = { actions, pairs, byDescription };
    plan.operations.set(operation, op);
  }
  return op;
}

export function actionPlan(index: ProfileIndex, action: ActionDef): ActionPlan {
  const plan = planOf(index);
  let a = plan.actions.get(action);
  if (!a) {
    const declared = declaredFields(action);
    const transitions = action.transitions.map((id) => index.transition.get(id)!).filter(Boolean);
    const closureBound = transitions.filter((t) => t.closureCodes);
    const closureCodes = [...new Set(closureBound.flatMap((t) => closureCodesOf(index, t.closureCodes!)))];
    a = {
      declared,
      unexpected: index.profile.fields.map((f) => !declared.has(f.name) && !f.required),
      fixed: Object.entries(action.fixed ?? {}),
      allowed: Object.entries(action.allowed ?? {}),
      closureBound,
      closureCodes,
      closureCodeSet: new Set(closureCodes),
      createsOnly: action.transitions.every((id) => index.transition.get(id)?.from === null),
      who: `l'action ${action.id} « ${action.title} » (${action.catalogue})`,
    };
    plan.actions.set(action, a);
  }
  return a;
}

export function transitionPlan(index: ProfileIndex, transition: TransitionDef): TransitionPlan {
  const plan = planOf(index);
  let t = plan.transitions.get(transition);
  if (!t) {
    const closureCodes = transition.closureCodes
      ? [...new Set(closureCodesOf(index, transition.closureCodes))]
      : [];
    t = { closureCodes, closureCodeSet: new Set(closureCodes) };
    plan.transitions.set(transition, t);
  }
  return t;
}
