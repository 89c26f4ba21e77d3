/**
 * Role oc against a conforming OI (our mock with its default behaviour: ERR01 for a PTO outside its
 * inventory, ERR04 for a second open ticket on an access): each create names its own access of the
 * OI's inventory, read from --inventory or from the mock's control API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryEntry } from '../../mock-server/engine/types.ts';
import { startMock } from '../../mock-server/index.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { AccessPool, accessFor } from '../../src/scenario/access-pool.ts';
import { cli } from '../cli.ts';
import { OC_A, OC_B, ocRoleArgs } from './two-ocs.ts';

const index = defaultIndex();

/** Scenarios that create several tickets, reuse an access (${data.technicalId}), read by PTO, and need no push. */
const SELECTION = [
  '--grep',
  '/^(lifecycle\\.t1-create|lifecycle\\.t2-cancel-queued|oc-role\\.(get-by-technicalid|cross-oc)|gen\\.oc\\.cancel\\.format\\..*)$/',
];

const csv = (entries: InventoryEntry[]) =>
  `technicalId,commercialId,offerId\n${entries.map((e) => `${e.technicalId},${e.commercialId},${e.offerId}`).join('\n')}\n`;

describe('sav-ftth run --role oc --target <OI>: one access of the OI inventory per create', () => {
  const oc = OC_A;
  const other = OC_B;
  const dir = mkdtempSync(path.join(tmpdir(), 'sav-ftth-pool-'));
  let mock: Awaited<ReturnType<typeof startMock>>;
  let args: string[];

  beforeAll(async () => {
    // Default behaviour: rejectUnknownPto and rejectDuplicateAccess on.
    mock = await startMock({ accounts: [oc, other] });
    expect(mock.engine.behaviour()).toMatchObject({ rejectUnknownPto: true, rejectDuplicateAccess: true });
    args = ['run', ...ocRoleArgs(mock.url, mock.config.oiSiren), '--no-report', '--json'];
  });
  afterAll(() => mock?.stop());

  /** Tickets created since `before`, once the OI's intake checks have run. */
  async function ticketsAfter(before: Set<string>) {
    await mock.engine.settle();
    return mock.engine.listTickets({ limit: 1000 }).filter((t) => !before.has(t.troubleTicketKey));
  }
  const keys = () => new Set(mock.engine.listTickets({ limit: 1000 }).map((t) => t.troubleTicketKey));
  const closure = (t: { fields: Record<string, string | null | undefined> }) =>
    t.fields.troubleTicketClosureCode ?? null;

  it('with --control-url, draws from the mock inventory: passes, no ticket closed with ERR01 or ERR04', async () => {
    const before = keys();
    const r = await cli([...args, ...SELECTION, '--control-url', mock.controlUrl]);
    expect(r.err).not.toMatch(/^(FAIL|ERROR) /m);
    expect(r.err).not.toMatch(/warning/);
    expect(r.code).toBe(0);
    const created = await ticketsAfter(before);
    expect(created.length).toBeGreaterThanOrEqual(8);
    expect(created.map(closure).filter((c) => c === 'ERR01' || c === 'ERR04')).toEqual([]);
    const known = new Set(mock.engine.inventory().map((e) => e.technicalId));
    for (const t of created) expect(known.has(t.fields.technicalId as string)).toBe(true);
  });

  it('with --inventory <file.csv>, draws from the file: passes, every create names one of its accesses', async () => {
    // Accesses the previous test did not use: the end of the mock's inventory.
    const listed = mock.engine.inventory().slice(-40);
    const file = path.join(dir, 'parc.csv');
    writeFileSync(file, csv(listed));
    const before = keys();
    const r = await cli([...args, ...SELECTION, '--inventory', file]);
    expect(r.err).not.toMatch(/^(FAIL|ERROR) /m);
    expect(r.err).not.toMatch(/warning/);
    expect(r.code).toBe(0);
    const created = await ticketsAfter(before);
    expect(created.map(closure).filter((c) => c === 'ERR01' || c === 'ERR04')).toEqual([]);
    const inFile = new Map(listed.map((e) => [e.technicalId, e.commercialId]));
    for (const t of created) {
      // Both references of one access (the second create of get-by-technicalid reuses the first's PTO).
      expect(inFile.get(t.fields.technicalId as string)).toBe(t.fields.commercialId);
    }
    // Distinct accesses for the creates that ran in parallel: at most one reuse (that scenario's).
    const open = created.filter((t) => t.state !== 'CLOSED').map((t) => t.fields.technicalId);
    expect(new Set(open).size).toBe(open.length);
  });

  it('warns once, naming how many accesses the run needs, when the inventory runs out', async () => {
    const file = path.join(dir, 'small.csv');
    writeFileSync(file, csv(mock.engine.inventory().slice(-45, -43)));
    const r = await cli([...args, ...SELECTION, '--inventory', file]);
    const warnings = r.err.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/has 2 accesses and the run needs (\d+) \(one per create\)/);
    expect(Number(/needs (\d+)/.exec(warnings[0]!)![1])).toBeGreaterThan(2);
    expect(warnings[0]).toContain('ERR04');
  });

  it('without --inventory or --control-url, warns at the start that random PTOs get ERR01', async () => {
    const r = await cli([...args, '--grep', 'oc-role.auth']);
    const warnings = r.err.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/random PTOs.*ERR01.*--inventory <file\.csv>/);
    expect(r.code).toBe(0);
  });

  it('refuses a bad --inventory file, naming the file and the line, and --inventory without a target', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'technicalId,commercialId\nFI-1111-2222,ACC-1\n,ACC-2\n');
    const bad = await cli([...args, '--grep', 'oc-role.auth', '--inventory', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`--inventory ${file}: line 3: technicalId is empty`);
    const missing = await cli([...args, '--grep', 'oc-role.auth', '--inventory', path.join(dir, 'none.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--inventory .*none\.csv: ENOENT/);
    const embedded = await cli(['run', '--role', 'oc', '--inventory', file, '--no-report']);
    expect(embedded.code).toBe(2);
    expect(embedded.err).toContain('--inventory lists the accesses of an OI under test');
  });
});

