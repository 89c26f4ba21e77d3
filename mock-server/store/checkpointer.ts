/**
 * WAL checkpoints on a worker thread. A checkpoint copies the WAL back into the database file and
 * fsyncs both: run by SQLite's auto-checkpoint it stalls the committing request (and every request
 * queued behind it on the event loop) for milliseconds. Here a second connection, on its own
 * thread, runs PASSIVE checkpoints (they never block the writer) every `intervalMs`; the main
 * connection keeps a large auto-checkpoint only as a backstop should the worker be gone.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The worker's source: plain CommonJS, so that it needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next round will do */ }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker and closes its connection. */
  close(): Promise<void>;
}

export function startCheckpointer(file: string, intervalMs: number): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs } });
  // Never keeps a process alive, and a failing worker only costs the backstop auto-checkpoint.
  worker.unref();
  worker.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('close');
        setTimeout(() => void worker.terminate(), 2_000).unref();
      });
      return closing;
    },
  };
}
