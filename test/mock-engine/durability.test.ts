/** Persistence: SQLite file, versioned migrations, restart on the same data directory. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalMockEngine, manualClock } from '../../mock-server/engine/index.ts';
import { DB_FILE_NAME, migrate, migrations, openSqliteStore } from '../../mock-server/store/index.ts';
import { create, createValue, engine, getByKey, newTicket, set, setValue } from './helpers.ts';

const dirs: string[] = [];
const engines: LocalMockEngine[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mock-engine-'));
  dirs.push(d);
  return d;
};
const open = (...args: Parameters<typeof engine>) => {
  const e = engine(...args);
  engines.push(e);
  return e;
};
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('durability across engine re-creation on the same data directory', () => {
  it('keeps every ticket, its history and the key sequence', async () => {
    const dir = tmp();
    const a = open({ store: { dataDir: dir } });
    const key = await newTicket(a);
    await a.triggerOiAction(key, 'oi.takeInCharge');
    await set(
      a,
      setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'OPENACTIVE', 2, {
        messageType: 'INFO',
        messageContent: 'x',
      }),
    );
    const before = a.getTicket(key)!;
    await a.close();

    const b = open({ store: { dataDir: dir } });
    const after = b.getTicket(key)!;
    expect(after.ticket).toEqual(before.ticket);
    expect(after.history).toEqual(before.history);
    expect(after.history.map((h) => h.transition)).toEqual(['T1', 'T5', 'T4']);
    expect((await getByKey(b, key)).ticket?.troubleTicketState).toBe('OPENACTIVE');
    const next = await create(b, createValue({ technicalId: 'FI-1111-0002' }));
    expect(Number(next.key!.slice(3))).toBe(Number(key.slice(3)) + 1);
  });

  it('a create is committed before its answer: the file read by another connection holds it', async () => {
    const dir = tmp();
    const a = open({ store: { dataDir: dir } });
    const r = await create(a);
    // Read the file while the engine still runs, as a restarted process would after a SIGKILL.
    const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
    try {
      const row = db.prepare('SELECT state, version FROM tickets WHERE ticket_key = ?').get(r.key) as {
        state: string;
        version: number;
      };
      expect(row).toEqual({ state: 'QUEUED', version: 1 });
      const history = db
        .prepare('SELECT request_xml, response_xml FROM history WHERE ticket_key = ?')
        .all(r.key) as {
        request_xml: string;
        response_xml: string;
      }[];
      expect(history).toHaveLength(1);
      expect(history[0]!.response_xml).toContain(r.key);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('a ticket acknowledged just before a SIGKILL is found, with its history, after a restart', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'create-then-hang.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const key = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) {
          child.kill('SIGKILL');
          resolve(out.trim());
        }
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before answering`)));
    });
    await new Promise((r) => child.once('close', r));
    expect(key).toMatch(/^TT-\d{6}$/);
    const b = open({ store: { dataDir: dir } });
    const found = b.getTicket(key)!;
    expect(found.ticket.state).toBe('QUEUED');
    expect(found.history).toHaveLength(1);
    expect(found.history[0]!.responseXml).toContain(key);
  });

  it('runs the intake checks a stopped process had not run yet', async () => {
    const dir = tmp();
    const a = open({ store: { dataDir: dir } });
    const r = await create(a, createValue({ technicalId: 'FI-0000-0000' }));
    await a.close(); // before the intake's setImmediate fired
    const b = open({ store: { dataDir: dir } });
    await b.settle();
    expect(b.getTicket(r.key!)!.ticket.fields.troubleTicketClosureCode).toBe('ERR01');
  });

  it('restarts the automatic behaviour’s timers for open tickets', async () => {
    const dir = tmp();
    const start = Date.parse('2025-03-03T08:00:00Z');
    const behaviour = { takeInChargeAfterMs: 10_000 };
    const a = open({ store: { dataDir: dir }, clock: manualClock(start), behaviour });
    const key = await newTicket(a);
    await a.close();
    const clock = manualClock(start + 6_000);
    const b = open({ store: { dataDir: dir }, clock, behaviour });
    clock.advance(3_999);
    expect(b.getTicket(key)!.ticket.state).toBe('QUEUED');
    clock.advance(1);
    expect(b.getTicket(key)!.ticket.state).toBe('OPENACTIVE');
  });
});

describe('store', () => {
  it('records each migration once in schema_migrations', () => {
    const file = join(tmp(), 'x.sqlite');
    openSqliteStore({ file }).close();
    const store = openSqliteStore({ file });
    store.close();
    const db = new Database(file);
    try {
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
        version: number;
      }[];
      expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
      expect(migrate(db)).toEqual([]);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run(
        'future',
        'now',
      );
    } finally {
      db.close();
    }
    expect(() => openSqliteStore({ file })).toThrow(/schema version 999 is newer/);
  });

  it('applies a new numbered migration to an existing database', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      const next = Math.max(...migrations.map((m) => m.version)) + 1;
      const applied = migrate(db, [
        ...migrations,
        { version: next, name: 'add note', sql: 'ALTER TABLE tickets ADD COLUMN note TEXT' },
      ]);
      expect(applied).toEqual([next]);
      expect(
        (db.prepare('PRAGMA table_info(tickets)').all() as { name: string }[]).map((c) => c.name),
      ).toContain('note');
    } finally {
      db.close();
    }
  });

  it('the hot-path lookups use indexes, not scans', () => {
    const file = join(tmp(), 'plan.sqlite');
    openSqliteStore({ file }).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = (sql: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
          .map((r) => r.detail)
          .join(' | ');
      expect(plan("SELECT * FROM tickets WHERE ticket_key = 'x'")).toMatch(/USING INDEX/);
      // An access is looked up by either reference, each through its own index. Bound as the store
      // binds them (literals would let SQLite factor the common oc_siren term out of the OR).
      const bothIndexes = /MULTI-INDEX OR.*tickets_technical.*tickets_commercial/;
      expect(
        plan(
          'SELECT * FROM tickets WHERE oc_siren = ? AND technical_id = ? OR oc_siren = ? AND commercial_id = ? ORDER BY open DESC, id DESC LIMIT 1',
          'a',
          'b',
          'a',
          'c',
        ),
      ).toMatch(bothIndexes);
      expect(
        plan(
          'SELECT * FROM tickets WHERE oc_siren = ? AND technical_id = ? AND open = 1 AND id < ? OR oc_siren = ? AND commercial_id = ? AND open = 1 AND id < ? ORDER BY id LIMIT 1',
          'a',
          'b',
          5,
          'a',
          'c',
          5,
        ),
      ).toMatch(bothIndexes);
      expect(plan("SELECT * FROM history WHERE ticket_key = 'x' ORDER BY seq")).toMatch(
        /USING INDEX history_ticket/,
      );
      expect(
        plan("SELECT * FROM deliveries WHERE ticket_key = 'x' AND status = 'pending' ORDER BY id LIMIT 1"),
      ).toMatch(/USING INDEX deliveries_ticket/);
    } finally {
      db.close();
    }
  });

  it('the sequence survives reset and reopening', () => {
    const file = join(tmp(), 'seq.sqlite');
    const s1 = openSqliteStore({ file });
    expect([s1.nextSequence('k'), s1.nextSequence('k')]).toEqual([1, 2]);
    s1.reset();
    expect(s1.nextSequence('k')).toBe(3);
    s1.close();
    const s2 = openSqliteStore({ file });
    expect(s2.nextSequence('k')).toBe(4);
    expect(s2.nextSequence('other')).toBe(1);
    s2.close();
  });
});