describe('access pool', () => {
  const entries: InventoryEntry[] = [
    { technicalId: 'FI-0001-0001', commercialId: 'ACC-1', offerId: 'O' },
    { technicalId: 'FI-0002-0002', commercialId: 'ACC-2', offerId: 'O' },
  ];

  it('gives each create its own access, and completes an access a step names by one reference', () => {
    const warned: string[] = [];
    const pool = new AccessPool(entries, 'test inventory', (l) => warned.push(l));
    expect(accessFor(pool, index, {})).toEqual({ technicalId: 'FI-0001-0001', commercialId: 'ACC-1' });
    expect(accessFor(pool, index, {})).toEqual({ technicalId: 'FI-0002-0002', commercialId: 'ACC-2' });
    // A step reusing a drawn PTO gets that access's commercialId; an unknown PTO or an omitted one, nothing.
    expect(accessFor(pool, index, { technicalId: 'FI-0001-0001' })).toEqual({ commercialId: 'ACC-1' });
    expect(accessFor(pool, index, { technicalId: 'FI-0000-0000' })).toEqual({});
    expect(accessFor(pool, index, { technicalId: null })).toEqual({});
    expect(accessFor(pool, index, { technicalId: 'X', commercialId: 'Y' })).toEqual({});
    expect(warned).toEqual([]);
    pool.plan(5);
    expect(accessFor(pool, index, {}).technicalId).toBe('FI-0001-0001');
    accessFor(pool, index, {});
    accessFor(pool, index, {});
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain('test inventory has 2 accesses and the run needs 5');
  });
});
