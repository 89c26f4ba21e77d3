/** reset() (control API POST /reset) stops the deliveries of the tickets it removes. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type LocalMockEngine,
  type ManualClock,
  manualClock,
  type PushTarget,
} from '../../mock-server/engine/index.ts';
import { engine, newTicket } from './helpers.ts';
import { type OcServer, type Script, startOc } from './oc-server.ts';

let e: LocalMockEngine | undefined;
let oc: OcServer | undefined;
afterEach(async () => {
  await e?.close();
  await oc?.close();
  e = undefined;
  oc = undefined;
});

const target = (url: string): PushTarget => ({
  url,
  login: 'oi-push',
  password: 'oi-push-secret',
  maxRetries: 5,
  backoffMs: 1_000,
  timeoutMs: 60_000,
});

/** An engine on a manual clock (backoff waits only end when told) pushing to a test OC. */
async function setup(script: Script): Promise<{ eng: LocalMockEngine; clock: ManualClock; key: string }> {
  oc = await startOc(script);
  const clock = manualClock();
  const eng = engine({ push: target(oc.url), clock });
  e = eng;
  const key = await newTicket(eng);
  expect((await eng.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
  return { eng, clock, key };
}

/** A new ticket after the reset: its action still reaches the OC. */
async function pushStillWorks(eng: LocalMockEngine): Promise<void> {
  const before = oc!.received.length;
  const key = await newTicket(eng);
  expect((await eng.triggerOiAction(key, 'oi.takeInCharge')).returnCode).toBe('0');
  await eng.settle();
  expect(oc!.received.slice(before).map((r) => r.ticket.troubleTicketKey)).toEqual([key]);
  expect(eng.deliveries().map((d) => [d.troubleTicketKey, d.status])).toEqual([[key, 'delivered']]);
}

describe('reset() and the deliveries under way', () => {
  it('a delivery waiting to be retried is never sent again after a reset', async () => {
    // The OC fails the first attempt, answers every later one.
    const { eng, clock, key } = await setup((n) =>
      n === 0 ? { status: 500 } : { status: 200, returnCode: '0' },
    );
    await vi.waitFor(() =>
      expect(eng.deliveries()).toMatchObject([
        { status: 'pending', attempts: 1, lastError: expect.stringContaining('HTTP 500') },
      ]),
    );
    expect(oc!.received.map((r) => r.ticket.troubleTicketKey)).toEqual([key]);
    eng.reset();
    clock.advance(60_000);
    await eng.settle();
    expect(oc!.received).toHaveLength(1);
    expect(eng.deliveries()).toEqual([]);
    await pushStillWorks(eng);
  });

  it('a delivery in flight is abandoned by a reset and not retried', async () => {
    // The OC never answers the first request.
    const { eng, clock } = await setup((n) => (n === 0 ? 'hang' : { status: 200, returnCode: '0' }));
    await vi.waitFor(() => expect(oc!.received).toHaveLength(1));
    eng.reset();
    await eng.settle();
    clock.advance(60_000);
    await eng.settle();
    expect(oc!.received).toHaveLength(1);
    expect(eng.deliveries()).toEqual([]);
    await pushStillWorks(eng);
  });
});
