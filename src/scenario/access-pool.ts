/**
 * Role oc against a real OI: the accesses the harness's creates name. A conforming OI closes a
 * ticket on a PTO outside its inventory (ERR01) or on an access that already has an open ticket
 * (ERR04, §9), so each create takes its own entry of the OI's inventory (technicalId and
 * commercialId of one access), drawn from a pool shared by the scenarios running in parallel.
 */
import { readFileSync } from 'node:fs';
import { inventoryFromCsv } from '../../mock-server/engine/inventory.ts';
import type { InventoryEntry } from '../../mock-server/engine/types.ts';
import type { ProfileIndex } from '../profile/index.ts';
import type { TicketValue } from '../soap/model.ts';
import { controlCall } from './http.ts';
import { shortActionName } from './rulebook.ts';
import type { Scenario } from './schema.ts';

/**
 * The access references of a ticket, named as the inventory's columns (which are the protocol's
 * field names, §4): a create naming either one names the access.
 */
export const ACCESS_FIELDS = ['technicalId', 'commercialId'] as const;

export class AccessPool {
  private cursor = 0;
  private wrapped = false;
  private need?: number;
  private readonly byField = new Map<string, Map<string, InventoryEntry>>();

  constructor(
    readonly entries: InventoryEntry[],
    /** Where the entries come from, for the messages (`inventory CSV x.csv`, `control API …`). */
    readonly source: string,
    private readonly warn: (line: string) => void,
  ) {
    if (entries.length === 0) throw new Error(`${source}: no access in the inventory`);
    for (const f of ACCESS_FIELDS) {
      const m = new Map<string, InventoryEntry>();
      for (const e of entries) if (e[f]) m.set(e[f], e);
      this.byField.set(f, m);
    }
  }

  /** How many creates the run will draw (for the message when the pool runs out). */
  plan(creates: number): void {
    this.need = (this.need ?? 0) + creates;
  }

  /** The next access, distinct from every other drawn so far until the pool runs out, then again from the first. */
  next(): InventoryEntry {
    if (this.cursor > 0 && this.cursor % this.entries.length === 0 && !this.wrapped) {
      this.wrapped = true;
      const need =
        this.need !== undefined ? `the run needs ${this.need} (one per create)` : 'the run needs more';
      this.warn(
        `warning: ${this.source} has ${this.entries.length} accesses and ${need}: accesses are reused from now on, and the OI may close those tickets with ERR04 (another ticket open on the access). Give an inventory of at least ${this.need ?? this.entries.length + 1} accesses with no open ticket.`,
      );
    }
    return this.entries[this.cursor++ % this.entries.length]!;
  }

  /** The entry an access reference names (a step that sets one of them reuses an access of the pool). */
  lookup(field: (typeof ACCESS_FIELDS)[number], value: string): InventoryEntry | undefined {
    return this.byField.get(field)?.get(value);
  }
}

/**
 * The access fields a create carries: a fresh entry of the pool, unless the scenario step (or
 * `--data`) names the access itself; then the other reference of that access when the pool knows
 * it (a step reusing `${data.technicalId}` stays on one consistent access), else nothing.
 */
export function accessFor(
  pool: AccessPool | undefined,
  index: ProfileIndex,
  given: TicketValue,
): TicketValue {
  if (!pool) return {};
  const fields = ACCESS_FIELDS.filter((f) => index.field.has(f));
  const named = fields.filter((f) => given[f] !== undefined);
  if (named.length === 0) {
    const e = pool.next();
    return Object.fromEntries(fields.filter((f) => e[f]).map((f) => [f, e[f]]));
  }
  if (named.length === fields.length) return {};
  const [f] = named;
  const value = given[f!];
  const e = typeof value === 'string' ? pool.lookup(f!, value) : undefined;
  if (!e) return {};
  return Object.fromEntries(fields.filter((o) => o !== f && e[o]).map((o) => [o, e[o]]));
}

/** How many creates of these scenarios draw from the pool (create steps that name no access). */
export function createsDrawing(scenarios: Scenario[], index: ProfileIndex): number {
  const creates = new Set(
    index.activeActions
      .filter((a) => a.actor === 'OC' && a.transitions.some((t) => index.transition.get(t)?.from === null))
      .map(shortActionName),
  );
  let n = 0;
  for (const s of scenarios) {
    for (const step of s.steps) {
      if (!('oc' in step) || !creates.has(step.oc)) continue;
      const set = step.set ?? {};
      if (!ACCESS_FIELDS.some((f) => f in set)) n++;
    }
  }
  return n;
}

/** `--inventory <file.csv>`: the CSV the mock reads (header naming technicalId, commercialId…). */
export function inventoryFile(path: string): InventoryEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--inventory ${path}: ${(e as Error).message}`);
  }
  return inventoryFromCsv(text, `--inventory ${path}`);
}

const PAGE = 1000;

/**
 * The inventory of our mock, through its control API (`GET /inventory?limit=&offset=`), without the
 * accesses that already have an open ticket (earlier runs against the same mock): those creates
 * would be closed with ERR04.
 */
export async function inventoryFromControl(
  control: { url: string; token?: string },
  index: ProfileIndex,
): Promise<InventoryEntry[]> {
  const get = async (path: string) => {
    const url = `${control.url}${path}`;
    let res: { status: number; json: unknown };
    try {
      res = await controlCall(url, 'GET', undefined, control.token);
    } catch (e) {
      throw new Error(`control API unreachable (${url}): ${(e as Error).message}`);
    }
    if (res.status !== 200)
      throw new Error(
        `control API ${url}: HTTP ${res.status}${typeof res.json === 'object' && res.json && 'error' in res.json ? ` (${String((res.json as { error: unknown }).error)})` : ''}`,
      );
    return res.json as Record<string, unknown>;
  };
  const entries: InventoryEntry[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await get(`/inventory?limit=${PAGE}&offset=${offset}`);
    const got = Array.isArray(page.entries) ? (page.entries as InventoryEntry[]) : [];
    entries.push(...got.filter((e) => typeof e?.technicalId === 'string' && e.technicalId !== ''));
    const total = typeof page.total === 'number' ? page.total : 0;
    if (got.length === 0 || offset + got.length >= total) break;
  }
  const open = new Set<string>();
  for (const state of index.profile.states.filter((s) => !s.final)) {
    for (let offset = 0; ; offset += PAGE) {
      const page = await get(
        `/tickets?state=${encodeURIComponent(state.name)}&limit=${PAGE}&offset=${offset}`,
      );
      const tickets = Array.isArray(page.tickets)
        ? (page.tickets as { fields?: Record<string, string | null> }[])
        : [];
      for (const t of tickets)
        for (const f of ACCESS_FIELDS) if (t.fields?.[f]) open.add(`${f}=${t.fields[f]}`);
      if (tickets.length < PAGE) break;
    }
  }
  return entries.filter((e) => !ACCESS_FIELDS.some((f) => e[f] && open.has(`${f}=${e[f]}`)));
}
