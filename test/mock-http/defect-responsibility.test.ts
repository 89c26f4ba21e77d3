/**
 * oi.resolution through the control API: defectResponsibility follows the closure code (profile
 * setting defectResponsibilityByClosureCode), an explicit value wins; the setting is configurable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startMock } from '../../mock-server/index.ts';
import { inventoryAccess, type Mock, type OcClient, ocClientFor, oiAction } from './protocol.ts';

let mock: Mock;
let oc: OcClient;
let n = 0;

beforeAll(async () => {
  mock = await startMock({ settings: { defectResponsibilityByClosureCode: { RET05: 'OI' } } });
  oc = await ocClientFor(mock);
});
afterAll(() => mock.stop());

/** A new ticket of the first OC, taken in charge (OPENACTIVE). */
async function open(): Promise<string> {
  const r = await oc.create(oc.actionValue('oc.create', null, 0, inventoryAccess(mock, n++)));
  expect(r.returnCode).toBe('0');
  await mock.engine.settle();
  expect((await oiAction(mock, r.key!, 'oi.takeInCharge')).body.returnCode).toBe('0');
  return r.key!;
}

describe('POST /_control/tickets/:key/actions/oi.resolution', () => {
  it.each([
    ['STT03', {}, 'OC'],
    ['RET04', {}, 'TIERS'],
    ['RET01', {}, 'OI'],
    ['STT03', { defectResponsibility: 'OI' }, 'OI'],
    // configured: settings.defectResponsibilityByClosureCode.RET05
    ['RET05', {}, 'OI'],
    ['RET06', {}, 'TIERS'],
  ])('closure code %s with %j: defectResponsibility %s', async (code, extra, responsibility) => {
    const key = await open();
    const r = await oiAction(mock, key, 'oi.resolution', { troubleTicketClosureCode: code, ...extra });
    expect(r.status).toBe(200);
    expect(r.body.returnCode).toBe('0');
    expect(r.body.ticket?.fields).toMatchObject({
      troubleTicketClosureCode: code,
      defectResponsibility: responsibility,
    });
  });
});

describe('settings.defectResponsibilityByClosureCode', () => {
  const load = (map: unknown) => () =>
    loadConfig({
      env: {},
      overrides: { memory: true, settings: { defectResponsibilityByClosureCode: map } },
    });

  it('refuses a value outside the defectResponsibility list, naming the code and the list', () => {
    expect(load({ STT01: 'CLIENT' })).toThrow(
      /settings\.defectResponsibilityByClosureCode\.STT01: "CLIENT" must be one of OI, OC, TIERS/,
    );
  });

  it('refuses a code the profile does not have', () => {
    expect(load({ RET09: 'OI' })).toThrow(
      /settings\.defectResponsibilityByClosureCode\.RET09: "OI" is not a closure code of profile sav-ftth-2\.1/,
    );
  });

  it('refuses a value that is not a map', () => {
    expect(load('OC')).toThrow(/settings\.defectResponsibilityByClosureCode: "OC" must be a map of strings/);
  });
});
