/**
 * The SQLite ticket store (better-sqlite3, synchronous). Journal mode WAL; `synchronous=NORMAL` by
 * default: a committed transaction is in the WAL file before `transaction()` returns, so it survives
 * the process being killed (SIGKILL) — only an OS crash or power loss can lose the last commits.
 * `synchronous: 'FULL'` closes that gap at the cost of one fsync per commit.
 *
 * Group commit: `grouped(fn)` runs `fn` atomically inside one transaction shared by every request
 * handled in the same event-loop turn (the first writes by the transaction itself, later ones as
 * savepoints), committed once at the end of the turn (setImmediate). `committed()` resolves after that commit: a caller that must not answer before
 * its writes are durable awaits it. Checkpoints run on a worker thread (checkpointer.ts).
 *
 * A file store owns its data directory while open (a lock file, data-dir.ts): a second mock on the
 * same directory is refused, since each would serve its own in-memory copies of the tickets. Errors
 * about the directory or the database file name the path, the setting and the cause (DataDirError).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Delivery, HistoryEntry, TicketQuery } from '../engine/types.ts';
import { type Checkpointer, startCheckpointer } from './checkpointer.ts';
import {
  DataDirError,
  type DataDirLock,
  describePlace,
  lockStore,
  mkdirError,
  otherPlace,
  type StorePlace,
} from './data-dir.ts';
import { migrate } from './migrations.ts';
import type {
  Access,
  DeliveryRecord,
  NewDelivery,
  NewHistoryEntry,
  TicketRecord,
  TicketStore,
} from './types.ts';

export const DB_FILE_NAME = 'sav-ftth-mock.sqlite';

export interface SqliteStoreOptions {
  /** Directory holding the database file (created when missing); absent: in memory. */
  dataDir?: string;
  /** Explicit file path (wins over dataDir). */
  file?: string;
  synchronous?: 'NORMAL' | 'FULL';
  /** Milliseconds between the worker thread's WAL checkpoints (file databases; default 200). */
  checkpointIntervalMs?: number;
}

/** Tickets kept in memory as last written or read (a set or get on a recent ticket needs no SQL). */
const RECENT_TICKETS = 512;

/** Page cache of the connection, KiB (see openSqliteStore). */
const CACHE_KIB = 8 * 1024;

/** Auto-checkpoint backstop (pages) when the checkpoint worker is not keeping up or is gone. */
const BACKSTOP_CHECKPOINT_PAGES = 20_000;

interface TicketRow {
  id: number;
  ticket_key: string;
  oc_siren: string;
  state: string;
  open: number;
  version: number;
  technical_id: string | null;
  commercial_id: string | null;
  fields: string;
  created_at: string;
  updated_at: string;
  stage_at: string;
  intake_done: number;
}

interface HistoryRow {
  seq: number;
  ticket_key: string;
  at: string;
  direction: HistoryEntry['direction'];
  actor: HistoryEntry['actor'];
  operation: string;
  action: string | null;
  transition: string | null;
  return_code: string | null;
  return_label: string | null;
  request_xml: string;
  response_xml: string | null;
  state_before: string | null;
  state_after: string | null;
}

interface DeliveryRow {
  id: number;
  ticket_key: string;
  action: string;
  ticket_json: string;
  request_xml: string;
  status: Delivery['status'];
  attempts: number;
  last_error: string | null;
  response_xml: string | null;
  return_code: string | null;
  created_at: string;
  updated_at: string;
  target_url: string | null;
}

const toTicket = (r: TicketRow): TicketRecord => ({
  id: r.id,
  troubleTicketKey: r.ticket_key,
  ocSiren: r.oc_siren,
  state: r.state,
  open: r.open === 1,
  lastUpdateVersionNumber: r.version,
  fields: JSON.parse(r.fields),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  stageAt: r.stage_at,
  intakeDone: r.intake_done === 1,
  access: { technicalId: r.technical_id, commercialId: r.commercial_id },
});

/** Copies the optional columns that are set, so absent values stay absent (not null) in the API. */
function optional<T extends object>(target: T, values: Record<string, string | null>): T {
  for (const [k, v] of Object.entries(values)) if (v !== null) (target as Record<string, string>)[k] = v;
  return target;
}

const toHistory = (r: HistoryRow): HistoryEntry =>
  optional(
    {
      seq: r.seq,
      troubleTicketKey: r.ticket_key,
      at: r.at,
      direction: r.direction,
      actor: r.actor,
      operation: r.operation,
      requestXml: r.request_xml,
    } as HistoryEntry,
    {
      action: r.action,
      transition: r.transition,
      returnCode: r.return_code,
      returnLabel: r.return_label,
      responseXml: r.response_xml,
      stateBefore: r.state_before,
      stateAfter: r.state_after,
    },
  );

