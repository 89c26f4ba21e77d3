/**
 * OC authentication: the header's LoginName/Password against the configured accounts, compared in
 * constant time, with a per-login failure rate limit. Unknown logins are treated exactly like known
 * ones (same digest work, same rate limit), so answers and timings do not reveal which logins exist.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { shorten } from '../../src/rules/index.ts';
import type { Credentials } from '../../src/soap/model.ts';
import type { Clock } from './clock.ts';
import type { OcAccount } from './types.ts';

export interface RateLimit {
  /**
   * Failures allowed per login within the window; the next attempt, even a right one, is refused
   * until the oldest failure leaves the window. 0: no limit.
   */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { maxFailures: 5, windowMs: 60_000 };

export type AuthResult =
  | { ok: true; account: OcAccount }
  | {
      ok: false;
      reason: 'missing' | 'invalid' | 'locked';
      /** The login as given, cut to 60 characters: answers and logs may quote it. */
      login?: string;
      retryAfterMs?: number;
    };

const digest = (s: string) => hash('sha256', s, 'buffer');
/**
 * Bounds the failures of logins that are no account: an attacker cycling random logins cannot grow
 * the table without limit. Those of the accounts are never dropped (that would lift a lock).
 */
const MAX_TRACKED_UNKNOWN_LOGINS = 10_000;
/** A longer login is tracked by its digest, so each entry of the table stays small. */
const MAX_LOGIN_KEY = 128;
const failureKey = (login: string) =>
  login.length <= MAX_LOGIN_KEY ? login : `sha256:${digest(login).toString('base64')}`;

export class Authenticator {
  private readonly accounts = new Map<string, { account: OcAccount; digest: Buffer }>();
  /** Failure times per login, the least recently failed first (a failure moves its login last). */
  private readonly failures = new Map<string, number[]>();
  private unknownTracked = 0;
  /** The failure keys of the accounts' logins. */
  private readonly accountKeys = new Set<string>();
  private readonly dummy = digest('\u0000no-such-account\u0000');

  constructor(
    accounts: OcAccount[],
    private readonly clock: Clock,
    private readonly limit: RateLimit = DEFAULT_RATE_LIMIT,
  ) {
    for (const a of accounts) {
      if (this.accounts.has(a.login)) throw new Error(`accounts: login "${a.login}" is listed twice`);
      this.accounts.set(a.login, { account: a, digest: digest(a.password) });
      this.accountKeys.add(failureKey(a.login));
    }
  }

  authenticate(credentials: Credentials | undefined): AuthResult {
    if (!credentials) return { ok: false, reason: 'missing' };
    const { login, password } = credentials;
    const now = this.clock.now();
    const key = failureKey(login);
    // Answers and logs name the login shortened: a client cannot make them as long as its header.
    const shown = shorten(login);
    const recent = this.recentFailures(key, now);
    if (this.limit.maxFailures > 0 && recent.length >= this.limit.maxFailures) {
      return {
        ok: false,
        reason: 'locked',
        login: shown,
        retryAfterMs: recent[0]! + this.limit.windowMs - now,
      };
    }
    const known = this.accounts.get(login);
    const match = timingSafeEqual(digest(password), known?.digest ?? this.dummy) && known !== undefined;
    if (match) {
      this.forget(key);
      return { ok: true, account: known.account };
    }
    this.recordFailure(key, recent, now);
    return { ok: false, reason: 'invalid', login: shown };
  }

  reset(): void {
    this.failures.clear();
    this.unknownTracked = 0;
  }

  private recentFailures(key: string, now: number): number[] {
    const list = this.failures.get(key);
    if (!list) return [];
    const recent = list.filter((t) => now - t < this.limit.windowMs);
    if (recent.length === 0) this.forget(key);
    else if (recent.length !== list.length) this.failures.set(key, recent);
    return recent;
  }

  private recordFailure(key: string, recent: number[], now: number): void {
    const isAccount = this.accountKeys.has(key);
    if (!this.forget(key) && !isAccount) this.makeRoomForUnknown(now);
    this.failures.set(key, [...recent, now]);
    if (!isAccount) this.unknownTracked++;
  }

  /**
   * Drops expired entries from the front (least recently failed first), then, while the unknown
   * logins still fill their share, the least recently failed unknown one: never an account's.
   */
  private makeRoomForUnknown(now: number): void {
    for (const [key, times] of this.failures) {
      if (this.unknownTracked < MAX_TRACKED_UNKNOWN_LOGINS) return;
      const expired = now - times[times.length - 1]! >= this.limit.windowMs;
      if (expired || !this.accountKeys.has(key)) this.forget(key);
    }
  }

  private forget(key: string): boolean {
    if (!this.failures.delete(key)) return false;
    if (!this.accountKeys.has(key)) this.unknownTracked--;
    return true;
  }
}
