/** Tickets as the engine reads, merges and shows them. */
import type { ActionDef, ProfileIndex } from '../../src/profile/index.ts';
import { declaredFields } from '../../src/rules/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import type { DeliveryRecord, TicketRecord, TicketStore } from '../store/types.ts';
import { type EngineFields, engineFields } from './fields.ts';
import { managedFields } from './oi-actions.ts';
import type { Delivery, OcAccount, StoredTicket } from './types.ts';

/** The ticket when the account may see it; another OC's ticket is treated exactly like an unknown one. */
export function ownedBy(
  index: ProfileIndex,
  t: TicketRecord | undefined,
  account: OcAccount,
): TicketRecord | undefined {
  if (!t) return undefined;
  return !index.settings.ocIsolation || t.ocSiren === account.siren ? t : undefined;
}

/** The OC a new ticket belongs to: the authenticated account (its serviceProviderID without isolation). */
export function ownerOf(index: ProfileIndex, ticket: TicketValue, account: OcAccount): string {
  if (index.settings.ocIsolation) return account.siren;
  return ticket[engineFields(index).serviceProviderID] ?? account.siren;
}

/** Fields of a message merged over the ticket's: the engine keeps key, state and version itself. */
export function mergeFields(index: ProfileIndex, base: TicketValue, message: TicketValue): TicketValue {
  const out: TicketValue = { ...base };
  const managed = managedFields(index);
  for (const k in message) {
    if (managed.includes(k)) continue;
    const v = message[k]!;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

const ocWritable = new WeakMap<ProfileIndex, Map<ActionDef, ReadonlySet<string>>>();

/**
 * The fields an OC action (R6) may write into its ticket: those its row of the profile lists (§8:
 * mandatory, optional, one-of, conditional) and, for a set, the common set fields, less those the
 * engine keeps itself (key, state, version), the OI's closure code and label and the completion
 * date set when the ticket closes (§7), and, after creation, the access references (technicalId,
 * commercialId): a ticket stays on the access it was created on. Other fields the OC sends are
 * rated FIELD.UNEXPECTED (info) by the rules, answered 0, and not kept.
 */
export function ocWritableFields(index: ProfileIndex, action: ActionDef): ReadonlySet<string> {
  let byAction = ocWritable.get(index);
  if (!byAction) {
    byAction = new Map();
    ocWritable.set(index, byAction);
  }
  let writable = byAction.get(action);
  if (!writable) {
    const f = engineFields(index);
    const never = new Set([
      ...managedFields(index),
      f.closureCode,
      f.closureLabel,
      f.interactionDateComplete,
    ]);
    const creates = action.transitions.every((id) => index.transition.get(id)?.from === null);
    if (!creates) {
      never.add(f.technicalId);
      never.add(f.commercialId);
    }
    const common = action.operation === 'setTroubleTicketByValue' ? index.profile.commonSet.mandatory : [];
    writable = new Set(
      [...declaredFields(action), ...common]
        .map((n) => index.field.get(n)?.name ?? n)
        .filter((n) => !never.has(n)),
    );
    byAction.set(action, writable);
  }
  return writable;
}

/** The part of an OC message its action may write into the ticket (see {@link ocWritableFields}). */
export function ocWrites(index: ProfileIndex, action: ActionDef, message: TicketValue): TicketValue {
  const writable = ocWritableFields(index, action);
  const out: TicketValue = {};
  for (const k in message) if (writable.has(k)) out[k] = message[k]!;
  return out;
}

/** The ticket as a TroubleTicketValue: its fields plus key, state and version. */
export const ticketValue = (f: EngineFields, t: TicketRecord): TicketValue => ({
  ...t.fields,
  [f.version]: String(t.lastUpdateVersionNumber),
  [f.key]: t.troubleTicketKey,
  [f.state]: t.state,
});

/** attrNames: only the named fields (key and state always, the schema requires them); empty: all. */
export function filterAttrs(
  index: ProfileIndex,
  value: TicketValue,
  attrNames: string[] | undefined,
): TicketValue {
  if (!attrNames || attrNames.length === 0) return value;
  const f = engineFields(index);
  const wanted = new Set(attrNames.map((a) => index.field.get(a.trim())?.name ?? a.trim()));
  wanted.add(f.key);
  wanted.add(f.state);
  const out: TicketValue = {};
  for (const [k, v] of Object.entries(value)) if (wanted.has(k)) out[k] = v;
  return out;
}

/** A new troubleTicketKey: the prefix and the next number of the persistent sequence. */
export const newKey = (store: TicketStore, prefix: string) =>
  `${prefix}${String(store.nextSequence('troubleTicketKey')).padStart(6, '0')}`;

/** The ticket as the control API shows it (a copy: the store may keep its record). */
export const publicTicket = (t: TicketRecord): StoredTicket => ({
  troubleTicketKey: t.troubleTicketKey,
  ocSiren: t.ocSiren,
  state: t.state,
  lastUpdateVersionNumber: t.lastUpdateVersionNumber,
  fields: { ...t.fields },
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

export function publicDelivery(d: DeliveryRecord): Delivery {
  const { ticketJson: _t, ...rest } = d;
  return rest;
}
