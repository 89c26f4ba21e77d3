/**
 * The cross-site attack of the security probe, in headless Chromium: a page of another origin
 * (http://localhost:<port>) sends the requests a browser lets through without preflight (no-cors
 * fetch with a text/plain body, body-less POST, a text/plain form) to the mock's control API. The
 * mock refuses each (the browser shows the status to the test, not to the page) and changes nothing.
 * Skipped only when Chromium is absent outside CI.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../mock-server/http/start.ts';
import { chromiumSkipReason, launchChromium } from '../reports/chromium.ts';
import { FakeEngine, fakeTicket } from './fake-engine.ts';
import { startWith } from './helpers.ts';

const skip = chromiumSkipReason();
if (skip) console.warn(`[mock-http] ${skip}`);

describe.skipIf(skip !== undefined)('the control API against a page of another site', () => {
  const engine = new FakeEngine();
  let mock: RunningMock;
  let browser: Browser;
  let site: Server;
  let page = '';

  beforeAll(async () => {
    mock = await startWith(() => engine);
    site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    site?.close();
    await mock?.stop();
  });

  it('refuses the no-cors fetches and the text/plain form, and acts on no ticket', async () => {
    engine.tickets.set('K1', fakeTicket('K1'));
    const target = mock.controlUrl;
    page = `<!doctype html><html><body>
<form id="f" method="POST" action="${target}/tickets/K1/actions/oi.takeInCharge" enctype="text/plain" target="sink">
<input name='{"supplierName":"x","y":"' value='"}'></form><iframe name="sink"></iframe>
<script>
(async () => {
  await fetch('${target}/tickets/K1/actions/oi.takeInCharge', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
  await fetch('${target}/reset', { method: 'POST', mode: 'no-cors' });
  await fetch('${target}/faults', { method: 'PUT', mode: 'no-cors', body: '[]' }).catch(() => {});
  document.title = 'sent';
})();
</script></body></html>`;
    const tab = await browser.newPage();
    const statuses: string[] = [];
    tab.on('response', (r) => {
      if (r.url().startsWith(target))
        statuses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    try {
      const port = (site.address() as AddressInfo).port;
      await tab.goto(`http://localhost:${port}/`);
      await tab.waitForFunction('document.title === "sent"');
      const formAnswer = tab.waitForResponse(
        (r) => r.request().method() === 'POST' && r.url().includes('/actions/'),
      );
      await tab.evaluate('document.getElementById("f").submit()');
      await formAnswer;
    } finally {
      await tab.close();
    }
    // PUT is not a no-cors method: the browser refuses to send it at all.
    expect(statuses.sort()).toEqual([
      'POST /_control/reset 403',
      'POST /_control/tickets/K1/actions/oi.takeInCharge 403',
      'POST /_control/tickets/K1/actions/oi.takeInCharge 403',
    ]);
    expect(engine.actions).toEqual([]);
    expect(engine.resets).toBe(0);
    expect(engine.tickets.has('K1')).toBe(true);
  }, 30_000);
});