const toDelivery = (r: DeliveryRow): DeliveryRecord =>
  optional(
    {
      id: r.id,
      troubleTicketKey: r.ticket_key,
      action: r.action,
      ticketJson: r.ticket_json,
      requestXml: r.request_xml,
      status: r.status,
      attempts: r.attempts,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    } as DeliveryRecord,
    {
      targetUrl: r.target_url,
      lastError: r.last_error,
      responseXml: r.response_xml,
      returnCode: r.return_code,
    },
  );

/**
 * True when an update changes a column `updateTicketContent` leaves alone: state, or one an index
 * of `tickets` holds.
 */
const indexedColumnsDiffer = (t: TicketRecord, before: TicketRecord) =>
  t.id !== before.id ||
  t.state !== before.state ||
  t.open !== before.open ||
  t.intakeDone !== before.intakeDone ||
  t.access.technicalId !== before.access.technicalId ||
  t.access.commercialId !== before.access.commercialId;

/**
 * The tickets columns an update may change, in the order insertTicket and updateTicket list them
 * (positional parameters: binding named ones costs a lookup per parameter).
 */
const changeable = (t: Omit<TicketRecord, 'id'>) => [
  t.state,
  t.open ? 1 : 0,
  t.lastUpdateVersionNumber,
  t.access.technicalId,
  t.access.commercialId,
  JSON.stringify(t.fields),
  t.updatedAt,
  t.stageAt,
  t.intakeDone ? 1 : 0,
];

