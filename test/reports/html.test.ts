import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getProfile, type Profile } from '../../src/profile/index.ts';
import { renderHtml } from '../../src/reports/index.ts';
import { coverageStatus } from '../../src/reports/model.ts';
import { hostileRun, largeRun, loadSample } from './generate.ts';

const run = loadSample();
const html = renderHtml(run);
const profile = getProfile(run.profile.id);

const ALLOWED_TAGS = new Set(
  'html head meta title style body main header section div h1 h2 h3 h4 p dl dt dd table tr th td details summary span code a strong ul li label input select option button script svg defs marker path g rect text circle line'.split(
    ' ',
  ),
);
const TAG = /<\/?([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"<>]*")?)*)\s*\/?>/g;

/** The markup with the constant style and script blocks emptied. */
const markup = (page: string) =>
  page
    .replace(/<style>[\s\S]*?<\/style>/, '<style></style>')
    .replace(/<script>[\s\S]*?<\/script>/, '<script></script>');

describe('HTML report: self-contained and safe', () => {
  it('loads nothing from anywhere: no external element, source, link target or stylesheet import', () => {
    const m = markup(html);
    expect(m).not.toMatch(/<(link|img|iframe|object|embed|audio|video|source|base|form)\b/i);
    expect(m).not.toMatch(/\s(src|srcset|action|formaction|xlink:href)=/i);
    for (const [, target] of m.matchAll(/\shref="([^"]*)"/g)) expect(target).toMatch(/^#/);
    expect(html).not.toMatch(/@import|url\((?!#arrow-)/);
  });

  it('forbids the network and any script but its own through its Content-Security-Policy', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toMatch(/^default-src 'none';/);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = (s: string) => createHash('sha256').update(s).digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash(style)}'`);
    expect(csp).toContain(`script-src 'sha256-${hash(script)}'`);
  });

  it('escapes hostile text everywhere: every tag and attribute in the page is one the report writes', () => {
    const page = renderHtml(hostileRun());
    const m = markup(page).replace(/^<!DOCTYPE html>/, '');
    const tags = [...m.matchAll(TAG)];
    for (const [, name, attrs] of tags) {
      expect(ALLOWED_TAGS.has(name!.toLowerCase()), `tag <${name}>`).toBe(true);
      for (const [, attr] of attrs!.matchAll(/\s+([\w:-]+)(?:="[^"]*")?/g)) {
        expect(attr!.toLowerCase()).not.toMatch(/^on/);
      }
    }
    // Every "<" left once the report's own tags are removed is a bug: untrusted markup got through.
    expect(m.replace(TAG, '')).not.toContain('<');
    expect(page.match(/<script\b/g)).toHaveLength(1);
  });

  it('holds the hostile strings as text, not lost', () => {
    const page = renderHtml(hostileRun());
    expect(page).toContain(
      '&lt;script&gt;alert(\'xss\')&lt;/script&gt;&lt;img src=x onerror="alert(1)"&gt;]]&gt;&amp;amp;&lt;!--',
    );
  });
});

describe('HTML report: content', () => {
  it('puts the verdict and the conformance level first, mandatory [spec]/[interop] apart from [decision] rules', () => {
    const body = html.slice(html.indexOf('<main>'));
    const order = [
      '<div class="big">FAIL</div>',
      'Not conformant',
      'Mandatory [spec]/[interop] rules',
      'Mandatory [decision] rules',
      'Implementation under test',
      'Failed checks',
      'State diagram',
      'Coverage',
      'Scenarios',
    ];
    const positions = order.map((s) => body.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body).toContain('<strong>24/26</strong> passed · 1 failed · 0 errors · 1 skipped');
    expect(body).toContain('<strong>7/11</strong> passed · 3 failed · 1 error · 0 skipped');
  });

  it('draws every transition of the profile, once per source state, coloured by its coverage', () => {
    const svg = /<svg class="diagram"[\s\S]*?<\/svg>/.exec(html)![0];
    for (const t of profile.transitions) {
      const status = coverageStatus(run.coverage.transitions.find((c) => c.id === t.id));
      const edges = svg.match(new RegExp(`<g class="tr s-([a-z-]+)" data-t="${t.id}">`, 'g')) ?? [];
      expect(edges, t.id).toHaveLength(t.from?.length ?? 1);
      for (const e of edges) expect(e).toContain(`s-${status}"`);
    }
    for (const s of profile.states.filter((x) => !x.legacy)) expect(svg).toContain(`data-state="${s.name}"`);
    for (const s of profile.states.filter((x) => x.legacy))
      expect(svg).not.toContain(`data-state="${s.name}"`);
    expect(html).toMatch(/class="legend">.*passed.*failed.*covered \(no verdict\).*not covered/);
  });

  it('draws what the profile says, not a hard-coded diagram', () => {
    const custom: Profile = {
      ...profile,
      states: [...profile.states, { name: 'SUSPENDED', basis: 'decision', clause: 'test' }],
      transitions: [
        ...profile.transitions,
        {
          id: 'T99',
          from: ['OPENACTIVE'],
          to: 'SUSPENDED',
          actor: 'OI',
          description: 'X',
          title: 'Suspension',
          basis: 'decision',
          clause: 'test',
        },
      ],
    };
    const page = renderHtml(run, { profile: custom });
    expect(page).toContain('data-state="SUSPENDED"');
    expect(page).toContain('<g class="tr s-not-covered" data-t="T99">');
  });

  it('collapses passed scenarios and opens failed ones', () => {
    for (const s of run.scenarios) {
      const tag = new RegExp(
        `<details class="sc"[^>]*>\\n<summary><span class="b [a-z]+">[A-Z]+</span>(?: <span class="b warn"[^>]*>[^<]*</span>)? <code>${s.id.replace(/\./g, '\\.')}</code>`,
      );
      const open = html.match(
        new RegExp(
          `<details class="sc" id="s-\\d+" [^>]*>(?=\\n<summary><span class="b [a-z]+">[A-Z]+</span>(?: <span class="b warn"[^>]*>[^<]*</span>)? <code>${s.id.replace(/\./g, '\\.')}</code>)`,
        ),
      )![0];
      expect(html).toMatch(tag);
      expect(open.includes(' open'), s.id).toBe(s.verdict !== 'pass' && s.verdict !== 'skip');
    }
  });

  it('shows per failed check its rule, clause, basis, expected and actual values', () => {
    expect(html).toContain(
      '<dt>Rule</dt><dd><code>TRANSITION.LABEL</code> · §7 · <span class="basis decision">[decision]</span> · mandatory · error</dd><dt>Expected</dt><dd>troubleTicketState</dd><dt>Actual</dt><dd>lastUpdateVersionNumber : action impossible</dd>',
    );
  });

  it('pretty-prints the evidence and highlights the offending element, or says it is absent', () => {
    expect(html).toMatch(
      /<span class="l hl"> +<span class="t">&lt;cbe:returnLabel&gt;<\/span>lastUpdateVersionNumber : action impossible<span class="t">&lt;\/cbe:returnLabel&gt;<\/span><\/span>/,
    );
    expect(html).toContain('offending element <code>serviceRestoredTime</code> absent from the messages');
    expect(html).toContain('Not present in the messages: <code>serviceRestoredTime</code>.');
  });

  it('shows the exchange shared by several checks of a step once', () => {
    // The T9 resolution request (one exchange, three checks) is the only message holding defectLocalization.
    expect(html.match(/&lt;ftth:defectLocalization&gt;<\/span>PBO/g)).toHaveLength(1);
  });

  it('offers filters by failed, tag and rule, listing every tag and rule of the run', () => {
    expect(html).toContain('<input type="checkbox" id="f-failed"> Failed only');
    for (const tag of new Set(run.scenarios.flatMap((s) => s.tags)))
      expect(html).toContain(`<option value="${tag}">`);
    for (const s of run.scenarios)
      for (const st of s.steps)
        for (const c of st.checks) expect(html).toContain(`<option value="${c.rule}">`);
  });

  it('says so instead of crashing when the run names a profile this tool does not know', () => {
    const page = renderHtml({ ...run, profile: { id: 'sav-ftth-9.9', version: '9.9' } });
    expect(page).toContain(
      'Profile sav-ftth-9.9 is not known to this tool: the state diagram cannot be drawn.',
    );
  });

  it('stays under 5 MB for 1,000 checks, evidence not repeated', () => {
    const big = largeRun(1000);
    const page = renderHtml(big);
    expect(Buffer.byteLength(page)).toBeLessThan(5 * 1024 * 1024);
    const steps = big.scenarios.reduce((n, s) => n + s.steps.length, 0);
    expect(page.match(/<details class="ex"/g)).toHaveLength(steps);
    expect(page.match(/<tr class="ck /g)).toHaveLength(1000);
  });
});
