/**
 * The HTML certification report: one self-contained file (inline CSS and JS, no network), readable
 * offline and printable. Verdict and conformance level first, then the state diagram, coverage,
 * the failed checks and every scenario. Deterministic: the same run gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { getProfile, type Profile } from '../../profile/index.ts';
import type {
  CheckResult,
  CoverageItem,
  Evidence,
  RunResult,
  ScenarioResult,
  StepResult,
} from '../../scenario/result.ts';
import { escapeAttr, escapeText } from '../escape.ts';
import {
  advisoryFailures,
  allChecks,
  bookkeeping,
  COVERAGE_TITLE,
  type Conformance,
  canonicalRun,
  checkAnchor,
  compareIds,
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
  plural,
  ROLE_TEXT,
  realScenarios,
  runDurationMs,
  scenarioCounts,
  scenarioSkipReason,
  skipReasonsText,
  sortedUnique,
  stepNumber,
  type Tally,
  VERDICT_TITLE,
} from '../model.ts';
import { CSS, JS } from './assets.ts';
import { stateDiagram } from './diagram.ts';
import { prettyXml } from './xml-pretty.ts';

export interface HtmlOptions {
  /** The profile the run was made with; by default the registered profile named in the run. */
  profile?: Profile;
}

const h = escapeText;
const a = escapeAttr;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');
const CSP = `default-src 'none'; style-src 'sha256-${sha256(CSS)}'; script-src 'sha256-${sha256(JS)}'; img-src data:; base-uri 'none'; form-action 'none'`;

const badge = (v: string) => `<span class="b ${a(v)}">${h(v.toUpperCase())}</span>`;
const basisTag = (b: string) => `<span class="basis ${a(b)}">[${h(b)}]</span>`;
/** A harness error rests on no protocol basis: it says what it is. */
const checkBasis = (c: CheckResult) =>
  isHarnessError(c) ? '<span class="mute">harness error</span>' : basisTag(c.basis);

/** Scenarios that could not run to their end: errors of the harness or its environment, no rule. */
function harnessCard(c: Conformance): string {
  const n = c.harness.errors;
  return (
    `<div class="card bad"><h3>Harness errors</h3>` +
    `<div><strong>${plural(n, 'scenario')}</strong> could not run to the end</div>` +
    '<div class="mute">Not a protocol rule: the harness or its environment failed (see each scenario), so the run is incomplete.</div></div>'
  );
}

/** Scenarios not run by design: neither a failure nor an incomplete run, said apart. */
function skippedCard(c: Conformance): string {
  return (
    `<div class="card"><h3>Skipped scenarios</h3>` +
    `<div><strong>${plural(c.skipped.length, 'scenario')}</strong> not assessed</div>` +
    `<div class="mute">${h(skipReasonsText(c.skipped))}</div></div>`
  );
}

