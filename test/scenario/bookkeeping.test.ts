/**
 * Role oi: requests of the OC under test that no step waited for are judged in a bookkeeping
 * "scenario" of the harness. Its checks stay visible (and count), but it is not a scenario: a user
 * who ran one scenario file sees one scenario in the totals of every report.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRun } from '../../src/cli/report.ts';
import { runCommand } from '../../src/cli/run.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { renderHtml, renderJson, renderJunit, renderMarkdown } from '../../src/reports/index.ts';
import type { RunEnv } from '../../src/scenario/environment.ts';
import { postSoap } from '../../src/scenario/http.ts';
import { loadCatalogue } from '../../src/scenario/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { runRole } from '../../src/scenario/runner.ts';
import { setupTarget } from '../../src/scenario/targets.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const FILE = 'scenarios/oi-role/push-unknown-key.yaml';

describe('checks outside every scenario (role oi, a request no step waited for)', () => {
  let env: RunEnv;
  let run: RunResult;

  beforeAll(async () => {
    env = await setupTarget(index, { role: 'oi' });
    const scenarios = loadCatalogue(index, { paths: [FILE] });
    // The OC under test reads a ticket on its own, outside every step.
    const stray = env.writer.getRequest(
      {
        troubleTicketKey: 'TT-999999',
        supplierID: env.oiSiren,
        serviceProviderID: env.accounts.default.siren,
      },
      env.accounts.default,
    );
    const x = await postSoap(env.oc!.front.serviceUrl, stray, {
      soapAction: 'getTroubleTicketByKey',
      timeoutMs: 5_000,
      maxBytes: index.settings.maxMessageBytes,
    });
    expect(x.httpStatus).toBe(200);
    run = await runRole(scenarios, env, { concurrency: 1 });
  }, 60_000);
  afterAll(() => env?.close());

  it('judges the request and keeps its checks in the results and the check totals', () => {
    const extra = run.scenarios.filter((s) => s.id === 'harness.unsolicited-requests');
    expect(extra).toHaveLength(1);
    expect(extra[0]!.bookkeeping).toBe(true);
    expect(extra[0]!.steps.map((s) => s.kind)).toEqual(['getTroubleTicketByKey']);
    const checks = run.scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks));
    expect(extra[0]!.steps[0]!.checks.length).toBeGreaterThan(0);
    expect(run.totals.checks).toBe(checks.length);
    expect(extra[0]!.verdict).toBe('pass');
    expect(run.verdict).toBe('pass');
  });

  it('counts only the scenario of the file that ran in the totals', () => {
    expect(run.totals).toMatchObject({ scenarios: 1, scenariosPassed: 1 });
  });

  it('every report shows one scenario, and the bookkeeping checks where they were', () => {
    expect(renderMarkdown(run)).toMatch(/^\| 1\/1 \| \d+ \|/m);
    const html = renderHtml(run);
    expect(html).toContain('<h2>Scenarios (1) and checks outside them</h2>');
    expect(html).toMatch(/<td class="n">1\/1<\/td>/);
    expect(html).toContain('<code>harness.unsolicited-requests</code>');
    const junit = renderJunit(run);
    expect(junit).toMatch(/<testsuite name="harness\.unsolicited-requests" tests="[1-9]/);
    expect(junit).toContain('<property name="bookkeeping" value="not a scenario');
  });

  it('run.json keeps the mark and reads back as a valid run result', () => {
    const loaded = parseRun(renderJson(run));
    expect(loaded.ok).toBe(true);
    if (loaded.ok) {
      expect(loaded.run.totals.scenarios).toBe(1);
      expect(loaded.run.scenarios.filter((s) => s.bookkeeping).map((s) => s.id)).toEqual([
        'harness.unsolicited-requests',
      ]);
    }
  });
});

describe('the console of `sav-ftth run --role oi --target` with a request outside every scenario', () => {
  it('prints the scenarios of the file, and the checks outside them on a line of their own', async () => {
    // An OC endpoint that answers nothing useful: only the console lines matter here.
    const oc = http.createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => oc.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(oc.address() as AddressInfo).port}/oc`;
    let serviceUrl = '';
    const out: string[] = [];
    try {
      const code = await runCommand(
        [
          FILE,
          '--role',
          'oi',
          '--target',
          endpoint,
          '--login',
          'oc-under-test',
          '--password',
          'pw',
          '--oc-siren',
          '380129866',
          '--timeout',
          '200',
          '--push-timeout',
          '1000',
          '--no-report',
        ],
        { out: (l) => out.push(l), err: () => {} },
        {
          tty: false,
          target: {
            announce: (line) => {
              serviceUrl = /OI service for the OC under test: (\S+)/.exec(line)?.[1] ?? serviceUrl;
            },
            // Asked to create, the "operator" has the OC read a ticket instead (without the supplierID
            // and serviceProviderID R9 requires): a request no step waits for, failing checks of its own.
            prompt: {
              ask: async () => {
                const stray = new MessageWriter(index).getRequest(
                  { troubleTicketKey: 'TT-999999' },
                  { login: 'oc-under-test', password: 'pw' },
                );
                await postSoap(serviceUrl, stray, {
                  soapAction: 'getTroubleTicketByKey',
                  timeoutMs: 5_000,
                  maxBytes: index.settings.maxMessageBytes,
                });
                return true;
              },
            },
          },
        },
      );
      expect(code).toBe(1);
    } finally {
      oc.closeAllConnections();
      await new Promise<void>((resolve) => oc.close(() => resolve()));
    }
    const text = out.join('\n');
    if (process.env.SHOW) console.log(text);
    expect(text).toMatch(/^ {2}scenarios 0\/1 passed; /m);
    expect(text).toMatch(
      /^ {2}outside the scenarios \(harness\.unsolicited-requests\): [1-9]\d* checks, [1-9]\d* failed or in error: FAIL$/m,
    );
  });
});
