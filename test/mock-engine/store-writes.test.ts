/**
 * The store's write path as tuned for throughput: the first writes of a turn run without a
 * savepoint of their own, and the ticket indexes only listings and restarts used are gone
 * (migration 2); ticket and delivery writes bind positional parameters from one column list each.
 * Each must leave what the store answers unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations, openSqliteStore } from '../../mock-server/store/index.ts';
import type { TicketRecord, TicketStore } from '../../mock-server/store/types.ts';
import { onDisk, ticketRecord as record } from './store-fixtures.ts';

const dirs: string[] = [];
const stores: TicketStore[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mock-store-'));
  dirs.push(d);
  return d;
};
const open = (...args: Parameters<typeof openSqliteStore>) => {
  const s = openSqliteStore(...args);
  stores.push(s);
  return s;
};
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the first writes of a turn', () => {
  it('are rolled back entirely when they throw; the writes that follow in the turn still commit', async () => {
    const dir = tmp();
    const store = open({ dataDir: dir });
    expect(() =>
      store.grouped(() => {
        store.insertTicket(record('TT-1'));
        store.addHistory({
          troubleTicketKey: 'TT-1',
          at: '2025-01-06T08:00:00.000Z',
          direction: 'in',
          actor: 'OC',
          operation: 'createTroubleTicketByValue',
          requestXml: '<x/>',
        });
        throw new Error('answer could not be built');
      }),
    ).toThrow('answer could not be built');
    expect(store.pending).toBe(false);
    expect(store.getTicket('TT-1')).toBeUndefined();
    expect(store.history('TT-1')).toEqual([]);

    store.grouped(() => store.insertTicket(record('TT-2')));
    expect(store.pending).toBe(true);
    await store.committed();
    expect(onDisk(dir, 'SELECT ticket_key FROM tickets')).toEqual([{ ticket_key: 'TT-2' }]);
  });

  it('give back the key number they drew when they fail, as any rolled-back write does', () => {
    const store = open();
    expect(() =>
      store.grouped(() => {
        store.nextSequence('troubleTicketKey');
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(store.grouped(() => store.nextSequence('troubleTicketKey'))).toBe(1);
    store.flush();
    expect(store.nextSequence('troubleTicketKey')).toBe(2);
  });

  it('a failed second write of the turn leaves the first one to commit', async () => {
    const dir = tmp();
    const store = open({ dataDir: dir });
    store.grouped(() => store.insertTicket(record('TT-1')));
    expect(() => store.grouped(() => store.insertTicket(record('TT-1')))).toThrow(/UNIQUE/);
    await store.committed();
    expect(onDisk(dir, 'SELECT ticket_key FROM tickets')).toEqual([{ ticket_key: 'TT-1' }]);
  });
});

describe('migration 2 (indexes only listings and restarts used)', () => {
  it('upgrades a version-1 database; listings by state and the open tickets stay right', () => {
    const file = join(tmp(), 'v1.sqlite');
    const db = new Database(file);
    migrate(
      db,
      migrations.filter((m) => m.version === 1),
    );
    db.close();

    const store = open({ file });
    const schema = new Database(file, { readonly: true });
    try {
      const names = (
        schema.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all() as { name: string }[]
      ).map((r) => r.name);
      expect(names).not.toContain('tickets_state');
      expect(names).not.toContain('tickets_open');
      expect(names).toContain('tickets_technical');
    } finally {
      schema.close();
    }

    store.transaction(() => {
      store.insertTicket(record('TT-1'));
      store.insertTicket(record('TT-2', { state: 'CLOSED', open: false }));
      store.insertTicket(record('TT-3', { state: 'OPENACTIVE' }));
      store.insertTicket(record('TT-4', { state: 'CLOSED', open: false }));
    });
    const keys = (ts: TicketRecord[]) => ts.map((t) => t.troubleTicketKey);
    expect(keys(store.listTickets({ state: 'CLOSED' }))).toEqual(['TT-4', 'TT-2']);
    expect(keys(store.listTickets({ state: 'CLOSED', limit: 1, offset: 1 }))).toEqual(['TT-2']);
    expect(keys(store.listTickets({ state: 'CANCELLED' }))).toEqual([]);
    expect(keys(store.openTickets())).toEqual(['TT-1', 'TT-3']);
    const first = store.getTicket('TT-1')!;
    store.updateTicket({ ...first, state: 'CLOSED', open: false }, first);
    expect(keys(store.openTickets())).toEqual(['TT-3']);
    expect(keys(store.listTickets({ state: 'CLOSED' }))).toEqual(['TT-4', 'TT-2', 'TT-1']);
  });
});

describe('deliveries', () => {
  it('read back after a restart exactly as added, then as updated, every column in its place', () => {
    const dir = tmp();
    const first = open({ dataDir: dir });
    const added = first.transaction(() =>
      first.addDelivery({
        troubleTicketKey: 'TT-7',
        action: 'oi.takeInCharge',
        ticketJson: '{"troubleTicketKey":"TT-7"}',
        requestXml: '<request/>',
        status: 'pending',
        attempts: 0,
        createdAt: '2025-01-06T08:00:00.000Z',
        updatedAt: '2025-01-06T08:00:01.000Z',
      }),
    );
    const updated = {
      ...added,
      status: 'delivered' as const,
      attempts: 3,
      lastError: 'HTTP 503 from the OC',
      responseXml: '<response/>',
      returnCode: '0',
      updatedAt: '2025-01-06T08:00:09.000Z',
    };
    first.close();
    stores.splice(stores.indexOf(first), 1);

    const second = open({ dataDir: dir });
    expect(second.deliveries('TT-7')).toEqual([added]);
    second.transaction(() => second.updateDelivery(updated));
    second.close();
    stores.splice(stores.indexOf(second), 1);

    expect(open({ dataDir: dir }).deliveries('TT-7')).toEqual([updated]);
  });
});
