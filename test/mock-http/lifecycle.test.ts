/**
 * The life cycle over real sockets: the OC's actions (R6) with node-soap against the served WSDL,
 * the OI's (R7) through the control API. Transitions and illegal attempts are derived from the
 * profile, so a transition added to it is tested here with no new code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock } from '../../mock-server/index.ts';
import { closureLabel } from '../../src/profile/index.ts';
import {
  controlTicket,
  type Mock,
  OcClient,
  oiAction,
  pathsToStates,
  type Step,
  soapClient,
  transitionFrom,
} from './protocol.ts';

let mock: Mock;
let oc1: OcClient;
let oc2: OcClient;
let nextEntry = 0;

beforeAll(async () => {
  mock = await startMock({ inventory: { count: 400, seed: 11 } });
  const [a1, a2] = mock.accounts;
  oc1 = new OcClient(await soapClient(mock.wsdlUrl, mock.index, a1!), mock.index, a1!, mock.config.oiSiren);
  oc2 = new OcClient(await soapClient(mock.wsdlUrl, mock.index, a2!), mock.index, a2!, mock.config.oiSiren);
});
afterAll(() => mock.stop());

/** A PTO of the inventory no other test used (the OI closes a second ticket on one access). */
function freshAccess() {
  const e = mock.engine.inventory()[nextEntry++]!;
  return { technicalId: e.technicalId, commercialId: e.commercialId };
}

async function create(client = oc1, access = freshAccess()): Promise<string> {
  const r = await client.create(client.actionValue('oc.create', null, 0, access));
  expect(r, JSON.stringify(r)).toMatchObject({ returnCode: '0' });
  await mock.engine.settle();
  return r.key!;
}

const current = async (key: string) => (await controlTicket(mock, key)).ticket;

/** Performs one action (OC through SOAP, OI through the control API); returns the OC's answer or the control status. */
async function perform(key: string, step: Pick<Step, 'action'>, state: string, client = oc1) {
  const t = transitionFrom(mock.index, step.action, state);
  if (step.action.actor === 'OI') {
    const r = await oiAction(mock, key, step.action.id);
    return { returnCode: r.body.returnCode, returnLabel: r.body.returnLabel, status: r.status };
  }
  const { lastUpdateVersionNumber } = await current(key);
  const target = t ? (t.to === 'unchanged' ? state : t.to) : (step.action.fixed?.troubleTicketState ?? state);
  const r = await client.set(
    client.actionValue(step.action.id, key, lastUpdateVersionNumber, { troubleTicketState: target }),
  );
  await mock.engine.settle();
  return { returnCode: r.returnCode, returnLabel: r.returnLabel, status: 200 };
}

/** A new ticket brought to `state` along the profile's shortest path. */
async function ticketIn(state: string): Promise<string> {
  const key = await create();
  let at = (await current(key)).state;
  for (const step of pathsToStates(mock.index).get(state)!) {
    const r = await perform(key, step, at);
    expect(r.returnCode, `${step.action.id} towards ${state}: ${r.returnLabel}`).toBe('0');
    at = (await current(key)).state;
  }
  expect(at).toBe(state);
  return key;
}

const index = () => mock.index;
const reachable = () => [...pathsToStates(index()).keys()];