export function renderHtml(input: RunResult, options: HtmlOptions = {}): string {
  const run = canonicalRun(input);
  const profile = options.profile ?? findProfile(run.profile.id);
  const c = conformance(run);
  const title = `SAV FTTH conformance: ${VERDICT_TITLE[run.verdict]} — ${implementationText(run)}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${a(CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<meta name="generator" content="${a(`${run.tool.name} ${run.tool.version}`)}">`,
    `<title>${h(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(run, c),
    failedIndex(run),
    skippedSection(c),
    diagramSection(run, profile),
    coverageSection(run, profile),
    scenariosSection(run),
    '</main>',
    `<script>${JS}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function findProfile(id: string): Profile | undefined {
  try {
    return getProfile(id);
  } catch {
    return undefined;
  }
}

function header(run: RunResult, c: Conformance): string {
  const i = run.implementation;
  const t = run.totals;
  const n = scenarioCounts(run);
  const card = (label: string, x: Tally, note: string, advisory = false) => {
    const bad = x.failed + x.errors > 0;
    const cls = bad ? (advisory ? 'warn' : 'bad') : x.passed > 0 ? 'ok' : '';
    return (
      `<div class="card ${cls}"><h3>${label}</h3>` +
      `<div><strong>${x.passed}/${x.checks}</strong> passed · ${x.failed} failed · ${plural(x.errors, 'error')} · ${x.skipped} skipped</div>` +
      `<div class="mute">${note}</div></div>`
    );
  };
  return `<header class="verdict v-${a(run.verdict)}">
<h1>SAV FTTH conformance report</h1>
<div class="big">${h(VERDICT_TITLE[run.verdict])}</div>
<div class="level">${h(LEVEL_TITLE[c.level])}</div>
<div>${h(c.statement)}</div>
<div class="cards">
${card('Mandatory [spec]/[interop] rules', c.normative, 'Rules of the supplier specification and the public Interop schemas.')}
${card('Mandatory [decision] rules', c.decision, 'Choices of this project where nothing public exists (profile settings).')}
${card('Advisory checks', c.advisory, 'Warnings: reported, never fail the run.', true)}
${c.harness.checks > 0 ? harnessCard(c) : ''}
${c.skipped.length > 0 ? skippedCard(c) : ''}
</div>
</header>
<section>
<h2>Implementation under test</h2>
<dl class="meta">
<dt>Implementation</dt><dd>${h(implementationText(run))}</dd>
<dt>Role</dt><dd>${h(ROLE_TEXT[i.role] ?? i.role)}</dd>
<dt>Endpoint</dt><dd><code>${h(i.endpoint)}</code> (${h(i.kind)})</dd>
<dt>Profile</dt><dd>${h(`${run.profile.id} ${run.profile.version}`)}</dd>
<dt>Tool</dt><dd>${h(`${run.tool.name} ${run.tool.version}`)}</dd>
<dt>Run</dt><dd>${h(run.startedAt)} → ${h(run.finishedAt)} (${h(formatDuration(runDurationMs(run)))})</dd>
<dt>Report format</dt><dd>run result ${h(run.schemaVersion)}</dd>
</dl>
<h3>Totals</h3>
<table><tr><th class="n">scenarios passed</th><th class="n">scenarios skipped</th><th class="n">checks</th><th class="n">passed</th><th class="n">failed</th><th class="n">errors</th><th class="n">skipped</th><th class="n">mandatory failed</th></tr>
<tr><td class="n">${n.passed}/${n.ran}</td><td class="n">${n.skipped}</td><td class="n">${t.checks}</td><td class="n">${t.passed}</td><td class="n">${t.failed}</td><td class="n">${t.errors}</td><td class="n">${t.skipped}</td><td class="n">${t.mandatoryFailed}</td></tr></table>
${junitCountNotes(junitCountDifferences(run))
  .map((x) => `<p class="mute note">${h(x)}</p>`)
  .join('\n')}
</section>`;
}

function failedIndex(run: RunResult): string {
  const failed = allChecks(run).filter((r) => isFailing(r.check.verdict));
  if (failed.length === 0) return '<section><h2>Failed checks</h2><p>None.</p></section>';
  const rows = failed.map(
    ({ scenario, step, check, anchor }) =>
      `<tr><td>${badge(check.verdict)}${check.mandatory ? '' : ' <span class="mute">advisory</span>'}</td>` +
      `<td><a href="#${a(anchor)}">${h(check.title)}</a><div class="mute"><code>${h(scenario.id)}</code> · step ${stepNumber(step)}</div></td>` +
      `<td><code>${h(check.rule)}</code></td><td>${h(check.clause)}</td><td>${checkBasis(check)}</td>` +
      `<td>${h(check.expected ?? '')}</td><td>${h(check.actual ?? '')}</td></tr>`,
  );
  return `<section><h2>Failed checks (${failed.length})</h2>
<table><tr><th>verdict</th><th>check</th><th>rule</th><th>clause</th><th>basis</th><th>expected</th><th>actual</th></tr>
${rows.join('\n')}
</table></section>`;
}

function skippedSection(c: Conformance): string {
  if (c.skipped.length === 0) return '';
  const rows = c.skipped.map(
    ({ scenario, reason }) =>
      `<tr><td><code>${h(scenario.id)}</code></td><td>${h(scenario.title)}</td><td>${h(reason)}</td></tr>`,
  );
  return `<section><h2>Skipped scenarios (${c.skipped.length})</h2>
<p class="mute">Not run, each for its reason (the target lacks what it needs): neither a failure nor an incomplete run.</p>
<table><tr><th>scenario</th><th>title</th><th>why</th></tr>
${rows.join('\n')}
</table></section>`;
}

const LEGEND = (['passed', 'failed', 'covered', 'not-covered'] as const)
  .map(
    (s) =>
      `<span><svg width="34" height="10" aria-hidden="true"><line class="sw s-${s}" x1="1" y1="5" x2="33" y2="5"/></svg> ${h(COVERAGE_TITLE[s])}</span>`,
  )
  .join('');

function diagramSection(run: RunResult, profile: Profile | undefined): string {
  const body = profile
    ? `${stateDiagram(profile, run.coverage.transitions)}\n<div class="legend">${LEGEND}</div>`
    : `<p class="err">Profile ${h(run.profile.id)} is not known to this tool: the state diagram cannot be drawn.</p>`;
  return `<section><h2>State diagram and transition coverage</h2>\n${body}\n</section>`;
}

function coverageSection(run: RunResult, profile: Profile | undefined): string {
  const transitions = new Map(profile?.transitions.map((t) => [t.id, t]));
  const actions = new Map(profile?.actions.map((x) => [x.id, x]));
  const table = (
    label: string,
    items: CoverageItem[],
    extra: (item: CoverageItem) => string,
    extraHead: string,
  ) => {
    const n = countCoverage(items);
    const rows = items.map((item) => {
      const s = coverageStatus(item);
      return `<tr><td><code>${h(item.id)}</code></td><td>${h(item.title)}</td>${extraHead ? `<td>${extra(item)}</td>` : ''}<td class="cov ${s}">${h(COVERAGE_TITLE[s])}</td></tr>`;
    });
    const summary = `${label}: ${n.exercised}/${n.total} exercised (${percent(n.exercised, n.total)}), ${n.passed} passed, ${n.failed} failed`;
    return `<details class="covt"${items.length <= 40 ? ' open' : ''}><summary><strong>${h(summary)}</strong></summary>
<table><tr><th>id</th><th>title</th>${extraHead}<th>status</th></tr>
${rows.join('\n')}
</table></details>`;
  };
  const tr = (item: CoverageItem) => {
    const t = transitions.get(item.id);
    if (!t) return '';
    const to = t.to === 'unchanged' ? '(unchanged)' : t.to;
    return `${h(t.actor)} · ${h(t.from ? t.from.join(', ') : '—')} → ${h(to)} · ${basisTag(t.basis)}`;
  };
  const ac = (item: CoverageItem) => {
    const x = actions.get(item.id);
    return x
      ? `${h(x.catalogue)} · ${h(x.actor)} · ${h(x.transitions.join(', '))} · ${basisTag(x.basis)}`
      : '';
  };
  return `<section><h2>Coverage</h2>
${table('Transitions', run.coverage.transitions, tr, '<th>actor · from → to · basis</th>')}
${table('Actions', run.coverage.actions, ac, '<th>catalogue · actor · transitions · basis</th>')}
${table('Rules', run.coverage.rules, () => '', '')}
</section>`;
}

function scenariosSection(run: RunResult): string {
  const tags = sortedUnique(run.scenarios.flatMap((s) => s.tags));
  const rules = sortedUnique(allChecks(run).map((r) => r.check.rule));
  const option = (v: string) => `<option value="${a(v)}">${h(v)}</option>`;
  const filters = `<div class="filters" role="search">
<label><input type="checkbox" id="f-failed"> Failed only</label>
<label>Tag <select id="f-tag"><option value="">all tags</option>${tags.map(option).join('')}</select></label>
<label>Rule <select id="f-rule"><option value="">all rules</option>${rules.map(option).join('')}</select></label>
<button type="button" id="f-reset">Reset</button>
<span class="count" id="f-count" aria-live="polite"></span>
</div>`;
  const extra = bookkeeping(run).length;
  return `<section><h2>Scenarios (${realScenarios(run).length})${extra ? ` and ${extra === 1 ? 'checks' : `${extra} groups of checks`} outside them` : ''}</h2>
${filters}
${run.scenarios.map(scenarioHtml).join('\n')}
</section>`;
}

function scenarioHtml(s: ScenarioResult, pos: number): string {
  const failing = isFailing(s.verdict) || isIncomplete(s);
  const skipReason = scenarioSkipReason(s);
  const open = failing ? ' open data-open=""' : '';
  const tags = s.tags.map((t) => `<span class="tag">${h(t)}</span>`).join('');
  const checks = s.steps.reduce((n, st) => n + st.checks.length, 0);
  const marker = s.bookkeeping ? ' data-bookkeeping=""' : '';
  const warnings = advisoryFailures(s);
  const warn = warnings
    ? ` <span class="b warn" title="failed advisory checks: warnings, never a failure of the scenario">${h(plural(warnings, 'warning'))}</span>`
    : '';
  const note = s.bookkeeping
    ? ' <span class="mute">· not a scenario: checks made outside every scenario</span>'
    : '';
  return `<details class="sc" id="s-${pos}" data-tags="${a(JSON.stringify(s.tags))}" data-failing="${failing ? 1 : 0}"${marker}${open}>
<summary>${badge(s.verdict)}${warn} <code>${h(s.id)}</code> ${h(s.title)}${tags}${note} <span class="mute">· ${checks} checks · ${h(formatDuration(s.durationMs))}</span></summary>
<div class="sc-body">
<div class="mute">${h(s.file)}${s.clauses.length ? ` · clauses ${h(s.clauses.join(', '))}` : ''}</div>
${s.error !== undefined && isIncomplete(s) ? `<p class="err">Could not run to the end: ${h(s.error)}</p>` : ''}${skipReason !== undefined ? `<p class="mute">Skipped: ${h(skipReason)}</p>` : ''}
${s.steps.map((st) => stepHtml(st, pos)).join('\n')}
</div>
</details>`;
}

interface Exchange {
  id: string;
  evidence: Evidence;
  highlight: Set<string>;
  /** Used by a failing check: shown open. */
  failing: boolean;
  /** Highlighted names found in the request or the response (filled when rendered). */
  found: Set<string>;
}

/** Identical evidence (one request, several checks on its answer) is shown once per step. */
function exchangesOf(
  step: StepResult,
  pos: number,
): { list: Exchange[]; byCheck: Map<CheckResult, Exchange> } {
  const byKey = new Map<string, Exchange>();
  const byCheck = new Map<CheckResult, Exchange>();
  for (const check of step.checks) {
    const e = check.evidence;
    if (!e || (e.request === undefined && e.response === undefined && !e.notes?.length)) continue;
    const key = JSON.stringify([e.request, e.response, e.httpStatus, e.durationMs, e.notes]);
    let x = byKey.get(key);
    if (!x) {
      x = {
        id: `x-${pos}-${step.index}-${byKey.size}`,
        evidence: e,
        highlight: new Set(),
        failing: false,
        found: new Set(),
      };
      byKey.set(key, x);
    }
    if (isFailing(check.verdict)) {
      x.failing = true;
      if (e.highlight) x.highlight.add(e.highlight);
    }
    byCheck.set(check, x);
  }
  return { list: [...byKey.values()], byCheck };
}

function stepHtml(step: StepResult, pos: number): string {
  const { list, byCheck } = exchangesOf(step, pos);
  const kind = step.kind === step.action ? undefined : step.kind;
  const what = [step.actor, kind, step.transition, step.action]
    .filter(Boolean)
    .map((x) => h(x!))
    .join(' · ');
  const exchanges = list.map((x, i) => exchangeHtml(x, i));
  const rows = step.checks.map((check, ci) =>
    checkRows(check, checkAnchor(pos, step.index, ci), byCheck.get(check)),
  );
  return `<div class="step v-${a(step.verdict)}" data-v="${a(step.verdict)}">
<h4>Step ${stepNumber(step)} · ${what} — ${h(step.title)} ${badge(step.verdict)} <span class="mute">${h(formatDuration(step.durationMs))}</span></h4>
${rows.length ? `<table><tr><th>verdict</th><th>check</th><th>rule</th><th>clause</th><th>basis</th><th>message</th></tr>\n${rows.join('\n')}\n</table>` : '<p class="mute">No check.</p>'}
${exchanges.join('\n')}
</div>`;
}

function checkRows(check: CheckResult, anchor: string, exchange: Exchange | undefined): string {
  const row = `<tr class="ck v-${a(check.verdict)}" id="${a(anchor)}" data-v="${a(check.verdict)}" data-r="${a(check.rule)}"><td>${badge(check.verdict)}</td><td>${h(check.title)}${check.mandatory ? '' : ' <span class="mute">(advisory)</span>'}</td><td><code>${h(check.rule)}</code></td><td>${h(check.clause)}</td><td>${checkBasis(check)}</td><td>${h(check.message)}</td></tr>`;
  if (!isFailing(check.verdict)) return row;
  const dd = (label: string, value: string | undefined) =>
    value === undefined ? '' : `<dt>${label}</dt><dd>${h(value)}</dd>`;
  const hl = check.evidence?.highlight;
  const where = (name: string) =>
    exchange?.found.has(name)
      ? `, offending element <code>${h(name)}</code> highlighted`
      : `, offending element <code>${h(name)}</code> absent from the messages`;
  const evidence = exchange
    ? `<dt>Evidence</dt><dd><a href="#${a(exchange.id)}">exchange below</a>${hl ? where(hl) : ''}</dd>`
    : hl
      ? `<dt>Offending element</dt><dd><code>${h(hl)}</code></dd>`
      : '';
  return `${row}
<tr class="fd"><td colspan="6"><dl class="meta"><dt>Rule</dt><dd>${isHarnessError(check) ? `<code>${h(check.rule)}</code> · harness error: the scenario could not run to its end, no protocol rule was judged` : `<code>${h(check.rule)}</code> · ${h(check.clause)} · ${basisTag(check.basis)} · ${check.mandatory ? 'mandatory' : 'advisory'}${check.severity ? ` · ${h(check.severity)}` : ''}`}</dd>${dd('Expected', check.expected)}${dd('Actual', check.actual)}${evidence}</dl></td></tr>`;
}

function exchangeHtml(x: Exchange, i: number): string {
  const e = x.evidence;
  const meta = [
    e.httpStatus !== undefined ? `HTTP ${e.httpStatus}` : '',
    e.durationMs !== undefined ? formatDuration(e.durationMs) : '',
  ].filter(Boolean);
  const found = x.found;
  const block = (label: string, xml: string | undefined) => {
    if (xml === undefined) return '';
    const p = prettyXml(xml, x.highlight);
    for (const f of p.found) found.add(f);
    return `<div class="mute">${label}</div><div class="xml">${p.html}</div>${p.truncated ? '<div class="mute">Truncated: the full message is in run.json.</div>' : ''}`;
  };
  const req = block('Request', e.request);
  const res = block('Response', e.response);
  const missing = [...x.highlight].filter((n) => !found.has(n)).sort(compareIds);
  const notes = e.notes?.length ? `<ul>${e.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  return `<details class="ex" id="${a(x.id)}"${x.failing ? ' open' : ''}><summary>Exchange ${i + 1}${meta.length ? ` (${h(meta.join(', '))})` : ''}${x.highlight.size ? ` · offending: ${h([...x.highlight].sort(compareIds).join(', '))}` : ''}</summary>
${req}${res}${missing.length ? `<div class="mute">Not present in the messages: ${missing.map((m) => `<code>${h(m)}</code>`).join(', ')}.</div>` : ''}${notes}
</details>`;
}
