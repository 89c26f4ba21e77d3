/**
 * Versioned schema migrations. Each migration runs once, in its own transaction, and is recorded in
 * `schema_migrations`; a database written by a newer version of the mock is refused rather than
 * guessed at. Append new migrations; never edit an applied one.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'tickets, history, deliveries, sequence',
    sql: `
      CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        ticket_key TEXT NOT NULL UNIQUE,
        oc_siren TEXT NOT NULL,
        state TEXT NOT NULL,
        open INTEGER NOT NULL,
        version INTEGER NOT NULL,
        technical_id TEXT,
        commercial_id TEXT,
        fields TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        stage_at TEXT NOT NULL,
        intake_done INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX tickets_technical ON tickets (oc_siren, technical_id, open, id);
      CREATE INDEX tickets_commercial ON tickets (oc_siren, commercial_id, open, id);
      CREATE INDEX tickets_state ON tickets (state, id);
      CREATE INDEX tickets_open ON tickets (open) WHERE open = 1;
      CREATE INDEX tickets_intake ON tickets (intake_done) WHERE intake_done = 0;

      CREATE TABLE history (
        seq INTEGER PRIMARY KEY,
        ticket_key TEXT NOT NULL,
        at TEXT NOT NULL,
        direction TEXT NOT NULL,
        actor TEXT NOT NULL,
        operation TEXT NOT NULL,
        action TEXT,
        transition TEXT,
        return_code TEXT,
        return_label TEXT,
        request_xml TEXT NOT NULL,
        response_xml TEXT,
        state_before TEXT,
        state_after TEXT
      );
      CREATE INDEX history_ticket ON history (ticket_key, seq);

      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        ticket_key TEXT NOT NULL,
        action TEXT NOT NULL,
        ticket_json TEXT NOT NULL,
        request_xml TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        response_xml TEXT,
        return_code TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX deliveries_ticket ON deliveries (ticket_key, status, id);
      CREATE INDEX deliveries_status ON deliveries (status);

      CREATE TABLE sequence (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'drop the ticket indexes only listings and restarts used',
    // Each index is one more b-tree page written per create. By state, the control API's listing
    // walks the tickets newest first instead (tens of ms at 100,000 tickets when the state is rare);
    // the open tickets are read by a scan once, when the mock starts.
    sql: `
      DROP INDEX tickets_state;
      DROP INDEX tickets_open;
    `,
  },
  {
    version: 3,
    name: 'the OC endpoint each delivery goes to',
    // NULL for deliveries stored before: a pending one gets its target at its next attempt.
    sql: 'ALTER TABLE deliveries ADD COLUMN target_url TEXT;',
  },
];

/** Applies the migrations the database has not seen yet; returns the versions applied. */
export function migrate(db: Database, list: Migration[] = migrations): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    ),
  );
  const known = Math.max(0, ...list.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new Error(
      `database schema version ${newest} is newer than this mock knows (${known}): upgrade the mock or use another data directory`,
    );
  }
  const done: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    done.push(m.version);
  }
  return done;
}
