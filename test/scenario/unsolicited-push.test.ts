/**
 * Role oc: an OI may push an action the harness did not ask for, e.g. a T8 information right after a
 * create (allowed from QUEUED at any time, §7). The harness acknowledges it, knows the version it
 * carries (§7: the OC sends back the last lastUpdateVersionNumber it knows on every set), and an
 * `oi` step still waits for the push of the action it triggered. A conforming OI doing this passes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PREFIX } from '../../mock-server/config/schema.ts';
import { runCatalogue } from '../../src/scenario/index.ts';
import type { CheckResult, RunResult, ScenarioResult } from '../../src/scenario/result.ts';
import type { Interceptor } from '../../src/scenario/targets.ts';

const CREATED = /createTroubleTicketByValueResponse>.*?troubleTicketKey>([^<]+)<.*?returnCode>0</s;

/**
 * An OI (the embedded mock behind this proxy) that pushes an unsolicited oi.information right after
 * answering each create, and forwards the OC's next request only once that push was delivered: the
 * push overtakes whatever the OC sends next (the set was built before the push arrived).
 */
const informsAfterCreate: Interceptor = async (upstream) => {
  const control = `${new URL(upstream).origin}${CONTROL_PREFIX}`;
  let gate: Promise<void> = Promise.resolve();
  const delivered = async (key: string) => {
    for (let i = 0; i < 500; i++) {
      const r = await fetch(`${control}/deliveries?key=${encodeURIComponent(key)}&status=delivered`);
      if (((await r.json()) as { count: number }).count > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      await gate;
      const answer = await fetch(upstream, {
        method: 'POST',
        headers: {
          'content-type': String(req.headers['content-type'] ?? 'text/xml; charset=utf-8'),
          ...(req.headers.soapaction ? { soapaction: String(req.headers.soapaction) } : {}),
        },
        body: Buffer.concat(chunks),
      });
      const text = await answer.text();
      res
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' })
        .end(text);
      const key = CREATED.exec(text)?.[1];
      if (!key) return;
      const pushed = fetch(`${control}/tickets/${encodeURIComponent(key)}/actions/oi.information`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messageType: 'INFO',
          messageContent: 'Nous avons bien reçu votre signalisation',
        }),
      }).then(() => delivered(key));
      gate = gate.then(() => pushed);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${new URL(upstream).pathname}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const SCENARIOS = [
  'lifecycle.t2-cancel-queued',
  'lifecycle.t5-t7-t8-t9-resolution',
  'oc-role.push-order',
  'oc-role.push-retry',
];

let run: RunResult;
beforeAll(async () => {
  const grep = `/^(${SCENARIOS.map((s) => s.replace(/\./g, '\\.')).join('|')})$/`;
  [run] = (await runCatalogue({ roles: ['oc'], interceptOi: informsAfterCreate, grep, concurrency: 2 })) as [
    RunResult,
  ];
}, 60_000);

const scenario = (id: string): ScenarioResult => run.scenarios.find((s) => s.id === id)!;
const checks = (s: ScenarioResult): CheckResult[] => s.steps.flatMap((st) => st.checks);
const failing = (s: ScenarioResult) =>
  checks(s)
    .filter((c) => c.verdict !== 'pass')
    .map((c) => `${c.rule}: ${c.message}`);

describe('role oc against an OI pushing an information nobody asked for after each create', () => {
  it('runs every selected scenario', () => {
    expect(run.scenarios.map((s) => s.id).sort()).toEqual([...SCENARIOS].sort());
  });

  it('an OC set overtaken by the push is refused as stale, then sent again with the pushed version: the cancel passes', () => {
    const s = scenario('lifecycle.t2-cancel-queued');
    expect(failing(s)).toEqual([]);
    const resent = checks(s).find((c) => c.rule === 'STALE_VERSION');
    expect(resent?.message).toMatch(/lastUpdateVersionNumber 1 as stale: it pushed version 2 meanwhile/);
  });

  it('an oi step waits for the push of its action; the information before it is acknowledged and judged', () => {
    const s = scenario('lifecycle.t5-t7-t8-t9-resolution');
    expect(failing(s)).toEqual([]);
    const take = s.steps.find((st) => st.action === 'oi.takeInCharge')!;
    const unasked = take.checks.find((c) => c.rule === 'PUSH.DELIVERY' && /non demandée/.test(c.title));
    expect(unasked?.title).toMatch(/oi\.information \(T8\)/);
    // Judged by the automatic checks against the state it was pushed in.
    expect(take.checks.filter((c) => c.rule === 'RULES').map((c) => c.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/identified as oi\.information/)]),
    );
    expect(take.checks.find((c) => c.rule === 'T5' && c.title.startsWith('action poussée'))?.verdict).toBe(
      'pass',
    );
  });

  it('the order and retry of the pushes the harness triggered are still judged on those pushes', () => {
    expect(failing(scenario('oc-role.push-order'))).toEqual([]);
    expect(failing(scenario('oc-role.push-retry'))).toEqual([]);
    expect(run.verdict).toBe('pass');
  });
});
