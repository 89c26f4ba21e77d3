/** Shared by the store tests: a ticket record to insert, and what another connection reads on disk. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DB_FILE_NAME } from '../../mock-server/store/index.ts';
import type { TicketRecord } from '../../mock-server/store/types.ts';

/** What another connection (a restarted process) finds in the data directory's database. */
export function onDisk(dir: string, sql: string, ...params: unknown[]): unknown[] {
  const db = new Database(join(dir, DB_FILE_NAME), { readonly: true });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

export const ticketRecord = (
  key: string,
  overrides: Partial<TicketRecord> = {},
): Omit<TicketRecord, 'id'> => ({
  troubleTicketKey: key,
  ocSiren: '380129866',
  state: 'QUEUED',
  open: true,
  lastUpdateVersionNumber: 1,
  fields: { technicalId: 'FI-1', commercialId: 'ACC-1', troubleDescription: 'x' },
  access: { technicalId: 'FI-1', commercialId: 'ACC-1' },
  createdAt: '2025-01-06T08:00:00.000Z',
  updatedAt: '2025-01-06T08:00:00.000Z',
  stageAt: '2025-01-06T08:00:00.000Z',
  intakeDone: true,
  ...overrides,
});
