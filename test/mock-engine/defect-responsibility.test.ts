/**
 * oi.resolution: defectResponsibility follows the closure code (profile setting
 * defectResponsibilityByClosureCode), for an action asked in code and for the automatic resolution.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalMockEngine, manualClock } from '../../mock-server/engine/index.ts';
import { getProfile, indexProfile } from '../../src/profile/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { engine, newTicket } from './helpers.ts';
import { type OcServer, startOc } from './oc-server.ts';

let e: LocalMockEngine | undefined;
let oc: OcServer | undefined;
afterEach(async () => {
  await e?.close();
  await oc?.close();
  e = undefined;
  oc = undefined;
});

/** Takes a new ticket in charge, resolves it with these fields; returns the closed ticket's fields. */
async function resolve(eng: LocalMockEngine, fields: TicketValue): Promise<TicketValue> {
  const key = await newTicket(eng);
  expect((await eng.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
  const r = await eng.triggerOiAction(key, 'oi.resolution', fields);
  expect({ returnCode: r.returnCode, label: r.returnLabel }).toEqual({ returnCode: '0', label: undefined });
  const t = eng.getTicket(key)!.ticket;
  expect(t.state).toBe('CLOSED');
  return t.fields;
}

describe('oi.resolution: defectResponsibility by closure code', () => {
  it.each([
    ['RET01', 'OI'],
    ['RET03', 'OI'],
    ['RET04', 'TIERS'],
    ['RET06', 'TIERS'],
    ['STT01', 'OC'],
    ['STT03', 'OC'],
    ['ABS02', 'OC'],
    ['EXC02', 'OC'],
    ['EXC03', 'OI'],
  ])('%s is resolved with defectResponsibility %s', async (code, responsibility) => {
    e = engine();
    const fields = await resolve(e, { troubleTicketClosureCode: code });
    expect([fields.troubleTicketClosureCode, fields.defectResponsibility]).toEqual([code, responsibility]);
  });

  it('a defectResponsibility given with the action wins over the one the code implies', async () => {
    e = engine();
    const fields = await resolve(e, { troubleTicketClosureCode: 'STT03', defectResponsibility: 'TIERS' });
    expect(fields.defectResponsibility).toBe('TIERS');
  });

  it('the automatic resolution (resolveWith) pushes the responsibility of its code', async () => {
    oc = await startOc();
    const clock = manualClock();
    e = engine({
      clock,
      push: {
        url: oc.url,
        login: 'oi',
        password: 'oi-secret',
        maxRetries: 0,
        backoffMs: 1,
        timeoutMs: 5_000,
      },
      behaviour: { takeInChargeAfterMs: 10, resolveAfterMs: 10, resolveWith: 'STT01' },
    });
    const key = await newTicket(e);
    clock.advance(10);
    clock.advance(10);
    await e.settle();
    const resolution = oc.received.find((r) => r.ticket.description === 'CASE SOLVED NOTIFICATION');
    expect(resolution?.ticket).toMatchObject({
      troubleTicketKey: key,
      troubleTicketClosureCode: 'STT01',
      defectResponsibility: 'OC',
    });
  });

  it('a profile overriding the setting for one code keeps the profile value of the others', async () => {
    const index = indexProfile(
      getProfile(undefined, { defectResponsibilityByClosureCode: { STT01: 'TIERS' } }),
    );
    e = engine({ index });
    expect((await resolve(e, { troubleTicketClosureCode: 'STT01' })).defectResponsibility).toBe('TIERS');
    expect((await resolve(e, { troubleTicketClosureCode: 'ABS01' })).defectResponsibility).toBe('OC');
    expect((await resolve(e, { troubleTicketClosureCode: 'STT03' })).defectResponsibility).toBe('OC');
  });
});
