/**
 * The OI's inventory ("parc") of PTO and accesses: generated with a seeded fakerFR (same seed, same
 * inventory) or loaded from a CSV file whose header names the columns (technicalId required;
 * commercialId, offerId, address optional).
 */
import { readFileSync } from 'node:fs';
import { base, Faker, fr } from '@faker-js/faker';
import type { Access } from '../store/types.ts';
import type { InventoryEntry } from './types.ts';

export interface InventoryOptions {
  /** Entries given as data (wins over csv and generation). */
  entries?: InventoryEntry[];
  /** Path of a CSV file. */
  csv?: string;
  /** CSV text (tests, config embedding). */
  csvText?: string;
  /** Generated entries when no CSV is given (default 200). */
  count?: number;
  seed?: number;
}

export const DEFAULT_INVENTORY = { count: 200, seed: 42 };

const OFFERS = ['FTTH-ACCES-PASSIF-PM', 'FTTH-ACCES-PASSIF-PTO', 'FTTH-ACCES-PRO'];

/** A deterministic inventory: technicalId in the ARCEP PTO format `FI-1234-5678`. */
export function generateInventory(count: number, seed: number): InventoryEntry[] {
  const faker = new Faker({ locale: [fr, base], seed });
  const seen = new Set<string>();
  const out: InventoryEntry[] = [];
  while (out.length < count) {
    const technicalId = `FI-${faker.string.numeric(4)}-${faker.string.numeric(4)}`;
    if (seen.has(technicalId)) {
      if (seen.size >= 99_999_999)
        throw new Error(`inventory: cannot generate ${count} distinct PTO references`);
      continue;
    }
    seen.add(technicalId);
    out.push({
      technicalId,
      commercialId: `ACC-${faker.string.numeric(10)}`,
      offerId: faker.helpers.arrayElement(OFFERS),
      address: `${faker.location.streetAddress()}, ${faker.location.zipCode()} ${faker.location.city()}`,
    });
  }
  return out;
}

/** Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, commas and newlines in quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted)
    throw new Error(`line ${quoteLine}: a quoted field opened on this line is not closed (missing ")`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

const COLUMNS = ['technicalId', 'commercialId', 'offerId', 'address'] as const;

/** Reads inventory CSV text; errors name the line and the column. */
export function inventoryFromCsv(text: string, source = 'inventory CSV'): InventoryEntry[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new Error(`${source}: empty file, expected a header line naming technicalId`);
  const names = header.map((h) => h.trim());
  const col = new Map(names.map((n, i) => [n, i]));
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(
      `${source}: line 1: unknown column(s) ${unknown.join(', ')} (known: ${COLUMNS.join(', ')})`,
    );
  if (!col.has('technicalId'))
    throw new Error(`${source}: line 1: the header must name a technicalId column`);
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const line = i + 2;
    const get = (name: (typeof COLUMNS)[number]) => {
      const at = col.get(name);
      return at === undefined ? '' : (r[at] ?? '').trim();
    };
    const technicalId = get('technicalId');
    if (!technicalId) throw new Error(`${source}: line ${line}: technicalId is empty`);
    if (technicalId.length > 50)
      throw new Error(`${source}: line ${line}: technicalId "${technicalId}" exceeds 50 characters`);
    if (seen.has(technicalId))
      throw new Error(`${source}: line ${line}: technicalId "${technicalId}" is listed twice`);
    seen.add(technicalId);
    const entry: InventoryEntry = { technicalId, commercialId: get('commercialId'), offerId: get('offerId') };
    const address = get('address');
    if (address) entry.address = address;
    return entry;
  });
}

/** The inventory with lookups by PTO (technicalId) and by access (commercialId). */
export class Inventory {
  private readonly byTechnicalId = new Map<string, InventoryEntry>();
  private readonly byCommercialId = new Map<string, InventoryEntry>();

  constructor(readonly entries: InventoryEntry[]) {
    for (const e of entries) {
      this.byTechnicalId.set(e.technicalId, e);
      if (e.commercialId) this.byCommercialId.set(e.commercialId, e);
    }
  }

  static load(options: InventoryOptions = {}): Inventory {
    if (options.entries) return new Inventory(options.entries);
    if (options.csvText !== undefined) return new Inventory(inventoryFromCsv(options.csvText));
    if (options.csv) {
      let text: string;
      try {
        text = readFileSync(options.csv, 'utf8');
      } catch (e) {
        throw new Error(`inventory CSV ${options.csv}: ${(e as Error).message}`);
      }
      return new Inventory(inventoryFromCsv(text, `inventory CSV ${options.csv}`));
    }
    return new Inventory(
      generateInventory(options.count ?? DEFAULT_INVENTORY.count, options.seed ?? DEFAULT_INVENTORY.seed),
    );
  }

  /**
   * True when the ticket's access is in the inventory: its PTO (technicalId) when it names one,
   * else its commercialId. A ticket naming both must name those of one entry: a PTO with another
   * access's commercialId is no product of this inventory (ERR01), not either of the two.
   */
  knows(access: { technicalId?: string | null; commercialId?: string | null }): boolean {
    return this.entryOf(access) !== undefined;
  }

  /**
   * The access a ticket names, completed from its inventory entry (found as {@link knows} finds it):
   * both references, whichever one the OC sent. Unknown to the inventory: the references as sent.
   */
  resolve(access: { technicalId?: string | null; commercialId?: string | null }): Access {
    const e = this.entryOf(access);
    if (e) return { technicalId: e.technicalId, commercialId: e.commercialId || null };
    return { technicalId: access.technicalId ?? null, commercialId: access.commercialId ?? null };
  }

  private entryOf(access: {
    technicalId?: string | null;
    commercialId?: string | null;
  }): InventoryEntry | undefined {
    if (access.technicalId) {
      const e = this.byTechnicalId.get(access.technicalId);
      return e && (!access.commercialId || e.commercialId === access.commercialId) ? e : undefined;
    }
    if (access.commercialId) return this.byCommercialId.get(access.commercialId);
    return undefined;
  }
}
