/**
 * The data directory: one mock at a time (a lock file, taken over from a mock that no longer runs),
 * and its errors naming the path, the setting (dataDir / --data-dir) and the cause in plain words.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { DataDirError, DB_FILE_NAME, openSqliteStore } from '../../mock-server/store/index.ts';
import { engine, getByKey, newTicket } from './helpers.ts';

const dirs: string[] = [];
const engines: LocalMockEngine[] = [];
const children: ChildProcess[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mock-data-dir-'));
  dirs.push(d);
  return d;
};
const open = (dataDir: string) => {
  const e = engine({ store: { dataDir } });
  engines.push(e);
  return e;
};
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const e of engines.splice(0)) await e.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const lockOf = (dir: string) => join(dir, `${DB_FILE_NAME}.lock`);
const SETTING = 'use another data directory (config dataDir, flag --data-dir)';
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The error thrown by `fn`. */
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

/** A pid no process has: a child that ran and was reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

const bootId = () => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
};

describe('one mock at a time on a data directory', () => {
  it('refuses a second store on the same directory, naming it, the lock and the holder; the first is unaffected', async () => {
    const dir = tmp();
    const a = open(dir);
    const key = await newTicket(a);
    const e = thrown(() => open(dir));
    expect(e).toBeInstanceOf(DataDirError);
    expect(e.message).toMatch(
      new RegExp(
        `^data directory ${literal(dir)} is in use by the mock with pid ${process.pid}, started .* \\(lock ${literal(lockOf(dir))}\\): stop it or ${literal(SETTING)}$`,
      ),
    );
    // The first still serves and writes.
    await a.triggerOiAction(key, 'oi.takeInCharge');
    expect((await getByKey(a, key)).ticket?.troubleTicketState).toBe('OPENACTIVE');
    await a.close();
    expect(existsSync(lockOf(dir))).toBe(false);

    const b = open(dir);
    expect(b.getTicket(key)!.ticket.state).toBe('OPENACTIVE');
  });

  it('refuses a directory another process holds, and takes it over once that process is killed', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'create-then-hang.ts'), dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    const key = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before answering`)));
    });
    expect(() => open(dir)).toThrow(
      `data directory ${dir} is in use by the mock with pid ${child.pid}, started `,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(existsSync(lockOf(dir))).toBe(true);

    const b = open(dir);
    expect(b.getTicket(key)!.ticket.state).toBe('QUEUED');
    expect(JSON.parse(readFileSync(lockOf(dir), 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock whose process no longer exists', () => {
    const dir = tmp();
    writeFileSync(lockOf(dir), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 'x' }));
    const s = openSqliteStore({ dataDir: dir });
    expect(JSON.parse(readFileSync(lockOf(dir), 'utf8')).pid).toBe(process.pid);
    s.close();
    expect(existsSync(lockOf(dir))).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'takes over a lock whose pid now belongs to another process (pid reused, or a reboot since)',
    () => {
      const dir = tmp();
      // pid 1 runs, but did not start at that time.
      writeFileSync(lockOf(dir), JSON.stringify({ pid: 1, host: hostname(), start: '1', bootId: bootId() }));
      openSqliteStore({ dataDir: dir }).close();
      // pid 1 runs, but the lock was taken before the last boot.
      writeFileSync(lockOf(dir), JSON.stringify({ pid: 1, host: hostname(), bootId: 'another-boot' }));
      openSqliteStore({ dataDir: dir }).close();
      expect(existsSync(lockOf(dir))).toBe(false);
    },
  );

  it('does not take over the lock of a mock on another host', () => {
    const dir = tmp();
    const lock = { pid: deadPid(), host: 'elsewhere.example', startedAt: '2025-01-06T09:00:00.000Z' };
    writeFileSync(lockOf(dir), JSON.stringify(lock));
    expect(() => openSqliteStore({ dataDir: dir })).toThrow(
      `data directory ${dir} is in use by the mock with pid ${lock.pid} on host elsewhere.example, started 2025-01-06T09:00:00.000Z (lock ${lockOf(dir)}): stop it or ${SETTING} (if that mock no longer runs, delete the lock file)`,
    );
  });

  it('in-memory stores take no lock', () => {
    const a = openSqliteStore();
    const b = openSqliteStore();
    expect([a.location, b.location]).toEqual([':memory:', ':memory:']);
    a.close();
    b.close();
  });
});

describe('data directory errors', () => {
  it('a directory that cannot be created names it, the setting and the file in the way', () => {
    const base = tmp();
    const file = join(base, 'afile');
    writeFileSync(file, 'x');
    const dir = join(file, 'data');
    expect(() => openSqliteStore({ dataDir: dir })).toThrow(
      `data directory ${dir} cannot be created (ENOTDIR: ${file} is a file, not a directory): ${SETTING}`,
    );
    expect(() => openSqliteStore({ dataDir: file })).toThrow(
      `data directory ${file} is a file, not a directory: ${SETTING}`,
    );
  });

  it.skipIf(process.getuid?.() === 0 || process.platform === 'win32')(
    'a directory that is not writable says so',
    async () => {
      const dir = tmp();
      const { chmodSync } = await import('node:fs');
      chmodSync(dir, 0o500);
      try {
        expect(() => openSqliteStore({ dataDir: dir })).toThrow(
          `data directory ${dir} is not writable (EACCES: permission denied): ${SETTING}`,
        );
      } finally {
        chmodSync(dir, 0o700);
      }
    },
  );

  it('a file that is not a SQLite database names it; the directory is left unlocked', () => {
    const dir = tmp();
    const db = join(dir, DB_FILE_NAME);
    writeFileSync(db, 'this is not a database, but it is long enough to have a header of sorts\n'.repeat(20));
    const e = thrown(() => openSqliteStore({ dataDir: dir }));
    expect(e).toBeInstanceOf(DataDirError);
    expect(e.message).toBe(
      `${db} is not a SQLite database (file is not a database): move it away or ${SETTING}`,
    );
    expect(existsSync(lockOf(dir))).toBe(false);
    rmSync(db);
    openSqliteStore({ dataDir: dir }).close();
  });

  it('a database path that is a directory names it', () => {
    const dir = tmp();
    mkdirSync(join(dir, DB_FILE_NAME));
    expect(() => openSqliteStore({ dataDir: dir })).toThrow(
      `${join(dir, DB_FILE_NAME)} cannot be opened (it is a directory): ${SETTING}`,
    );
  });
});
