/**
 * Group commit: the writes of the requests handled in one event-loop turn share one transaction,
 * and no create/set answer leaves before it is committed. The store's own guarantees (atomic
 * groups, rollback of one failing write, the indexes kept right by partial updates) come with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { openSqliteStore } from '../../mock-server/store/index.ts';
import { create, createValue, engine, fault, getByKey, INVENTORY, set, setValue } from './helpers.ts';
import { onDisk, ticketRecord as record } from './store-fixtures.ts';

const dirs: string[] = [];
const closers: (() => unknown)[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mock-group-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const open = (...args: Parameters<typeof engine>): LocalMockEngine => {
  const e = engine(...args);
  closers.push(() => e.close());
  return e;
};

describe('answers wait for the group commit', () => {
  it('concurrent creates and sets are all on disk when their answers arrive', async () => {
    const dir = tmp();
    const e = open({ store: { dataDir: dir } });
    const created = await Promise.all(
      INVENTORY.map((p) => create(e, createValue({ technicalId: p.technicalId }))),
    );
    const keys = created.map((c) => c.key!);
    expect(created.map((c) => c.returnCode)).toEqual(keys.map(() => '0'));
    const rows = onDisk(dir, 'SELECT ticket_key FROM tickets ORDER BY id') as { ticket_key: string }[];
    expect(rows.map((r) => r.ticket_key)).toEqual(keys);
    await e.settle();

    const info = (key: string) =>
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'QUEUED', 1, {
        messageType: 'INFO',
        messageContent: 'x',
      });
    const sets = await Promise.all(keys.map((k) => set(e, info(k))));
    expect(sets.map((s) => s.returnCode)).toEqual(keys.map(() => '0'));
    const history = onDisk(
      dir,
      "SELECT ticket_key, transition FROM history WHERE transition = 'T4' ORDER BY seq",
    ) as { ticket_key: string }[];
    expect(history.map((h) => h.ticket_key).sort()).toEqual([...keys].sort());
  });

  it('a get in the same turn as the create it reads answers the ticket; its history row follows', async () => {
    const dir = tmp();
    const e = open({ store: { dataDir: dir } });
    const [c, g] = await Promise.all([
      create(e),
      // Same turn: the get finds the create's uncommitted ticket only once it is committed.
      Promise.resolve().then(() => getByKey(e, 'TT-000001')),
    ]);
    expect(c.key).toBe('TT-000001');
    expect(g.returnCode).toBe('0');
    await e.settle();
    expect(e.getTicket(c.key!)!.history.map((h) => h.operation)).toEqual([
      'createTroubleTicketByValue',
      'getTroubleTicketByKey',
    ]);
  });

  it('a commit that fails answers a Server fault, never returnCode 0', async () => {
    const store = openSqliteStore();
    closers.push(() => store.close());
    let failNext = true;
    // The real store, except that the first group commit is reported failed (as a full disk would).
    const failing = new Proxy(store, {
      get(target, prop) {
        if (prop === 'committed' && failNext) {
          return () => {
            failNext = false;
            target.flush();
            return Promise.reject(new Error('disk I/O error'));
          };
        }
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const e = open({ store: failing });
    const r = await create(e);
    expect(r.returnCode).toBeUndefined();
    expect(fault(r)?.faultcode).toMatch(/Server$/);
    expect((await create(e)).returnCode).toBe('0');
  });
});

describe('the store', () => {
  it('keeps grouped writes out of the file until the turn ends, then commits them together', async () => {
    const dir = tmp();
    const store = openSqliteStore({ dataDir: dir });
    closers.push(() => store.close());
    store.grouped(() => store.insertTicket(record('TT-1')));
    store.grouped(() => store.insertTicket(record('TT-2')));
    expect(store.pending).toBe(true);
    expect(store.getTicket('TT-2')?.troubleTicketKey).toBe('TT-2');
    expect(onDisk(dir, 'SELECT ticket_key FROM tickets')).toEqual([]);
    await store.committed();
    expect(store.pending).toBe(false);
    expect(onDisk(dir, 'SELECT ticket_key FROM tickets ORDER BY id')).toEqual([
      { ticket_key: 'TT-1' },
      { ticket_key: 'TT-2' },
    ]);
  });

  it('transaction() commits the open group with it', () => {
    const dir = tmp();
    const store = openSqliteStore({ dataDir: dir });
    closers.push(() => store.close());
    store.grouped(() => store.insertTicket(record('TT-1')));
    store.transaction(() => store.insertTicket(record('TT-2')));
    expect(store.pending).toBe(false);
    expect(onDisk(dir, 'SELECT COUNT(*) AS n FROM tickets')).toEqual([{ n: 2 }]);
  });

  it('a grouped write that throws is rolled back alone, and is not remembered', async () => {
    const store = openSqliteStore();
    closers.push(() => store.close());
    const first = store.grouped(() => store.insertTicket(record('TT-1')));
    expect(() =>
      store.grouped(() => {
        store.updateTicket({ ...first, lastUpdateVersionNumber: 9 }, first);
        store.insertTicket(record('TT-1'));
      }),
    ).toThrow(/UNIQUE/);
    await store.committed();
    expect(store.getTicket('TT-1')?.lastUpdateVersionNumber).toBe(1);
    expect(store.countTickets()).toBe(1);
  });

  it('an update keeps the indexed lookups right, whatever it changes', () => {
    const store = openSqliteStore();
    closers.push(() => store.close());
    const t = store.insertTicket(record('TT-1'));
    const content = { ...t, lastUpdateVersionNumber: 2, fields: { ...t.fields, troubleDescription: 'y' } };
    store.updateTicket(content, t);
    expect(store.listTickets({ state: 'QUEUED' }).map((x) => x.lastUpdateVersionNumber)).toEqual([2]);
    const moved = {
      ...content,
      state: 'CLOSED',
      open: false,
      access: { ...content.access, technicalId: 'FI-2' },
    };
    store.updateTicket(moved, content);
    expect(store.listTickets({ state: 'QUEUED' })).toEqual([]);
    expect(store.listTickets({ state: 'CLOSED' })).toHaveLength(1);
    const pto = (technicalId: string) => ({ technicalId, commercialId: null });
    expect(store.findByAccess('380129866', pto('FI-1'), true)).toBeUndefined();
    expect(store.findByAccess('380129866', pto('FI-2'), true)?.state).toBe('CLOSED');
    expect(store.findOpenOnAccess('380129866', pto('FI-2'), 99)).toBeUndefined();
  });
});
