/**
 * Regenerates docs/report-screenshot.png: renders the sample run with failures
 * (test/fixtures/runs/sample-run.json) to HTML and photographs it in headless Chromium.
 *
 *   npx tsx scripts/screenshot-report.ts [--run <run.json>] [--out <file.png>] [--full-page]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseRun } from '../src/cli/report.ts';
import { renderHtml } from '../src/reports/index.ts';
import { CHROMIUM_PATH, launchChromium } from '../test/reports/chromium.ts';

const { values } = parseArgs({
  options: {
    run: { type: 'string', default: 'test/fixtures/runs/sample-run.json' },
    out: { type: 'string', default: 'docs/report-screenshot.png' },
    'full-page': { type: 'boolean', default: false },
  },
});

const loaded = parseRun(await readFile(values.run!, 'utf8'), values.run);
if (!loaded.ok) {
  console.error(loaded.errors.join('\n'));
  process.exit(2);
}
const dir = await mkdtemp(join(tmpdir(), 'sav-ftth-report-'));
const html = join(dir, 'report.html');
await writeFile(html, renderHtml(loaded.run));
const browser = await launchChromium().catch((e: Error) => {
  console.error(`cannot start ${CHROMIUM_PATH}: ${e.message}`);
  process.exit(2);
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1960 }, deviceScaleFactor: 1 });
  await page.goto(`file://${html}`);
  await page.screenshot({ path: values.out!, fullPage: values['full-page'] });
  console.log(`screenshot of ${values.run} written to ${values.out}`);
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
