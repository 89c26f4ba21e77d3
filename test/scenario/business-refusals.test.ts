/**
 * Role oc, §9 business refusals and §3 get by technicalId "open ones first": the OI answers a create
 * on a PTO outside its inventory, or on an access that already has an open ticket, with returnCode 0
 * and closes the ticket itself with ERR01 / ERR04 (T6 push). A conforming OI (our mock with its
 * default behaviour) passes the scenarios; an OI refusing synchronously, or reading "the newest"
 * instead of "open first", fails them. The embedded mock (no intake checks) skips them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { postSoap } from '../../src/scenario/http.ts';
import type { RunResult, ScenarioResult } from '../../src/scenario/result.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { cli } from '../cli.ts';
import { OC_A, OC_B, ocRoleArgs } from './two-ocs.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const { returnCodes, settings } = index.profile;

const ERR01 = 'oc-role.business-refusal-unknown-pto';
const ERR04 = 'oc-role.business-refusal-other-ticket-open';
const OPEN_FIRST = 'oc-role.get-by-technicalid-open-first';
const SELECTION = ['--grep', '/^oc-role\\.(business-refusal-.*|get-by-technicalid-open-first)$/'];

/** What the OI in front of the mock breaks. */
type Mode = 'none' | 'sync-err01' | 'newest-only';

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('role oc: business refusals are asynchronous (§9, T6), get by technicalId opens first (§3)', () => {
  const oc = OC_A;
  const other = OC_B;
  const push = { login: 'oi-push', password: 'oi-push-password' };
  let mock: Awaited<ReturnType<typeof startMock>>;
  let front: http.Server;
  let frontUrl: string;
  let callbackPort: number;
  let mode: Mode = 'none';

  /** The OI under test: the mock, with one defect per mode. */
  async function answer(
    body: string,
    soapAction: string | undefined,
  ): Promise<{ status: number; body: string }> {
    let sent = body;
    let msg: ReturnType<typeof readMessage> | undefined;
    try {
      msg = readMessage(body, index);
    } catch {
      msg = undefined;
    }
    if (mode === 'sync-err01' && msg?.body.kind === 'createRequest') {
      const pto = msg.body.ticket.technicalId;
      const known = new Set(mock.engine.inventory().map((e) => e.technicalId));
      if (typeof pto === 'string' && !known.has(pto)) {
        return {
          status: 200,
          body: writer.response('createTroubleTicketByValue', {
            troubleTicketKey: null,
            returnCode: returnCodes.invalid,
            returnLabel: 'technicalId : PTO absente du parc',
          }),
        };
      }
    }
    if (mode === 'newest-only' && msg?.body.kind === 'getRequest' && msg.body.get.technicalId) {
      const { technicalId, serviceProviderID } = msg.body.get;
      const [newest] = mock.engine.listTickets({
        technicalId,
        ...(serviceProviderID ? { ocSiren: serviceProviderID } : {}),
        limit: 1,
      });
      if (newest) {
        sent = writer.getRequest(
          { troubleTicketKey: newest.troubleTicketKey, supplierID: mock.config.oiSiren, serviceProviderID },
          /LoginName>oc-b</.test(body) ? other : oc,
        );
      }
    }
    const x = await postSoap(mock.url, sent, {
      timeoutMs: 10_000,
      maxBytes: settings.maxMessageBytes,
      ...(soapAction ? { soapAction } : {}),
    });
    return { status: x.httpStatus ?? 502, body: x.response ?? '' };
  }

  beforeAll(async () => {
    callbackPort = await freePort();
    mock = await startMock({
      accounts: [oc, other],
      push: { url: `http://127.0.0.1:${callbackPort}/push`, ...push, maxRetries: 3, backoffMs: 10 },
    });
    // Default behaviour: the intake checks of a conforming OI.
    expect(mock.engine.behaviour()).toMatchObject({ rejectUnknownPto: true, rejectDuplicateAccess: true });
    front = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const a = req.headers.soapaction;
        const out = await answer(
          Buffer.concat(chunks).toString('utf8'),
          typeof a === 'string' ? a : undefined,
        );
        res.writeHead(out.status, { 'content-type': 'text/xml; charset=utf-8' }).end(out.body);
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}${new URL(mock.url).pathname}`;
  });
  afterAll(async () => {
    front?.closeAllConnections();
    await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
    await mock?.stop();
  });

  async function run(m: Mode, extra: string[] = []): Promise<Map<string, ScenarioResult>> {
    mode = m;
    mock.engine.reset();
    const r = await cli([
      'run',
      ...ocRoleArgs(frontUrl, mock.config.oiSiren),
      '--control-url',
      mock.controlUrl,
      '--callback-port',
      String(callbackPort),
      '--push-login',
      push.login,
      '--push-password',
      push.password,
      '--no-report',
      '--json',
      ...SELECTION,
      ...extra,
    ]);
    expect(r.out, `no run result: ${r.err}`).not.toBe('');
    const [result] = JSON.parse(r.out) as RunResult[];
    return new Map(result!.scenarios.map((s) => [s.id, s]));
  }

  const failing = (s: ScenarioResult | undefined) =>
    (s?.steps ?? []).flatMap((st) => st.checks.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skip'));

  it('a conforming OI passes: returnCode 0, then ERR01 / ERR04 pushed; get by PTO answers the older open ticket', async () => {
    const s = await run('none');
    expect([...s.keys()].sort()).toEqual([ERR04, ERR01, OPEN_FIRST].sort());
    for (const id of [ERR01, ERR04, OPEN_FIRST])
      expect({ id, failing: failing(s.get(id)) }).toEqual({ id, failing: [] });
    for (const id of [ERR01, ERR04, OPEN_FIRST]) expect(s.get(id)!.verdict).toBe('pass');
    await mock.engine.settle();
    const codes = mock.engine
      .listTickets({ limit: 100 })
      .map((t) => t.fields.troubleTicketClosureCode)
      .filter(Boolean)
      .sort();
    expect(codes).toEqual(['ERR01', 'ERR04', 'ERR04']);
  });

  it('an OI refusing a PTO outside its inventory synchronously (returnCode 2) fails the ERR01 scenario', async () => {
    const s = await run('sync-err01');
    expect(s.get(ERR01)!.verdict).not.toBe('pass');
    const [first] = failing(s.get(ERR01));
    expect(first).toMatchObject({ rule: 'T1', verdict: 'fail' });
    expect(first!.message).toMatch(/expected returnCode 0, got returnCode 2/);
    expect(first!.message).toContain('technicalId : PTO absente du parc');
    // The other scenarios name accesses of the inventory: untouched by this defect.
    expect(s.get(ERR04)!.verdict).toBe('pass');
    expect(s.get(OPEN_FIRST)!.verdict).toBe('pass');
  });

  it('an OI answering the newest ticket of a PTO (not the open one first) fails GET_BY_TECHNICALID.OPEN_FIRST, a [decision] of §3', async () => {
    const s = await run('newest-only');
    const scenario = s.get(OPEN_FIRST)!;
    expect(scenario.verdict).toBe('fail');
    const failed = failing(scenario);
    const openFirst = failed.filter((c) => c.rule === 'GET_BY_TECHNICALID.OPEN_FIRST');
    expect(openFirst.length).toBeGreaterThan(0);
    expect(openFirst[0]!.message).toMatch(/expected ticket \S+, got \S+/);
    expect(openFirst[0]).toMatchObject({ clause: '§3', basis: 'decision' });
    // Reading by technicalId itself ([spec]) is not what this OI gets wrong.
    expect(failed.filter((c) => c.rule === 'GET_BY_TECHNICALID')).toEqual([]);
    expect(s.get(ERR01)!.verdict).toBe('pass');
  });

  it('the embedded mock (no intake checks) skips them, naming the capability they need', async () => {
    const r = await cli(['run', '--role', 'oc', '--no-report', '--json', ...SELECTION]);
    expect(r.out, `no run result: ${r.err}`).not.toBe('');
    const [result] = JSON.parse(r.out) as RunResult[];
    // Skipped with its reason, not an error; a run of skipped scenarios only assessed nothing.
    expect(result!.scenarios.map((s) => [s.id, s.verdict, s.skipReason, s.error]).sort()).toEqual(
      [ERR01, ERR04, OPEN_FIRST]
        .sort()
        .map((id) => [id, 'skip', expect.stringMatching(/^needs business-refusals/), undefined]),
    );
    expect(result!.totals).toMatchObject({ scenarios: 3, scenariosSkipped: 3, checks: 0 });
    expect(result!.verdict).toBe('not-assessed');
    expect(r.code).toBe(2);
  });
});
