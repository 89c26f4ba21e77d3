/**
 * The OI's automatic behaviour: one timer per open ticket for its next step (take in charge, plan,
 * resolve, answer a cancellation request), measured from the moment the ticket entered its current
 * stage. Timers are derived from the stored ticket, so after a restart they are simply recomputed.
 */
import type { ActionDef, ProfileIndex } from '../../src/profile/index.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import type { TicketRecord, TicketStore } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { engineFields } from './fields.ts';
import { transitionFor } from './lifecycle.ts';
import { isPlanned } from './oi-actions.ts';
import type { Behaviour } from './types.ts';

export interface Step {
  action: string;
  afterMs: number;
  fields?: TicketValue;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
  takeInChargeAfterMs: null,
  planAfterMs: null,
  resolveAfterMs: null,
  resolveWith: 'RET01',
  rejectUnknownPto: true,
  rejectDuplicateAccess: true,
  cancellationAnswer: 'none',
  cancellationAnswerAfterMs: 0,
};

export const hasTimedSteps = (b: Behaviour) =>
  b.takeInChargeAfterMs !== null ||
  b.planAfterMs !== null ||
  b.resolveAfterMs !== null ||
  b.cancellationAnswer !== 'none';

/** The next automatic step of a ticket under a behaviour, if any. */
export function nextStep(index: ProfileIndex, t: TicketRecord, b: Behaviour): Step | undefined {
  if (!t.open || !t.intakeDone) return undefined;
  const can = (id: string) => {
    const a: ActionDef | undefined = index.action.get(id);
    return (
      a !== undefined && index.activeActions.includes(a) && transitionFor(index, a, t.state) !== undefined
    );
  };
  if (b.takeInChargeAfterMs !== null && can('oi.takeInCharge')) {
    return { action: 'oi.takeInCharge', afterMs: b.takeInChargeAfterMs };
  }
  const planned = isPlanned(index, t.fields);
  if (b.planAfterMs !== null && !planned && can('oi.plan'))
    return { action: 'oi.plan', afterMs: b.planAfterMs };
  if (b.resolveAfterMs !== null && (planned || b.planAfterMs === null) && can('oi.resolution')) {
    return {
      action: 'oi.resolution',
      afterMs: b.resolveAfterMs,
      fields: { [engineFields(index).closureCode]: b.resolveWith },
    };
  }
  if (b.cancellationAnswer === 'agree' && can('oi.cancellationAgreement')) {
    return { action: 'oi.cancellationAgreement', afterMs: b.cancellationAnswerAfterMs };
  }
  if (b.cancellationAnswer === 'refuse' && can('oi.cancellationRefusal')) {
    return { action: 'oi.cancellationRefusal', afterMs: b.cancellationAnswerAfterMs };
  }
  return undefined;
}

/** The longest delay a Node timer keeps (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AutomationDeps {
  index: ProfileIndex;
  clock: Clock;
  store: TicketStore;
  behaviour: () => Behaviour;
  /** Performs the step; the engine reschedules the ticket after applying it. */
  run: (key: string, step: Step) => void;
}

export class Automation {
  private readonly timers = new Map<string, unknown>();
  private stopped = false;

  constructor(private readonly deps: AutomationDeps) {}

  /** (Re)computes the timer of one ticket. */
  schedule(t: TicketRecord): void {
    this.cancel(t.troubleTicketKey);
    if (this.stopped) return;
    const step = nextStep(this.deps.index, t, this.deps.behaviour());
    if (!step) return;
    this.arm(t.troubleTicketKey, step, Date.parse(t.stageAt) + step.afterMs);
  }

  /**
   * Runs the step at `dueAt`. A timer cannot wait longer than MAX_TIMER_MS (Node fires a longer one
   * at once), so a far step waits in hops.
   */
  private arm(key: string, step: Step, dueAt: number): void {
    const { clock } = this.deps;
    const delay = Math.max(0, dueAt - clock.now());
    const handle = clock.setTimeout(
      () => {
        this.timers.delete(key);
        if (this.stopped) return;
        if (delay > MAX_TIMER_MS) this.arm(key, step, dueAt);
        else this.deps.run(key, step);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.set(key, handle);
  }

  cancel(key: string): void {
    const h = this.timers.get(key);
    if (h !== undefined) {
      this.deps.clock.clearTimeout(h);
      this.timers.delete(key);
    }
  }

  /** Recomputes every open ticket's timer (after a restart or a behaviour change). */
  rescheduleAll(): void {
    this.clear();
    if (this.stopped || !hasTimedSteps(this.deps.behaviour())) return;
    for (const t of this.deps.store.openTickets()) this.schedule(t);
  }

  clear(): void {
    for (const h of this.timers.values()) this.deps.clock.clearTimeout(h);
    this.timers.clear();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
