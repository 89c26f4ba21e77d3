/**
 * `sav-ftth run --role oi --target <OC> --interactive`: the harness certifies a real OC, whose
 * operator performs each OC step when prompted. The OC here reads a ticket before changing it (§1:
 * it may poll with getTroubleTicketByKey) and sets exactly what the prompt says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import type { RunEnv } from '../../src/scenario/environment.ts';
import { postSoap } from '../../src/scenario/http.ts';
import { loadCatalogue } from '../../src/scenario/index.ts';
import type { RunResult, ScenarioResult } from '../../src/scenario/result.ts';
import { runRole } from '../../src/scenario/runner.ts';
import { setupTarget } from '../../src/scenario/targets.ts';
import { OC_ACCOUNT, type PromptedOc, promptedOc } from './prompted-oc.ts';

const index = defaultIndex();
const FILES = [
  'scenarios/lifecycle/t2-cancel-queued.yaml',
  'scenarios/lifecycle/t3-t10-cancellation-agreed.yaml',
  'scenarios/lifecycle/t1-create-appointment.yaml',
  'scenarios/lifecycle/t4-appointment-change.yaml',
];

const problems = (s: ScenarioResult | undefined) =>
  s?.steps.flatMap((st) =>
    st.checks.filter((c) => c.verdict !== 'pass').map((c) => `step ${st.index + 1} ${c.rule}: ${c.message}`),
  );

describe('role oi, a real OC performing the prompted OC steps', () => {
  let oc: PromptedOc;
  let env: RunEnv;
  let run: RunResult;
  const scenario = (id: string) => run.scenarios.find((s) => s.id === id);

  beforeAll(async () => {
    oc = await promptedOc();
    env = await setupTarget(index, {
      role: 'oi',
      target: oc.endpointUrl,
      login: OC_ACCOUNT.login,
      password: OC_ACCOUNT.password,
      ocSiren: OC_ACCOUNT.siren,
      prompt: oc.prompt,
      // Bounds a wait for a request the OC would not send (a defect), not the test's pace.
      requestTimeoutMs: 5_000,
    });
    oc.oiUrl = env.oc!.front.serviceUrl;
    oc.oiSiren = env.oiSiren;
    run = await runRole(loadCatalogue(index, { paths: FILES }), env, { concurrency: 1 });
  }, 60_000);
  afterAll(async () => {
    await env?.close();
    await oc?.close();
  });

  it('judges each read step on the read the OC made for it, not on a read it made before a change', () => {
    for (const id of ['lifecycle.t2-cancel-queued', 'lifecycle.t3-t10-cancellation-agreed'])
      expect(problems(scenario(id)), id).toEqual([]);
  });

  it('leaves the reads made before each change to the checks outside the scenarios', () => {
    const changes = oc.asked.filter((a) => / on ticket /.test(a)).length;
    expect(changes).toBeGreaterThan(0);
    const extra = scenario('harness.unsolicited-requests');
    expect(extra?.steps.map((s) => s.kind)).toEqual(Array(changes).fill('getTroubleTicketByKey'));
    expect(extra?.verdict).toBe('pass');
  });

  it('names in the prompt the values the scenario sets and checks, and the ticket', () => {
    const create = index.profile.actions.find((a) => a.id === 'oc.create')!;
    const change = index.profile.actions.find((a) => a.id === 'oc.appointmentChange')!;
    expect(oc.asked).toContain(
      `Make the OC under test perform: "${create.title}" (oc.create) with {"appointmentMode":"MANUEL","appointmentSuggestion2":"2030-01-15T09:00:00Z"}.`,
    );
    expect(oc.asked).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^Make the OC under test perform: "${change.title}" \\(oc\\.appointmentChange\\) on ticket TT-\\d+ with \\{"appointmentMode":"AUTO"\\}\\.$`,
          ),
        ),
      ]),
    );
    for (const id of ['lifecycle.t1-create-appointment', 'lifecycle.t4-appointment-change'])
      expect(problems(scenario(id)), id).toEqual([]);
  });

  it('takes, among the requests sent since the previous step ended, the latest that fits', async () => {
    const front = env.oc!.front;
    const read = () =>
      postSoap(
        front.serviceUrl,
        env.writer.getRequest(
          { troubleTicketKey: 'TT-424242', supplierID: env.oiSiren, serviceProviderID: OC_ACCOUNT.siren },
          OC_ACCOUNT,
        ),
        { soapAction: 'getTroubleTicketByKey', timeoutMs: 5_000, maxBytes: index.settings.maxMessageBytes },
      );
    const fits = (r: { key?: string | null }) => r.key === 'TT-424242';
    await read();
    const previousStepEnd = front.mark();
    await read();
    await read();
    const [before, first, second] = front.requests.filter(fits);
    expect(await front.waitRequest(fits, 1_000, previousStepEnd)).toBe(second);
    expect(await front.waitRequest(fits, 1_000, previousStepEnd)).toBe(first);
    expect(await front.waitRequest(fits, 10, previousStepEnd)).toBeUndefined();
    expect(front.unclaimed()).toContain(before);
  });
});

describe('role oi with --interactive: the OC push target is checked before the run', () => {
  it('exits 2 when nothing listens at --target, the operator is never asked', async () => {
    const { runCommand } = await import('../../src/cli/run.ts');
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as import('node:net').AddressInfo;
    await new Promise((r) => server.close(r));
    const url = `http://127.0.0.1:${port}/oc`;
    const err: string[] = [];
    const asked: string[] = [];
    const code = await runCommand(
      [
        '--role',
        'oi',
        '--target',
        url,
        '--login',
        'L',
        '--password',
        'P',
        '--oc-siren',
        OC_ACCOUNT.siren,
      ].concat(['--grep', 'lifecycle.t1-create', '--no-report']),
      { out: () => {}, err: (l) => err.push(l) },
      { tty: false, target: { prompt: { ask: async (t) => asked.push(t) > 0 } } },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(
      `--target ${url}: cannot connect (ECONNREFUSED); is the OC under test up`,
    );
    expect(asked).toEqual([]);
  });
});

describe('role oi with --interactive: an OC step the operator skips', () => {
  it('is filed as skipped, without waiting for a request of the OC', async () => {
    const oc = await promptedOc();
    const env = await setupTarget(index, {
      role: 'oi',
      target: oc.endpointUrl,
      login: OC_ACCOUNT.login,
      password: OC_ACCOUNT.password,
      ocSiren: OC_ACCOUNT.siren,
      prompt: { ask: async () => false },
      requestTimeoutMs: 5_000,
    });
    try {
      const run = await runRole(
        loadCatalogue(index, { paths: ['scenarios/lifecycle/t1-create.yaml'] }),
        env,
        {
          concurrency: 1,
        },
      );
      const [create] = run.scenarios.find((s) => s.id === 'lifecycle.t1-create')!.steps;
      expect(create!.checks.map((c) => [c.verdict, c.message])).toEqual([
        ['skip', expect.stringContaining('skipped by the operator: "')],
      ]);
    } finally {
      await env.close();
      await oc.close();
    }
  });
});
