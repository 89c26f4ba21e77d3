/**
 * Profile registry and the lookup index every consumer uses. A profile is plain data; the index
 * is derived from it once, so the hot path never scans arrays.
 */
import { savFtth21 } from './sav-ftth-2.1.ts';
import type {
  ActionDef,
  Basis,
  ClosureCode,
  FieldDef,
  OperationDef,
  Profile,
  ProfileSettings,
  TransitionDef,
  ValueList,
} from './types.ts';

export type * from './types.ts';

const registry = new Map<string, Profile>([[savFtth21.id, savFtth21]]);

/** Adds a profile (SAV 3.0, a workbook-specific variant) without touching any engine. */
export function registerProfile(profile: Profile): void {
  registry.set(profile.id, profile);
}

export function profileIds(): string[] {
  return [...registry.keys()];
}

export const DEFAULT_PROFILE_ID = savFtth21.id;

export interface ProfileIndex {
  profile: Profile;
  settings: ProfileSettings;
  /** By canonical name and by alias. */
  field: Map<string, FieldDef>;
  /** Field by `{namespaceUri}localName`, aliases included. */
  fieldByQName: Map<string, FieldDef>;
  /** Schema position of each field. */
  position: Map<FieldDef, number>;
  list: Map<string, ValueList>;
  action: Map<string, ActionDef>;
  transition: Map<string, TransitionDef>;
  closure: Map<string, ClosureCode>;
  operation: Map<string, OperationDef>;
  /** Operation by `{namespaceUri}requestElement`. */
  operationByRequest: Map<string, OperationDef>;
  /** Operation by `{namespaceUri}responseElement`. */
  operationByResponse: Map<string, OperationDef>;
  /** Transitions that exist under the current settings. */
  activeTransitions: TransitionDef[];
  /** Actions whose transitions all exist under the current settings. */
  activeActions: ActionDef[];
  ns: Profile['namespaces'];
}

export const qname = (ns: string, local: string) => `{${ns}}${local}`;

const indexes = new WeakMap<Profile, ProfileIndex>();

/** Builds (once) the lookup index of a profile. */
export function indexProfile(profile: Profile): ProfileIndex {
  const cached = indexes.get(profile);
  if (cached) return cached;
  const ns = profile.namespaces;
  const field = new Map<string, FieldDef>();
  const fieldByQName = new Map<string, FieldDef>();
  for (const f of profile.fields) {
    for (const name of [f.name, ...(f.aliases ?? [])]) {
      field.set(name, f);
      fieldByQName.set(qname(ns[f.ns], name), f);
    }
  }
  const activeTransitions = profile.transitions.filter((t) => !t.setting || profile.settings[t.setting]);
  const activeIds = new Set(activeTransitions.map((t) => t.id));
  const index: ProfileIndex = {
    profile,
    settings: profile.settings,
    field,
    fieldByQName,
    position: new Map(profile.fields.map((f, i) => [f, i])),
    list: new Map(profile.valueLists.map((l) => [l.id, l])),
    action: new Map(profile.actions.map((a) => [a.id, a])),
    transition: new Map(profile.transitions.map((t) => [t.id, t])),
    closure: new Map(profile.closureCodes.map((c) => [c.code, c])),
    operation: new Map(profile.operations.map((o) => [o.name, o])),
    operationByRequest: new Map(profile.operations.map((o) => [qname(ns[o.ns], o.request), o])),
    operationByResponse: new Map(profile.operations.map((o) => [qname(ns[o.ns], o.response), o])),
    activeTransitions,
    activeActions: profile.actions.filter((a) => a.transitions.every((t) => activeIds.has(t))),
    ns,
  };
  indexes.set(profile, index);
  return index;
}

/**
 * Returns a profile by id with some [decision] settings changed. The ftth namespace is both a
 * setting and a namespace, so it is kept in step here.
 */
export function getProfile(id = DEFAULT_PROFILE_ID, overrides: Partial<ProfileSettings> = {}): Profile {
  const base = registry.get(id);
  if (!base) throw new Error(`unknown profile "${id}" (known: ${profileIds().join(', ')})`);
  if (Object.keys(overrides).length === 0) return base;
  const settings = { ...base.settings, ...overrides };
  // A per-code mapping overridden for some codes keeps the profile's value for the others.
  if (overrides.defectResponsibilityByClosureCode) {
    settings.defectResponsibilityByClosureCode = {
      ...base.settings.defectResponsibilityByClosureCode,
      ...overrides.defectResponsibilityByClosureCode,
    };
  }
  return { ...base, settings, namespaces: { ...base.namespaces, ftth: settings.ftthNamespace } };
}

/**
 * What is wrong in the setting defectResponsibilityByClosureCode of a profile: a key that is not one
 * of its closure codes, a value not in the defectResponsibility list (§6). Empty when all is well.
 */
export function responsibilityMappingProblems(profile: Profile): { code: string; problem: string }[] {
  const codes = new Set(profile.closureCodes.map((c) => c.code));
  const values = profile.valueLists.find((l) => l.id === 'defectResponsibility')?.values ?? [];
  const problems: { code: string; problem: string }[] = [];
  for (const [code, value] of Object.entries(profile.settings.defectResponsibilityByClosureCode)) {
    if (!codes.has(code))
      problems.push({ code, problem: `is not a closure code of profile ${profile.id} (§6)` });
    else if (!values.includes(value))
      problems.push({ code, problem: `must be one of ${values.join(', ')} (defectResponsibility, §6)` });
  }
  return problems;
}

/** The default profile's index: what most callers want. */
/** Basis of a field's format (type, length, SIREN shape): the §5 row that states it. */
export function formatBasis(f: FieldDef): Basis {
  const b = f.format ?? f;
  return { basis: b.basis, clause: b.clause };
}

export function defaultIndex(): ProfileIndex {
  return indexProfile(getProfile());
}

/** `CODE#TEXT`, the closure label the protocol requires for a closure code (§6). */
export function closureLabel(c: ClosureCode): string {
  return `${c.code}#${c.text}`;
}
