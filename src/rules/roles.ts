/**
 * The fields that play a protocol role (action code, ticket state, closure code and label, version,
 * key), derived from the profile's data rather than from their names: a profile that renames or
 * adds fields keeps its checks.
 */
import { closureLabel, type FieldDef, type ProfileIndex } from '../profile/index.ts';

export interface Roles {
  /** Carries the action code: its list holds every transition's description. */
  description?: FieldDef;
  /** Carries the state the action leads to: its list holds every non-legacy state. */
  state?: FieldDef;
  /** Its list holds every closure code. */
  closureCode?: FieldDef;
  /** Its list holds every `CODE#TEXT` closure label. */
  closureLabel?: FieldDef;
  /** Compared with the current ticket's version (settings.staleVersionField). */
  version?: FieldDef;
}

const cache = new WeakMap<ProfileIndex, Roles>();

export function rolesOf(index: ProfileIndex): Roles {
  const cached = cache.get(index);
  if (cached) return cached;
  const { profile } = index;
  const covering = (needed: string[]) =>
    needed.length === 0
      ? undefined
      : profile.fields.find((f) => {
          const l = f.list ? index.list.get(f.list) : undefined;
          return l !== undefined && needed.every((v) => l.values.includes(v));
        });
  const roles: Roles = {};
  const description = covering(profile.transitions.map((t) => t.description));
  const state = covering(profile.states.filter((s) => !s.legacy).map((s) => s.name));
  const closureCode = covering(profile.closureCodes.map((c) => c.code));
  const label = covering(profile.closureCodes.map(closureLabel));
  const version = index.field.get(index.settings.staleVersionField);
  if (description) roles.description = description;
  if (state) roles.state = state;
  if (closureCode) roles.closureCode = closureCode;
  if (label) roles.closureLabel = label;
  if (version) roles.version = version;
  cache.set(index, roles);
  return roles;
}

/** Closure codes a transition allows: its entries are codes or closure families. */
export function closureCodesOf(index: ProfileIndex, entries: readonly string[]): string[] {
  return index.profile.closureCodes
    .filter((c) => entries.includes(c.code) || entries.includes(c.family))
    .map((c) => c.code);
}
