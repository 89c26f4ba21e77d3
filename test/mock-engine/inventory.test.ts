/** The OI's inventory: seeded generation and CSV loading. */
import { describe, expect, it } from 'vitest';
import { generateInventory, Inventory, inventoryFromCsv } from '../../mock-server/engine/index.ts';
import { engine } from './helpers.ts';

describe('inventory', () => {
  it('is generated deterministically from a seed, with ARCEP PTO references', () => {
    const a = generateInventory(50, 7);
    expect(generateInventory(50, 7)).toEqual(a);
    expect(generateInventory(50, 8)).not.toEqual(a);
    expect(new Set(a.map((x) => x.technicalId)).size).toBe(50);
    for (const x of a) {
      expect(x.technicalId).toMatch(/^FI-\d{4}-\d{4}$/);
      expect(x.commercialId.length).toBeLessThanOrEqual(50);
      expect(x.address).toBeTruthy();
    }
  });

  it('the engine generates 200 entries by default and lists them', () => {
    const e = engine({ inventory: {} });
    expect(e.inventory()).toHaveLength(200);
    return e.close();
  });

  it('loads a CSV with quoted fields, in any column order', () => {
    const entries = inventoryFromCsv(
      'offerId,technicalId,address,commercialId\r\nOFFRE,FI-0001-0002,"3 rue de la Paix, 75002 Paris",ACC-1\nOFFRE,FI-0001-0003,"Le ""Clos""",ACC-2\n',
    );
    expect(entries).toEqual([
      {
        technicalId: 'FI-0001-0002',
        commercialId: 'ACC-1',
        offerId: 'OFFRE',
        address: '3 rue de la Paix, 75002 Paris',
      },
      { technicalId: 'FI-0001-0003', commercialId: 'ACC-2', offerId: 'OFFRE', address: 'Le "Clos"' },
    ]);
    const inv = Inventory.load({ csvText: 'technicalId\nFI-9-9\n' });
    expect(inv.knows({ technicalId: 'FI-9-9' })).toBe(true);
    expect(inv.knows({ technicalId: 'FI-9-8' })).toBe(false);
  });

  it('CSV errors name the line and the column', () => {
    expect(() => inventoryFromCsv('commercialId\nACC-1\n')).toThrow(/line 1: .*technicalId/);
    expect(() => inventoryFromCsv('technicalId,color\nFI-1\n')).toThrow(/unknown column\(s\) color/);
    expect(() => inventoryFromCsv('technicalId\nFI-1\n\nFI-1\n')).toThrow(
      /line 3: technicalId "FI-1" is listed twice/,
    );
    expect(() => inventoryFromCsv('technicalId,commercialId\n,ACC\n')).toThrow(
      /line 2: technicalId is empty/,
    );
    expect(() => Inventory.load({ csv: '/nonexistent/parc.csv' })).toThrow(/parc\.csv/);
  });
});