describe('every transition over sockets', () => {
  it('T1 creates a QUEUED ticket that get by key and get by technicalId return', async () => {
    const access = freshAccess();
    const created = await oc1.create(oc1.actionValue('oc.create', null, 0, access));
    expect(created.returnCode).toBe('0');
    expect(created.key).toMatch(/\S/);
    const byKey = await oc1.get({ troubleTicketKey: created.key! });
    expect(byKey).toMatchObject({ returnCode: '0', key: created.key });
    expect(byKey.ticket).toMatchObject({
      troubleTicketKey: created.key,
      troubleTicketState: 'QUEUED',
      lastUpdateVersionNumber: String(index().settings.initialVersionNumber),
      technicalId: access.technicalId,
    });
    const byPto = await oc1.get({ technicalId: access.technicalId });
    expect(byPto).toMatchObject({ returnCode: '0', key: created.key });
  });

  it('performs each R6/R7 action from each state its transitions allow', async () => {
    const done: string[] = [];
    for (const action of index().activeActions.filter((a) => a.operation === 'setTroubleTicketByValue')) {
      for (const state of reachable()) {
        const t = transitionFrom(index(), action, state);
        if (!t) continue;
        const key = await ticketIn(state);
        const before = await current(key);
        const r = await perform(key, { action }, state);
        expect(r.returnCode, `${action.id} (${t.id}) from ${state}: ${r.returnLabel}`).toBe('0');
        const after = await current(key);
        expect(after.state, `${action.id} (${t.id}) from ${state}`).toBe(t.to === 'unchanged' ? state : t.to);
        if (action.actor === 'OI')
          expect(after.lastUpdateVersionNumber).toBe(before.lastUpdateVersionNumber + 1);
        const code = after.fields.troubleTicketClosureCode;
        if (t.closureCodes && after.state !== state) {
          const closure = index().closure.get(code ?? '')!;
          expect(
            t.closureCodes.includes(closure.code) || t.closureCodes.includes(closure.family),
            `${t.id} closes with ${code}`,
          ).toBe(true);
          expect(after.fields.troubleTicketClosureLabel).toBe(closureLabel(closure));
          expect(after.fields.interactionDateComplete).toMatch(/^\d{4}-\d\d-\d\dT/);
        }
        const seen = await oc1.get({ troubleTicketKey: key });
        expect(seen.ticket?.troubleTicketState).toBe(after.state);
        done.push(t.id);
      }
    }
    const expected = index()
      .activeTransitions.filter((t) => t.from !== null)
      .map((t) => t.id);
    expect([...new Set(done)].sort()).toEqual([...expected].sort());
  });

  it('refuses each action in each state no transition allows, with returnCode 2 naming the state, and changes nothing', async () => {
    const field = index().settings.illegalTransitionField;
    const inState = new Map<string, string>();
    let tried = 0;
    for (const action of index().activeActions.filter((a) => a.operation === 'setTroubleTicketByValue')) {
      for (const state of reachable()) {
        if (transitionFrom(index(), action, state)) continue;
        if (!inState.has(state)) inState.set(state, await ticketIn(state));
        const key = inState.get(state)!;
        const before = await current(key);
        const r = await perform(key, { action }, state);
        expect(r.returnCode, `${action.id} from ${state}: ${r.returnLabel}`).toBe(
          index().profile.returnCodes.invalid,
        );
        expect(r.returnLabel?.startsWith(field), `${action.id} from ${state}: ${r.returnLabel}`).toBe(true);
        if (action.actor === 'OI') expect(r.status).toBe(422);
        const after = await current(key);
        expect([after.state, after.lastUpdateVersionNumber]).toEqual([
          before.state,
          before.lastUpdateVersionNumber,
        ]);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(10);
  });
});

describe('refusals over sockets', () => {
  it('refuses a stale lastUpdateVersionNumber with returnCode 2 naming it', async () => {
    const key = await ticketIn('OPENACTIVE');
    const { lastUpdateVersionNumber } = await current(key);
    expect(lastUpdateVersionNumber).toBeGreaterThan(1);
    const r = await oc1.set(
      oc1.actionValue('oc.information', key, lastUpdateVersionNumber - 1, {
        troubleTicketState: 'OPENACTIVE',
      }),
    );
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel?.startsWith(index().settings.staleVersionField)).toBe(true);
  });

  it('answers another OC’s key exactly like an unknown key, for get and set', async () => {
    const key = await create(oc1);
    const foreign = await oc2.get({ troubleTicketKey: key });
    const unknown = await oc2.get({ troubleTicketKey: 'TT-999999' });
    expect(foreign.returnCode).toBe('2');
    expect(foreign.returnLabel?.startsWith(index().settings.unknownKeyField)).toBe(true);
    expect(foreign.returnLabel?.replace(key, 'K')).toBe(unknown.returnLabel?.replace('TT-999999', 'K'));
    expect(foreign.ticket?.troubleTicketKey ?? null).toBeNull();
    const setForeign = await oc2.set(
      oc2.actionValue('oc.information', key, 1, { troubleTicketState: 'QUEUED' }),
    );
    const setUnknown = await oc2.set(
      oc2.actionValue('oc.information', 'TT-999999', 1, { troubleTicketState: 'QUEUED' }),
    );
    expect(setForeign.returnCode).toBe('2');
    expect(setForeign.returnLabel?.replace(key, 'K')).toBe(setUnknown.returnLabel?.replace('TT-999999', 'K'));
    expect((await current(key)).state).toBe('QUEUED');
  });

  it('rejects a PTO outside the inventory with ERR01, and a second open ticket on one access with ERR04', async () => {
    const outside = await oc1.create(
      oc1.actionValue('oc.create', null, 0, { technicalId: 'FI-0000-0000', commercialId: 'ACC-NOT-IN-PARC' }),
    );
    expect(outside.returnCode).toBe('0');
    await mock.engine.settle();
    expect((await current(outside.key!)).fields.troubleTicketClosureCode).toBe('ERR01');

    const access = freshAccess();
    const first = await create(oc1, access);
    const second = await create(oc1, access);
    const [a, b] = [await current(first), await current(second)];
    expect(a.state).toBe('QUEUED');
    expect([b.state, b.fields.troubleTicketClosureCode]).toEqual(['CLOSED', 'ERR04']);
    // Get by technicalId returns the open ticket first.
    expect((await oc1.get({ technicalId: access.technicalId })).key).toBe(first);
  });

  it('answers missing or wrong credentials with a SOAP Client fault', async () => {
    const anonymous = new OcClient(
      await soapClient(mock.wsdlUrl, index()),
      index(),
      mock.accounts[0]!,
      mock.config.oiSiren,
    );
    const wrong = new OcClient(
      await soapClient(mock.wsdlUrl, index(), {
        login: mock.accounts[0]!.login,
        password: 'not-the-password',
      }),
      index(),
      mock.accounts[0]!,
      mock.config.oiSiren,
    );
    for (const client of [anonymous, wrong]) {
      const error = await client.get({ troubleTicketKey: 'TT-000001' }).then(
        () => undefined,
        (e: { root?: { Envelope?: { Body?: { Fault?: { faultcode?: string } } } } }) => e,
      );
      expect(error?.root?.Envelope?.Body?.Fault?.faultcode).toMatch(/:Client$/);
    }
  });

  it('answers every meta operation of the WSDL; an unknown event type is a Client fault', async () => {
    for (const op of index().profile.operations.filter((o) => o.kind === 'meta')) {
      if (op.meta?.requestChild) {
        const error = await oc1.client[`${op.name}Async`]({ [op.meta.requestChild]: 'NoSuchEvent' }).then(
          () => undefined,
          (e: { root?: { Envelope?: { Body?: { Fault?: { faultcode?: string } } } } }) => e,
        );
        expect(error?.root?.Envelope?.Body?.Fault?.faultcode, op.name).toMatch(/:Client$/);
        continue;
      }
      const [result] = await oc1.client[`${op.name}Async`]({});
      expect(result, op.name).toBeDefined();
    }
  });
});
