/**
 * Progress of a run: one updating line on a terminal, plain lines (one per scenario) elsewhere
 * (pipes, CI=true, TERM=dumb): {@link terminalProgress} decides.
 */
import { HARNESS_RULE, type ScenarioResult } from './result.ts';
import type { HarnessRole } from './rulebook.ts';
import type { RunHooks } from './runner.ts';

const MARK: Record<ScenarioResult['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  skip: 'SKIP',
  error: 'ERROR',
};

/**
 * Text of the implementation under test, made safe for one console line: line breaks, C0/C1
 * controls (ESC, CSI U+009B…), bidi overrides and invisible direction marks are shown as escapes, so
 * that an answer cannot forge log lines, colours or reversed text in a CI log.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function consoleSafe(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

/**
 * Whether the progress may rewrite one line in place (`\r`, ESC[2K): only on a terminal (`isTTY`)
 * that understands it (TERM is not `dumb`: Emacs shells, some CI consoles) and outside CI (any `CI`
 * value but empty, `false` or `0`, as GitLab, GitHub Actions and most runners set it).
 */
export function terminalProgress(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (!stream.isTTY) return false;
  if (env.TERM === 'dumb') return false;
  const ci = env.CI?.trim().toLowerCase();
  return ci === undefined || ci === '' || ci === 'false' || ci === '0';
}

/** Plain lines: what a CI log keeps. */
export function plainProgress(write: (line: string) => void): RunHooks {
  return {
    onStart: (role, total) => write(`role ${role}: ${total} scenarios`),
    onScenario: (role, r, done, total) => {
      const why =
        r.verdict === 'fail' || r.verdict === 'error'
          ? rootCause(r)
          : r.skipReason !== undefined
            ? ` — ${consoleSafe(r.skipReason)}`
            : warningOf(r);
      write(
        `${MARK[r.verdict].padEnd(5)} [${role}] ${String(done).padStart(String(total).length)}/${total} ${r.id} (${Math.round(r.durationMs)} ms)${why}`,
      );
    },
  };
}

/** A passed scenario with failed advisory checks: the first one, as a warning (never a failure). */
function warningOf(r: ScenarioResult): string {
  const warnings = r.steps.flatMap((s) =>
    s.checks.filter((c) => c.verdict === 'fail' && !c.mandatory).map((c) => ({ s, c })),
  );
  const first = warnings[0];
  if (!first) return '';
  const more = warnings.length > 1 ? ` (+${warnings.length - 1} more)` : '';
  return ` — warning (advisory): step ${first.s.index + 1} ${first.c.rule}: ${consoleSafe(first.c.message.slice(0, 160))}${more}`;
}

/**
 * Why a scenario failed, root cause first: its first failed check; when the scenario then stopped on
 * an error (often a knock-on one: "the ticket has no key: its create step failed"), that error after it.
 */
function rootCause(r: ScenarioResult): string {
  for (const s of r.steps) {
    // The check recording the scenario's own error (rule HARNESS) is shown last, as the error.
    const c = s.checks.find(
      (x) =>
        (x.verdict === 'error' || (x.verdict === 'fail' && x.mandatory)) &&
        !(r.error && x.rule === HARNESS_RULE),
    );
    if (!c) continue;
    const first = `step ${s.index + 1} ${c.rule}: ${consoleSafe(c.message.slice(0, 160))}`;
    return ` — ${first}${r.error ? `; then ${consoleSafe(r.error)}` : ''}`;
  }
  return r.error ? ` — ${consoleSafe(r.error)}` : '';
}

/** One line rewritten in place on a terminal (stderr); failures are kept as plain lines above it. */
export function ttyProgress(stream: NodeJS.WriteStream): RunHooks & { done(): void } {
  let counts = { pass: 0, fail: 0, skip: 0, error: 0 };
  let current: HarnessRole | undefined;
  const width = () => Math.max(40, (stream.columns ?? 100) - 1);
  const line = (text: string) => stream.write(`\r\x1b[2K${text.slice(0, width())}`);
  return {
    onStart: (role, total) => {
      if (current) stream.write('\n');
      current = role;
      counts = { pass: 0, fail: 0, skip: 0, error: 0 };
      line(`[${role}] 0/${total}`);
    },
    onScenario: (role, r, done, total) => {
      counts[r.verdict]++;
      if (r.verdict === 'fail' || r.verdict === 'error') {
        stream.write(`\r\x1b[2K${MARK[r.verdict]} [${role}] ${r.id}${rootCause(r)}\n`);
      }
      const bad = counts.fail + counts.error;
      line(
        `[${role}] ${done}/${total}  ✔ ${counts.pass}  ✘ ${bad}${counts.skip ? `  ○ ${counts.skip}` : ''}  ${r.id}`,
      );
    },
    done: () => {
      if (current) stream.write('\r\x1b[2K');
    },
  };
}
