/**
 * The data directory of a file store: its exclusive ownership while the store is open, and the
 * errors about it in plain words (naming the path, the `dataDir` key / `--data-dir` flag, the cause).
 *
 * Ownership is a lock file next to the database (`<database>.lock`), made to appear atomically
 * with its full content (written to a temporary file, then hard-linked to the lock's name: the link
 * fails when the lock exists; O_EXCL creation where hard links are not supported). It holds the
 * owner's pid, host name, boot id and process start time, and is removed on close. A lock whose
 * owner is gone (SIGKILL, crash, reboot) is taken over; the owner counts as gone when:
 *  - its host is this one and the system booted since (the boot id, /proc/sys/kernel/random/boot_id,
 *    differs), or
 *  - no process has its pid (`kill(pid, 0)` fails with ESRCH), or the process is a zombie, or
 *  - a process has its pid but started at another time (start time, field 22 of /proc/<pid>/stat:
 *    the pid was reused), or
 *  - the pid is this process's own and this process holds no such lock (a restarted container
 *    often runs as the same pid), or
 *  - the file does not hold a lock this module wrote.
 * A lock from another host is never taken over (its owner cannot be checked from here): the message
 * says to delete the lock file if that mock no longer runs. Without /proc (macOS, Windows) only
 * the pid is checked, and the message says the same.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** A data directory or database file that cannot be used; the message says which, and why. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the store was given: a data directory (the CLI's `--data-dir`) or an explicit database file. */
export type StorePlace = { dataDir: string; file: string } | { dataDir?: undefined; file: string };

/** "data directory /x" or "database file /x/y.sqlite". */
export const describePlace = (p: StorePlace) =>
  p.dataDir !== undefined ? `data directory ${p.dataDir}` : `database file ${p.file}`;

/** The way out, naming the setting: "use another data directory (config dataDir, flag --data-dir)". */
export const otherPlace = (p: StorePlace) =>
  p.dataDir !== undefined
    ? 'use another data directory (config dataDir, flag --data-dir)'
    : 'use another database file';

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'a part of the path does not exist',
  EISDIR: 'it is a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EIO: 'input/output error',
};

/** "EROFS: read-only file system", from a Node.js file-system error. */
export function plainCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && CAUSES[code]) return `${code}: ${CAUSES[code]}`;
  return (e as Error)?.message ?? String(e);
}

/** The first existing ancestor of `dir` that is not a directory, if any (the cause of ENOTDIR). */
function fileInTheWay(dir: string): string | undefined {
  for (let p = dir; ; p = dirname(p)) {
    try {
      return statSync(p).isDirectory() ? undefined : p;
    } catch {
      if (dirname(p) === p) return undefined;
    }
  }
}

/** Wraps the error of creating the data directory. */
export function mkdirError(dir: string, e: unknown): DataDirError {
  const place = { dataDir: dir, file: dir };
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EEXIST')
    return new DataDirError(dir, `${describePlace(place)} is a file, not a directory: ${otherPlace(place)}`);
  const blocker = code === 'ENOTDIR' ? fileInTheWay(dir) : undefined;
  const cause = blocker ? `ENOTDIR: ${blocker} is a file, not a directory` : plainCause(e);
  return new DataDirError(dir, `${describePlace(place)} cannot be created (${cause}): ${otherPlace(place)}`);
}

interface Holder {
  pid: number;
  host: string;
  bootId?: string;
  /** Start time of the process, clock ticks after boot (field 22 of /proc/<pid>/stat). */
  start?: string;
  startedAt?: string;
}

const readOr = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const bootId = () => readOr('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

/** State and start time of a process, from /proc (undefined without /proc or without the process). */
function procStat(pid: number): { state: string; start: string } | undefined {
  const text = readOr(`/proc/${pid}/stat`);
  if (!text) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, the fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19];
  return state && start ? { state, start } : undefined;
}

/** Lock files this process holds (a second store on the same place in this process is refused too). */
const held = new Set<string>();

