/**
 * The HTML report in headless Chromium: it renders without console errors (a CSP violation is one),
 * loads nothing from the network, and its filters work. Skipped only when Chromium is absent
 * outside CI; in CI a missing browser fails the suite.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/reports/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { chromiumSkipReason, launchChromium } from './chromium.ts';
import { hostileRun, largeRun, loadSample } from './generate.ts';

const skip = chromiumSkipReason();
if (skip) console.warn(`[reports] ${skip}`);

describe.skipIf(skip !== undefined)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'sav-ftth-browser-'));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  interface Opened {
    page: Page;
    problems: string[];
    requests: string[];
    dialogs: string[];
  }

  async function open(run: RunResult, name: string): Promise<Opened> {
    const file = join(tmp, `${name}.html`);
    await writeFile(file, renderHtml(run));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return { page, problems, requests, dialogs };
  }

  /** Visible check rows as [verdict, rule] and the count line. */
  /** Visible check rows as [verdict, rule], visible scenario ids and the count line (the test has no DOM types). */
  const state = (page: Page) =>
    page.evaluate(`(() => {
      const rows = [...document.querySelectorAll('tr.ck')].filter((r) => r.checkVisibility());
      const scenarios = [...document.querySelectorAll('details.sc')].filter((s) => s.checkVisibility());
      return {
        rows: rows.map((r) => [r.dataset.v, r.dataset.r]),
        scenarios: scenarios.map((s) => s.querySelector('summary code').textContent),
        count: document.getElementById('f-count').textContent,
      };
    })()`) as Promise<{ rows: [string, string][]; scenarios: string[]; count: string }>;

  it('renders the sample run with failures without console errors or any request, and prints without filters', async () => {
    const run = loadSample();
    const { page, problems, requests } = await open(run, 'sample');
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await expect(page.locator('.big').textContent()).resolves.toBe('FAIL');
    await expect(page.locator('svg.diagram g.tr').count()).resolves.toBeGreaterThan(10);
    const s = await state(page);
    expect(s.count).toBe(`Showing 39 of 39 checks in 10 of 10 scenarios`);
    // Passed scenarios start collapsed, failed ones open.
    expect(s.rows.length).toBeLessThan(39);
    expect(s.rows.some(([v]) => v === 'fail')).toBe(true);
    // Printed: the verdict stays, the filters go.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.filters').isVisible()).resolves.toBe(false);
    await expect(page.locator('.big').isVisible()).resolves.toBe(true);
    // Printed: every collapsed <details> shows its content (scenarios, coverage tables).
    expect((await state(page)).rows.length).toBe(39);
    await page.close();
  });

  it('prints the content of every closed <details>, the rules coverage table included', async () => {
    const run = largeRun();
    // Over 40 rules: the rules coverage table starts closed.
    run.coverage.rules = Array.from({ length: 60 }, (_, i) => ({
      id: `R${i}`,
      title: `rule ${i}`,
      exercised: i % 2 === 0,
      passed: i % 2 === 0,
      failed: false,
    }));
    const { page } = await open(run, 'print');
    const hidden = () =>
      page.evaluate(`(() => [...new Set([...document.querySelectorAll('details:not([open]) > :not(summary)')]
        .filter((e) => !e.checkVisibility()).map((e) => e.closest('details').className))])()`) as Promise<
        string[]
      >;
    const closed = await hidden();
    expect(closed).toContain('covt');
    expect(closed).toContain('sc');
    await page.emulateMedia({ media: 'print' });
    await expect(hidden()).resolves.toEqual([]);
    await page.emulateMedia({ media: 'screen' });
    await expect(hidden()).resolves.toEqual(closed);
    await page.close();
  });

  it('filters: failed only, by tag, by rule, combined, reset', async () => {
    const run = loadSample();
    const failing = run.scenarios.flatMap((sc) =>
      sc.steps.flatMap((st) => st.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error')),
    );
    const { page, problems } = await open(run, 'filters');

    await page.getByLabel('Failed only').check();
    let s = await state(page);
    expect(s.rows).toHaveLength(failing.length);
    expect(s.rows.every(([v]) => v === 'fail' || v === 'error')).toBe(true);
    expect(s.count).toBe(`Showing ${failing.length} of 39 checks in 5 of 10 scenarios`);
    expect(s.scenarios).toEqual([
      'happy.full-cycle',
      'mandatory.oc.create.serviceProviderID',
      'push.cancellation-agreement',
      'siren.key.supplierID',
      'transition.illegal.T3-from-QUEUED',
    ]);

    await page.getByLabel('Failed only').uncheck();
    await page.selectOption('#f-tag', 'read');
    s = await state(page);
    expect(s.scenarios).toEqual(['auth.cross-oc', 'get.by-technicalId']);
    expect(s.rows).toHaveLength(4 + 5);

    await page.selectOption('#f-tag', '');
    await page.selectOption('#f-rule', 'RETURN.LABEL');
    s = await state(page);
    expect(s.rows).toEqual([
      ['pass', 'RETURN.LABEL'],
      ['fail', 'RETURN.LABEL'],
    ]);

    await page.getByLabel('Failed only').check();
    s = await state(page);
    expect(s.rows).toEqual([['fail', 'RETURN.LABEL']]);
    expect(s.scenarios).toEqual(['mandatory.oc.create.serviceProviderID']);

    await page.click('#f-reset');
    s = await state(page);
    expect(s.count).toBe('Showing 39 of 39 checks in 10 of 10 scenarios');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('counts scenarios without the checks the harness made outside them, and still filters those checks', async () => {
    const run = loadSample('sample-run-oi.json');
    const real = run.scenarios.length;
    const checks = run.scenarios.reduce(
      (n, sc) => n + sc.steps.reduce((m, st) => m + st.checks.length, 0),
      0,
    );
    const extra = structuredClone(run.scenarios[0]!);
    const withExtra: RunResult = {
      ...run,
      scenarios: [...run.scenarios, { ...extra, id: 'harness.unsolicited-requests', bookkeeping: true }],
    };
    const extraChecks = extra.steps.reduce((m, st) => m + st.checks.length, 0);
    const { page, problems } = await open(withExtra, 'bookkeeping');
    let s = await state(page);
    expect(s.count).toBe(
      `Showing ${checks + extraChecks} of ${checks + extraChecks} checks in ${real} of ${real} scenarios`,
    );
    expect(s.scenarios).toContain('harness.unsolicited-requests');
    await page.getByLabel('Failed only').check();
    s = await state(page);
    expect(s.count).toMatch(new RegExp(` of ${real} scenarios$`));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('takes a screenshot (to a temporary path)', async () => {
    const { page } = await open(loadSample(), 'shot');
    const path = join(tmp, 'report.png');
    await page.screenshot({ path, fullPage: false });
    const png = await readFile(path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
    await page.close();
  });

  it('runs no hostile script and raises no error on a run full of markup', async () => {
    const { page, problems, dialogs, requests } = await open(hostileRun(), 'hostile');
    await page.getByLabel('Failed only').check();
    await page.evaluate(`for (const d of document.querySelectorAll('details')) d.open = true;`);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await expect(page.locator('script').count()).resolves.toBe(1);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await page.close();
  });

  it('opens a 1,000-check run and filters it', async () => {
    const run = largeRun(1000);
    const { page, problems } = await open(run, 'large');
    await page.getByLabel('Failed only').check();
    const s = await state(page);
    expect(s.rows).toHaveLength(run.totals.failed);
    expect(problems).toEqual([]);
    await page.close();
  });
});
