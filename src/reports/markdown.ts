/**
 * The Markdown summary for a pull request or a chat message: verdict, implementation under test,
 * totals, conformance per basis, coverage, and the failed checks with their rule, clause and basis.
 * Kept short: the failed-checks table stops after {@link MAX_FAILED_ROWS} rows.
 */
import type { RunResult } from '../scenario/result.ts';
import { mdCell, mdCode } from './escape.ts';
import {
  allChecks,
  canonicalRun,
  conformance,
  countCoverage,
  coverageStatus,
  formatDuration,
  implementationText,
  isFailing,
  isHarnessError,
  isIncomplete,
  junitCountDifferences,
  junitCountNotes,
  LEVEL_TITLE,
  percent,
  ROLE_TEXT,
  runDurationMs,
  scenarioCounts,
  stepNumber,
  type Tally,
  VERDICT_TITLE,
} from './model.ts';

const ICON: Record<RunResult['verdict'], string> = { pass: '✅', fail: '❌', 'not-assessed': '⚠️' };

export const MAX_FAILED_ROWS = 50;
/** Ids listed per coverage line before "…N more". */
const MAX_LISTED = 20;

export function renderMarkdown(input: RunResult): string {
  const run = canonicalRun(input);
  const c = conformance(run);
  const i = run.implementation;
  const t = run.totals;
  const n = scenarioCounts(run);
  const out: string[] = [];
  out.push(`# ${ICON[run.verdict]} SAV FTTH conformance: ${VERDICT_TITLE[run.verdict]}`, '');
  out.push(`**${mdCell(LEVEL_TITLE[c.level])}.** ${mdCell(c.statement)}`, '');
  out.push(
    '| | |',
    '|---|---|',
    `| Implementation under test | ${mdCell(implementationText(run))} |`,
    `| Role | ${mdCell(ROLE_TEXT[i.role] ?? i.role)} |`,
    `| Endpoint | ${mdCode(i.endpoint)} (${mdCell(i.kind)}) |`,
    `| Profile | ${mdCell(`${run.profile.id} ${run.profile.version}`)} |`,
    `| Tool | ${mdCell(`${run.tool.name} ${run.tool.version}`)} |`,
    `| Run | ${mdCell(run.startedAt)} → ${mdCell(run.finishedAt)} (${formatDuration(runDurationMs(run))}) |`,
    '',
  );
  out.push(
    '## Totals',
    '',
    '| scenarios passed | scenarios skipped | checks | passed | failed | errors | skipped | mandatory failed |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${n.passed}/${n.ran} | ${n.skipped} | ${t.checks} | ${t.passed} | ${t.failed} | ${t.errors} | ${t.skipped} | ${t.mandatoryFailed} |`,
    '',
  );
  const notes = junitCountNotes(junitCountDifferences(run));
  if (notes.length > 0) out.push(...notes.map((x) => `> ${mdCell(x)}`), '');
  const row = (label: string, x: Tally) =>
    `| ${label} | ${x.checks} | ${x.passed} | ${x.failed} | ${x.errors} | ${x.skipped} |`;
  out.push(
    '## Conformance',
    '',
    '| checks | total | passed | failed | errors | skipped |',
    '|---|---:|---:|---:|---:|---:|',
    row('mandatory, \\[spec\\]/\\[interop\\] rules', c.normative),
    row('mandatory, \\[decision\\] rules', c.decision),
    row('advisory (never fail the run)', c.advisory),
    ...(c.harness.checks > 0
      ? [row('harness errors (a scenario could not run to its end: no protocol rule)', c.harness)]
      : []),
    '',
  );
  out.push('## Coverage', '', '| | exercised | passed | failed | not covered |', '|---|---:|---:|---:|---|');
  for (const [label, items] of [
    ['transitions', run.coverage.transitions],
    ['actions', run.coverage.actions],
    ['rules', run.coverage.rules],
  ] as const) {
    const n = countCoverage(items);
    const missing = items.filter((x) => coverageStatus(x) === 'not-covered').map((x) => x.id);
    const shown =
      missing.length > MAX_LISTED
        ? [...missing.slice(0, MAX_LISTED), `…${missing.length - MAX_LISTED} more`]
        : missing;
    out.push(
      `| ${label} | ${n.exercised}/${n.total} (${percent(n.exercised, n.total)}) | ${n.passed} | ${n.failed} | ${shown.length ? mdCell(shown.join(', ')) : '-'} |`,
    );
  }
  out.push('');
  const failed = allChecks(run).filter((r) => isFailing(r.check.verdict));
  out.push(`## Failed checks (${failed.length})`, '');
  if (failed.length === 0) {
    out.push('None.', '');
  } else {
    out.push(
      '| scenario | step | check | rule | clause | basis | mandatory | expected | actual |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const { scenario, step, check } of failed.slice(0, MAX_FAILED_ROWS)) {
      out.push(
        `| ${mdCode(scenario.id)} | ${stepNumber(step)}. ${mdCell(step.title)} | ${mdCell(check.title)}${check.verdict === 'error' ? ' (error)' : ''} | ${mdCode(check.rule)} | ${mdCell(check.clause)} | ${isHarnessError(check) ? 'harness error' : `\\[${check.basis}\\]`} | ${check.mandatory ? 'yes' : 'no'} | ${mdCell(check.expected ?? '')} | ${mdCell(check.actual ?? check.message)} |`,
      );
    }
    if (failed.length > MAX_FAILED_ROWS) {
      out.push('', `…and ${failed.length - MAX_FAILED_ROWS} more: see report.html or junit.xml.`);
    }
    out.push('');
  }
  if (c.skipped.length > 0) {
    out.push(`## Skipped scenarios (${c.skipped.length})`, '');
    for (const { scenario, reason } of c.skipped) out.push(`- ${mdCode(scenario.id)}: ${mdCell(reason)}`);
    out.push('');
  }
  const broken = run.scenarios.filter((s) => s.error !== undefined && isIncomplete(s));
  if (broken.length > 0) {
    out.push(`## Scenarios that could not finish (${broken.length})`, '');
    for (const s of broken) out.push(`- ${mdCode(s.id)}: ${mdCell(s.error ?? '')}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
