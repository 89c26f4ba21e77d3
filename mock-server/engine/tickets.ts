/** Tickets as the engine reads, merges and shows them. */
import type { ProfileIndex } from '../../src/profile/index.ts';
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