/** The deliveries columns an attempt may change, in the order addDelivery and updateDelivery list them. */
const deliveryProgress = (d: NewDelivery) => [
  d.status,
  d.attempts,
  d.lastError ?? null,
  d.responseXml ?? null,
  d.returnCode ?? null,
  d.updatedAt,
  d.targetUrl ?? null,
];

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The WHERE clause of a ticket search (listing and counting share it) and its parameters. */
function ticketCriteria(q: TicketQuery): { where: string; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  if (q.state) {
    where.push('state = ?');
    params.push(q.state);
  }
  if (q.ocSiren) {
    where.push('oc_siren = ?');
    params.push(q.ocSiren);
  }
  if (q.technicalId) {
    where.push('technical_id = ?');
    params.push(q.technicalId);
  }
  if (q.text) {
    where.push(
      "(ticket_key LIKE ? ESCAPE '\\' OR technical_id LIKE ? ESCAPE '\\' OR commercial_id LIKE ? ESCAPE '\\' OR fields LIKE ? ESCAPE '\\')",
    );
    const p = likePattern(q.text);
    params.push(p, p, p, p);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** A SQLite error on the database file, in plain words naming the file and the setting to change. */
function databaseError(place: StorePlace, e: unknown): Error {
  const code = String((e as { code?: unknown }).code ?? '');
  const message = (e as Error).message;
  const file = place.file;
  const other = otherPlace(place);
  const fail = (text: string) => new DataDirError(file, text);
  if (!code.startsWith('SQLITE_')) return fail(`${describePlace(place)}: ${file}: ${message}`);
  if (code === 'SQLITE_NOTADB')
    return fail(`${file} is not a SQLite database (${message}): move it away or ${other}`);
  if (code.startsWith('SQLITE_CORRUPT'))
    return fail(`${file} is a damaged SQLite database (${message}): move it away or ${other}`);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM')
    return fail(`${file} is read-only (${message}): make it writable or ${other}`);
  if (code === 'SQLITE_FULL') return fail(`${file} cannot grow (no space left on device): ${other}`);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    let cause = message;
    try {
      if (statSync(file).isDirectory()) cause = 'it is a directory';
    } catch {
      /* not there: SQLite's own words */
    }
    return fail(`${file} cannot be opened (${cause}): ${other}`);
  }
  return fail(`${file} cannot be used (${message}): ${other}`);
}

export function openSqliteStore(options: SqliteStoreOptions = {}): TicketStore {
  let place: StorePlace | undefined;
  if (options.file) place = { file: resolve(options.file) };
  else if (options.dataDir) {
    const dataDir = resolve(options.dataDir);
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (e) {
      throw mkdirError(dataDir, e);
    }
    place = { dataDir, file: join(dataDir, DB_FILE_NAME) };
  }
  if (!place) return openDatabase(':memory:', options);
  // Exclusive while open: a second mock on the same data would serve stale copies of its tickets.
  const lock = lockStore(place);
  try {
    return openDatabase(place.file, options, lock);
  } catch (e) {
    lock.release();
    throw databaseError(place, e);
  }
}

function openDatabase(location: string, options: SqliteStoreOptions, lock?: DataDirLock): TicketStore {
  const db = new Database(location);
  const onFile = location !== ':memory:';
  try {
    if (onFile) {
      db.pragma('journal_mode = WAL');
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
      // The WAL file is reused after each checkpoint; beyond this it is truncated back.
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      db.pragma(`mmap_size = ${256 * 1024 * 1024}`);
    }
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('temp_store = MEMORY');
    // Kept small on purpose: a commit after a b-tree balance that renumbered pages (frequent under
    // inserts) makes SQLite walk its whole page cache, which at 32 MiB cost more than the reads a
    // bigger cache saves (most reads come from the memory map or the WAL anyway).
    db.pragma(`cache_size = ${-CACHE_KIB}`);
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  const checkpointer = onFile ? startCheckpointer(location, options.checkpointIntervalMs ?? 200) : undefined;
  return new SqliteTicketStore(db, location, checkpointer, lock);
}

interface Group {
  committed: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

class SqliteTicketStore implements TicketStore {
  private readonly s;
  /** One wrapper built once: better-sqlite3 nests calls made inside it as savepoints. */
  private readonly tx: (fn: () => unknown) => unknown;
  /** The open group commit: a transaction holding the writes of this event-loop turn. */
  private group: Group | undefined;
  /** Depth of transaction()/grouped() calls in progress: no commit happens inside one. */
  private depth = 0;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  /** Recently used tickets, least recent first. Callers never modify a record they are given. */
  private readonly recent = new Map<string, TicketRecord>();
  /** listTickets builds its SQL from the query's criteria: one statement per shape, kept. */
  private readonly listStatements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    private readonly checkpointer?: Checkpointer,
    private readonly lock?: DataDirLock,
  ) {
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    const p = (sql: string) => db.prepare(sql);
    const ticketCols =
      'id, ticket_key, oc_siren, state, open, version, technical_id, commercial_id, fields, created_at, updated_at, stage_at, intake_done';
    this.s = {
      seqIncrement: p('UPDATE sequence SET value = value + 1 WHERE name = ? RETURNING value').pluck(),
      seqStart: p('INSERT INTO sequence (name, value) VALUES (?, 1) RETURNING value').pluck(),
      // Positional parameters throughout: binding named ones costs a property lookup per parameter.
      insertTicket: p(
        `INSERT INTO tickets (ticket_key, oc_siren, created_at, state, open, version, technical_id, commercial_id, fields, updated_at, stage_at, intake_done)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateTicket: p(
        `UPDATE tickets SET state = ?, open = ?, version = ?, technical_id = ?, commercial_id = ?, fields = ?,
           updated_at = ?, stage_at = ?, intake_done = ?
         WHERE id = ?`,
      ),
      // No indexed column assigned: SQLite leaves every index of the table alone.
      updateTicketContent: p(
        'UPDATE tickets SET version = ?, fields = ?, updated_at = ?, stage_at = ? WHERE id = ?',
      ),
      getTicket: p(`SELECT ${ticketCols} FROM tickets WHERE ticket_key = ?`),
      // One statement over both references, each read through its own index (MULTI-INDEX OR). The
      // oc_siren term is repeated in each branch on purpose: factored out of the OR, the planner
      // (which has no statistics) reads every ticket of the OC instead. A null reference matches nothing.
      byAccessOpenFirst: p(
        `SELECT ${ticketCols} FROM tickets WHERE oc_siren = ? AND technical_id = ? OR oc_siren = ? AND commercial_id = ?
         ORDER BY open DESC, id DESC LIMIT 1`,
      ),
      byAccessNewest: p(
        `SELECT ${ticketCols} FROM tickets WHERE oc_siren = ? AND technical_id = ? OR oc_siren = ? AND commercial_id = ?
         ORDER BY id DESC LIMIT 1`,
      ),
      openOnAccess: p(
        `SELECT ${ticketCols} FROM tickets
         WHERE oc_siren = ? AND technical_id = ? AND open = 1 AND id < ?
            OR oc_siren = ? AND commercial_id = ? AND open = 1 AND id < ?
         ORDER BY id LIMIT 1`,
      ),
      openTickets: p(`SELECT ${ticketCols} FROM tickets WHERE open = 1 ORDER BY id`),
      pendingIntake: p(`SELECT ${ticketCols} FROM tickets WHERE intake_done = 0 ORDER BY id`),
      countTickets: p('SELECT COUNT(*) FROM tickets').pluck(),
      addHistory: p(
        `INSERT INTO history (ticket_key, at, direction, actor, operation, action, transition, return_code, return_label,
           request_xml, response_xml, state_before, state_after)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?)`,
      ),
      history: p('SELECT * FROM history WHERE ticket_key = ? ORDER BY seq'),
      addDelivery: p(
        `INSERT INTO deliveries (ticket_key, action, ticket_json, request_xml, created_at, status, attempts, last_error,
           response_xml, return_code, updated_at, target_url)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateDelivery: p(
        `UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, response_xml = ?, return_code = ?, updated_at = ?,
           target_url = ?
         WHERE id = ?`,
      ),
      nextPending: p(
        "SELECT * FROM deliveries WHERE ticket_key = ? AND status = 'pending' ORDER BY id LIMIT 1",
      ),
      pendingKeys: p("SELECT DISTINCT ticket_key FROM deliveries WHERE status = 'pending'").pluck(),
      deliveriesOf: p('SELECT * FROM deliveries WHERE ticket_key = ? ORDER BY id'),
      deliveriesAll: p('SELECT * FROM deliveries ORDER BY id DESC LIMIT ?'),
      countDeliveries: p('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status'),
    };
  }

  transaction<T>(fn: () => T): T {
    const value = this.run(fn);
    this.flush();
    return value;
  }

  grouped<T>(fn: () => T): T {
    if (this.group || this.db.inTransaction) return this.run(fn);
    // The first writes of the turn: the new transaction holds nothing else, so they need no
    // savepoint (a savepoint copies every page it changes) — should they fail, rolling the whole
    // transaction back undoes them alone.
    const g = this.open();
    this.depth++;
    try {
      return fn();
    } catch (e) {
      this.abandon(g);
      throw e;
    } finally {
      this.depth--;
    }
  }

  get pending(): boolean {
    return this.group !== undefined;
  }

  committed(): Promise<void> {
    return this.group ? this.group.committed : Promise.resolve();
  }

  flush(): void {
    const g = this.group;
    if (!g || this.depth > 0) return;
    this.group = undefined;
    try {
      this.commit.run();
    } catch (e) {
      if (this.db.inTransaction) this.rollback.run();
      this.recent.clear();
      g.reject(e);
      return;
    }
    g.resolve();
  }

  private run<T>(fn: () => T): T {
    this.depth++;
    try {
      return this.tx(fn) as T;
    } catch (e) {
      // Rolled back: a ticket it wrote may be remembered with values the database no longer has.
      this.recent.clear();
      throw e;
    } finally {
      this.depth--;
    }
  }

  private remember(t: TicketRecord): TicketRecord {
    this.recent.delete(t.troubleTicketKey);
    this.recent.set(t.troubleTicketKey, t);
    if (this.recent.size > RECENT_TICKETS) this.recent.delete(this.recent.keys().next().value!);
    return t;
  }

  /** Rolls back a group whose first writes failed: nothing is left to commit. */
  private abandon(g: Group): void {
    if (this.group === g) this.group = undefined;
    this.recent.clear();
    g.resolve();
    if (this.db.inTransaction) this.rollback.run();
  }

  private open(): Group {
    this.begin.run();
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A failed commit rejects the waiters; with none, it must not become an unhandled rejection.
    committed.catch(() => undefined);
    const g: Group = { committed, resolve, reject };
    this.group = g;
    setImmediate(() => {
      if (this.group === g) this.flush();
    });
    return g;
  }

  nextSequence(name: string): number {
    return (this.s.seqIncrement.get(name) ?? this.s.seqStart.get(name)) as number;
  }

  insertTicket(t: Omit<TicketRecord, 'id'>): TicketRecord {
    const info = this.s.insertTicket.run(t.troubleTicketKey, t.ocSiren, t.createdAt, ...changeable(t));
    return this.remember({ ...t, id: Number(info.lastInsertRowid) });
  }

  updateTicket(t: TicketRecord, before?: TicketRecord): void {
    if (before && !indexedColumnsDiffer(t, before)) {
      this.s.updateTicketContent.run(
        t.lastUpdateVersionNumber,
        JSON.stringify(t.fields),
        t.updatedAt,
        t.stageAt,
        t.id,
      );
    } else {
      this.s.updateTicket.run(...changeable(t), t.id);
    }
    this.remember(t);
  }

  getTicket(key: string): TicketRecord | undefined {
    const known = this.recent.get(key);
    if (known) return this.remember(known);
    const r = this.s.getTicket.get(key) as TicketRow | undefined;
    return r && this.remember(toTicket(r));
  }

  findByAccess(ocSiren: string, access: Access, openFirst: boolean): TicketRecord | undefined {
    if (access.technicalId === null && access.commercialId === null) return undefined;
    const stmt = openFirst ? this.s.byAccessOpenFirst : this.s.byAccessNewest;
    const r = stmt.get(ocSiren, access.technicalId, ocSiren, access.commercialId) as TicketRow | undefined;
    return r && toTicket(r);
  }

  findOpenOnAccess(ocSiren: string, access: Access, beforeId: number): TicketRecord | undefined {
    if (access.technicalId === null && access.commercialId === null) return undefined;
    const { technicalId, commercialId } = access;
    const r = this.s.openOnAccess.get(ocSiren, technicalId, beforeId, ocSiren, commercialId, beforeId) as
      | TicketRow
      | undefined;
    return r && toTicket(r);
  }

  listTickets(q: TicketQuery): TicketRecord[] {
    const { where, params } = ticketCriteria(q);
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 1000);
    const offset = Math.max(Math.trunc(q.offset ?? 0), 0);
    const sql = `SELECT * FROM tickets ${where} ORDER BY id DESC LIMIT ? OFFSET ?`;
    return (this.listStatement(sql).all(...params, limit, offset) as TicketRow[]).map(toTicket);
  }

  countTickets(q: TicketQuery = {}): number {
    const { where, params } = ticketCriteria(q);
    if (where === '') return this.s.countTickets.get() as number;
    return this.listStatement(`SELECT COUNT(*) FROM tickets ${where}`)
      .pluck()
      .get(...params) as number;
  }

  private listStatement(sql: string): Database.Statement {
    let stmt = this.listStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt;
  }

  openTickets(): TicketRecord[] {
    return (this.s.openTickets.all() as TicketRow[]).map(toTicket);
  }

  pendingIntake(): TicketRecord[] {
    return (this.s.pendingIntake.all() as TicketRow[]).map(toTicket);
  }

  addHistory(e: NewHistoryEntry): number {
    const info = this.s.addHistory.run(
      e.troubleTicketKey,
      e.at,
      e.direction,
      e.actor,
      e.operation,
      e.action ?? null,
      e.transition ?? null,
      e.returnCode ?? null,
      e.returnLabel ?? null,
      e.requestXml,
      e.responseXml ?? null,
      e.stateBefore ?? null,
      e.stateAfter ?? null,
    );
    return Number(info.lastInsertRowid);
  }

  history(key: string): HistoryEntry[] {
    return (this.s.history.all(key) as HistoryRow[]).map(toHistory);
  }

  addDelivery(d: NewDelivery): DeliveryRecord {
    const info = this.s.addDelivery.run(
      d.troubleTicketKey,
      d.action,
      d.ticketJson,
      d.requestXml,
      d.createdAt,
      ...deliveryProgress(d),
    );
    return { ...d, id: Number(info.lastInsertRowid) };
  }

  updateDelivery(d: DeliveryRecord): void {
    this.s.updateDelivery.run(...deliveryProgress(d), d.id);
  }

  nextPendingDelivery(key: string): DeliveryRecord | undefined {
    const r = this.s.nextPending.get(key) as DeliveryRow | undefined;
    return r && toDelivery(r);
  }

  ticketsWithPendingDeliveries(): string[] {
    return this.s.pendingKeys.all() as string[];
  }

  deliveries(key?: string, limit = 1000): DeliveryRecord[] {
    const rows = key ? this.s.deliveriesOf.all(key) : this.s.deliveriesAll.all(limit);
    return (rows as DeliveryRow[]).map(toDelivery);
  }

  countDeliveries() {
    const out = { pending: 0, delivered: 0, failed: 0 };
    for (const r of this.s.countDeliveries.all() as { status: Delivery['status']; n: number }[])
      out[r.status] = r.n;
    return out;
  }

  reset(): void {
    this.recent.clear();
    this.transaction(() => {
      this.db.exec('DELETE FROM deliveries; DELETE FROM history; DELETE FROM tickets;');
    });
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    void this.checkpointer?.close();
    this.db.close();
    this.lock?.release();
  }
}
