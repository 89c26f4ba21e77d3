/**
 * The fields the engine itself reads or writes (key, state, version, closure, dates, SIRENs, access
 * references). Roles are derived from the profile where it says them (settings, value lists); the
 * few plain names are the protocol's (§4) and checked against the profile once, at start.
 */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { rolesOf } from '../../src/rules/index.ts';

export interface EngineFields {
  key: string;
  state: string;
  version: string;
  description: string;
  closureCode: string;
  closureLabel: string;
  interactionDate: string;
  interactionDateComplete: string;
  serviceProviderID: string;
  supplierID: string;
  technicalId: string;
  commercialId: string;
}

const cache = new WeakMap<ProfileIndex, EngineFields>();

export function engineFields(index: ProfileIndex): EngineFields {
  const cached = cache.get(index);
  if (cached) return cached;
  const { profile, settings } = index;
  const roles = rolesOf(index);
  const role = (name: string, f: { name: string } | undefined) => {
    if (!f) throw new Error(`profile ${profile.id}: no field carries the ${name}`);
    return f.name;
  };
  const named = (name: string) => {
    if (!index.field.has(name)) throw new Error(`profile ${profile.id}: the mock needs field ${name} (§4)`);
    return index.field.get(name)!.name;
  };
  const fields: EngineFields = {
    key: named(settings.unknownKeyField),
    state: named(settings.illegalTransitionField),
    version: named(settings.staleVersionField),
    description: role('action code', roles.description),
    closureCode: role('closure code', roles.closureCode),
    closureLabel: role('closure label', roles.closureLabel),
    interactionDate: named('interactionDate'),
    interactionDateComplete: named('interactionDateComplete'),
    serviceProviderID: named('serviceProviderID'),
    supplierID: named('supplierID'),
    technicalId: named('technicalId'),
    commercialId: named('commercialId'),
  };
  cache.set(index, fields);
  return fields;
}
