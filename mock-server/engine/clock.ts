/**
 * Time as the engine sees it: `now()` and timers, injectable so that tests drive the automatic
 * behaviour (take in charge after N ms…) without waiting.
 */
export interface Clock {
  now(): number;
  /**
   * `keepAlive`: the timer keeps the process alive (a pending answer: in process, through msw, no
   * socket does). Other timers (automatic behaviour, push backoff) must not.
   */
  setTimeout(fn: () => void, ms: number, options?: { keepAlive?: boolean }): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms, options) => {
    const t = setTimeout(fn, ms);
    // Timers of the automatic behaviour must not keep a process (a CLI, a test runner) alive.
    if (!options?.keepAlive) t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in due order. */
  advance(ms: number): void;
  /** Timers not fired yet. */
  pending(): number;
}

/** A clock that only moves when told to (tests). */
export function manualClock(start = Date.parse('2025-01-06T08:00:00.000Z')): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(h) {
      timers.delete(h as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
    pending: () => timers.size,
  };
}

let lastMs = Number.NaN;
let lastIso = '';

/** ISO 8601 of a time in ms (the last one is kept: under load many calls fall in the same ms). */
export function iso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
