/**
 * Role oi: the pushes the harness forges itself (a `push:` step, an R7 action sent straight to the
 * OC under test) wait for the OC's answer up to `--push-timeout`, not `--timeout`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import type { Interceptor } from '../../src/scenario/targets.ts';

/** An OC endpoint that answers every push `delayMs` late (it forwards to the reference OC). */
const slowOc =
  (delayMs: number): Interceptor =>
  async (upstream) => {
    const timers = new Set<NodeJS.Timeout>();
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const timer = setTimeout(async () => {
          timers.delete(timer);
          const answer = await fetch(upstream, {
            method: 'POST',
            headers: { 'content-type': String(req.headers['content-type'] ?? 'text/xml; charset=utf-8') },
            body: Buffer.concat(chunks),
          }).catch(() => undefined);
          if (!answer) return void res.writeHead(502).end();
          res
            .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' })
            .end(await answer.text());
        }, delayMs);
        timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}${new URL(upstream).pathname}`,
      close: async () => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };

/** `sav-ftth run` of the one scenario whose only push is forged by the harness (no mock push). */
async function runForgedPush(timeouts: string[], delayMs: number): Promise<{ code: number; run: RunResult }> {
  const out: string[] = [];
  const code = await runCommand(
    ['scenarios/oi-role/push-unknown-key.yaml', '--role', 'oi', '--no-report', '--json', ...timeouts],
    { out: (l) => out.push(l), err: () => {} },
    { tty: false, target: { interceptOc: slowOc(delayMs) } },
  );
  const [run] = JSON.parse(out.join('\n')) as RunResult[];
  return { code, run: run! };
}

/** The `push:` step: the one step the harness plays as the OI. */
const pushStep = (run: RunResult) => run.scenarios[0]!.steps.find((s) => s.actor === 'OI')!;

describe('--push-timeout bounds the pushes the harness forges in role oi', () => {
  it('an OC answering after --push-timeout (but within --timeout) fails the push: no answer within the push timeout', async () => {
    const { code, run } = await runForgedPush(['--push-timeout', '200', '--timeout', '5000'], 800);
    expect(code).toBe(1);
    const answer = pushStep(run).checks.find((c) => c.rule === 'SOAP.ANSWER')!;
    expect(answer).toMatchObject({ verdict: 'fail', actual: 'no answer within 200 ms' });
  });

  it('an OC answering after --timeout (but within --push-timeout) passes: --timeout does not bound pushes', async () => {
    // --timeout also bounds the wait for the OC's create: kept well above what a loaded CI needs.
    const { code, run } = await runForgedPush(['--push-timeout', '8000', '--timeout', '1500'], 2500);
    expect(pushStep(run).checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    expect(code).toBe(0);
  });
});
