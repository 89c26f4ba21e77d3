/**
 * The OI's intake checks on a new ticket (ERR01 unknown PTO — technicalId, else commercialId;
 * ERR04 another open ticket of the same OC on the same access, created before, whichever reference
 * each ticket named: the access is resolved through the inventory, see accessOf). They run right
 * after the create is answered and close the ticket with an `oi.rejection` (T6), pushed like any
 * OI action. A ticket whose checks did not run (process stopped) gets them at the next start.
 */
import type { TicketValue } from '../../src/soap/model.ts';
import type { Access } from '../store/types.ts';
import type { EngineContext } from './context.ts';

/** The access a new ticket names (technicalId and/or commercialId), resolved through the inventory. */
export const accessOf = (ctx: EngineContext, fields: TicketValue): Access =>
  ctx.inventory.resolve({
    technicalId: fields[ctx.f.technicalId] ?? null,
    commercialId: fields[ctx.f.commercialId] ?? null,
  });

/** The closure code the intake checks give a ticket on `access`, or undefined when it passes. */
export function intakeCode(
  ctx: EngineContext,
  access: Access,
  ocSiren: string,
  id: number,
): string | undefined {
  const b = ctx.behaviour();
  const refusals = ctx.index.profile.businessRefusals;
  if (!b.rejectUnknownPto && !b.rejectDuplicateAccess) return undefined;
  if (b.rejectUnknownPto && !ctx.inventory.knows(access)) return refusals.unknownProduct;
  if (b.rejectDuplicateAccess && ctx.store.findOpenOnAccess(ocSiren, access, id)) {
    return refusals.otherTicketOpen;
  }
  return undefined;
}

export interface IntakeDeps {
  ctx: EngineContext;
  /** Applies the rejection (the engine's R7 path); returns its refusal when the rules refuse it. */
  reject(key: string, closureCode: string): { returnCode: string; returnLabel?: string };
  warn(message: string): void;
  error(e: unknown): void;
}

/** The queue of tickets waiting for their intake checks, run together on the next turn. */
export class Intake {
  private readonly queue = new Set<string>();
  private tick: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly deps: IntakeDeps) {}

  add(key: string): void {
    if (this.closed) return;
    this.queue.add(key);
    this.tick ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.tick = undefined;
        try {
          const keys = [...this.queue];
          this.queue.clear();
          for (const k of keys) this.check(k);
        } finally {
          resolve();
        }
      });
    });
  }

  /** Resolves when the queued checks have run (undefined when none is queued). */
  get pending(): Promise<void> | undefined {
    return this.tick;
  }

  clear(): void {
    this.queue.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.tick) await this.tick;
  }

  private check(key: string): void {
    if (this.closed) return;
    const { ctx } = this.deps;
    try {
      ctx.store.transaction(() => {
        const rec = ctx.store.getTicket(key);
        if (!rec || rec.intakeDone) return;
        // Resolved again: a row written before the access was resolved holds only what the OC sent.
        const code = intakeCode(ctx, ctx.inventory.resolve(rec.access), rec.ocSiren, rec.id);
        const done = { ...rec, intakeDone: true };
        ctx.store.updateTicket(done, rec);
        if (!code) {
          ctx.schedule(done);
          return;
        }
        const r = this.deps.reject(key, code);
        if (r.returnCode !== ctx.codes.success)
          this.deps.warn(`intake rejection ${code} of ${key} refused: ${r.returnLabel}`);
      });
    } catch (e) {
      this.deps.error(e);
    }
  }
}