function parseHolder(text: string | undefined): Holder | undefined {
  if (!text) return undefined;
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isSafeInteger(h.pid) && h.pid > 0 && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner still runs; `checked` false when that could only be guessed from the pid. */
function ownerState(lock: string, h: Holder): { alive: boolean; checked: boolean } {
  // Another host (or another container of this machine, sharing the directory): its pid cannot be checked here.
  if (h.host !== hostname()) return { alive: true, checked: false };
  const boot = bootId();
  if (boot && h.bootId && boot !== h.bootId) return { alive: false, checked: true };
  if (h.pid === process.pid) return { alive: held.has(lock), checked: true };
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return { alive: false, checked: true };
  }
  const stat = procStat(h.pid);
  if (!stat) return { alive: true, checked: false };
  if (stat.state === 'Z' || stat.state === 'X') return { alive: false, checked: true };
  if (h.start && stat.start !== h.start) return { alive: false, checked: true };
  return { alive: true, checked: h.start !== undefined };
}

function inUse(place: StorePlace, lock: string, h: Holder, checked: boolean): DataDirError {
  const where = h.host !== hostname() ? ` on host ${h.host}` : '';
  const since = h.startedAt ? `, started ${h.startedAt}` : '';
  const hint = checked ? '' : ' (if that mock no longer runs, delete the lock file)';
  return new DataDirError(
    place.dataDir ?? place.file,
    `${describePlace(place)} is in use by the mock with pid ${h.pid}${where}${since} (lock ${lock}): stop it or ${otherPlace(place)}${hint}`,
  );
}

function writeError(place: StorePlace, e: unknown): DataDirError {
  const dir = place.dataDir ?? dirname(place.file);
  return new DataDirError(
    dir,
    `${describePlace(place)} is not writable (${plainCause(e)}): ${otherPlace(place)}`,
  );
}

/** Creates `lock` holding `content` if it does not exist; false when it exists. */
function createExclusive(lock: string, content: string, place: StorePlace): boolean {
  const temp = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw writeError(place, e);
  }
  try {
    linkSync(temp, lock);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP')
      throw writeError(place, e);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
  }
  // No hard links on this file system: O_EXCL creation (a reader may see it empty for an instant).
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(place, e);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file (if it is still this lock's). */
  release(): void;
}

/** Takes exclusive ownership of the database `place.file`; throws a {@link DataDirError} when another mock has it. */
export function lockStore(place: StorePlace): DataDirLock {
  const lock = `${place.file}.lock`;
  const stat = procStat(process.pid);
  const mine: Holder = {
    pid: process.pid,
    host: hostname(),
    ...(bootId() ? { bootId: bootId()! } : {}),
    ...(stat ? { start: stat.start } : {}),
    startedAt: new Date().toISOString(),
  };
  const content = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (createExclusive(lock, content, place)) {
      held.add(lock);
      return {
        file: lock,
        release() {
          if (!held.delete(lock)) return;
          if (readOr(lock) !== content) return;
          try {
            unlinkSync(lock);
          } catch {
            /* removed already */
          }
        },
      };
    }
    const text = readOr(lock);
    if (text === undefined) continue; // released meanwhile
    const holder = parseHolder(text);
    if (holder) {
      const { alive, checked } = ownerState(lock, holder);
      if (alive) throw inUse(place, lock, holder, checked);
    }
    // A stale lock: moved aside (atomic, so two starters cannot both take it over), then removed.
    const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(lock, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw writeError(place, e);
    }
    if (readOr(aside) !== text) {
      // Another starter replaced the stale lock between our read and the rename: give it back.
      try {
        linkSync(aside, lock);
      } catch {
        /* a third one is there already: it stays */
      }
    }
    try {
      unlinkSync(aside);
    } catch {
      /* gone */
    }
  }
  throw new DataDirError(
    lock,
    `${describePlace(place)}: could not take its lock ${lock} (other mocks keep taking it)`,
  );
}
