/** The OI's automatic behaviour on an injected clock: take in charge, plan, resolve, answer cancellations. */
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalMockEngine, type ManualClock, manualClock } from '../../mock-server/engine/index.ts';
import { engine, newTicket, set, setValue } from './helpers.ts';

let e: LocalMockEngine;
let clock: ManualClock;
afterEach(() => e?.close());

const state = (key: string) => e.getTicket(key)!.ticket.state;

describe('automatic behaviour', () => {
  it('takes in charge, plans, then resolves with the configured code, each after its delay', async () => {
    clock = manualClock();
    e = engine({
      clock,
      behaviour: {
        takeInChargeAfterMs: 1_000,
        planAfterMs: 2_000,
        resolveAfterMs: 3_000,
        resolveWith: 'RET04',
      },
    });
    const key = await newTicket(e);
    clock.advance(999);
    expect(state(key)).toBe('QUEUED');
    clock.advance(1);
    expect(state(key)).toBe('OPENACTIVE');
    clock.advance(2_000);
    expect(e.getTicket(key)!.ticket.fields.supplierResolutionState).toBe('ACTION PLANIFIEE');
    clock.advance(2_999);
    expect(state(key)).toBe('OPENACTIVE');
    clock.advance(1);
    const t = e.getTicket(key)!.ticket;
    expect(t.state).toBe('CLOSED');
    expect(t.fields.troubleTicketClosureCode).toBe('RET04');
    expect(t.lastUpdateVersionNumber).toBe(4);
    expect(e.getTicket(key)!.history.map((h) => h.transition)).toEqual(['T1', 'T5', 'T7', 'T9']);
  });

  it.each([
    ['agree', 'CLOSED', 'T10'],
    ['refuse', 'OPENACTIVE', 'T11'],
  ] as const)('answers a cancellation request (%s)', async (answer, to, transition) => {
    clock = manualClock();
    e = engine({
      clock,
      behaviour: { takeInChargeAfterMs: 0, cancellationAnswer: answer, cancellationAnswerAfterMs: 500 },
    });
    const key = await newTicket(e);
    clock.advance(0);
    expect(state(key)).toBe('OPENACTIVE');
    expect(
      (await set(e, setValue(key, 'CASE CANCELATION REQUEST', 'OPENACTIVE.TO.BE.CANCELED', 2))).returnCode,
    ).toBe('0');
    clock.advance(499);
    expect(state(key)).toBe('OPENACTIVE.TO.BE.CANCELED');
    clock.advance(1);
    expect(state(key)).toBe(to);
    expect(e.getTicket(key)!.history.at(-1)!.transition).toBe(transition);
  });

  it('a behaviour set later applies to tickets already open', async () => {
    clock = manualClock();
    e = engine({ clock });
    const key = await newTicket(e);
    clock.advance(60_000);
    expect(state(key)).toBe('QUEUED');
    e.setBehaviour({ takeInChargeAfterMs: 100 });
    clock.advance(0);
    expect(state(key)).toBe('OPENACTIVE');
  });

  it('an OC cancellation in QUEUED stops the pending take in charge', async () => {
    clock = manualClock();
    e = engine({ clock, behaviour: { takeInChargeAfterMs: 1_000 } });
    const key = await newTicket(e);
    await set(e, setValue(key, 'CASE CANCELATION', 'CLOSED', 1));
    clock.advance(5_000);
    expect(e.getTicket(key)!.history.map((h) => h.transition)).toEqual(['T1', 'T2']);
  });

  it('refuses an invalid behaviour with a message naming the key', () => {
    e = engine();
    expect(() => e.setBehaviour({ resolveWith: 'ERR01' })).toThrow(/behaviour\.resolveWith/);
    expect(() => e.setBehaviour({ takeInChargeAfterMs: -1 })).toThrow(/behaviour\.takeInChargeAfterMs/);
    expect(() => e.setBehaviour({ nope: 1 } as never)).toThrow(/behaviour\.nope/);
    expect(e.behaviour().resolveWith).toBe('RET01');
  });
});
