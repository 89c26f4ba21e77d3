/** Validation of the automatic behaviour (config `behaviour`, control API `PUT /behaviour`). */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { EngineError } from './errors.ts';
import { closureCodesFor } from './lifecycle.ts';
import type { Behaviour } from './types.ts';

const nullableMs = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

/** Checks a behaviour; the message names the key and the problem. */
export function validateBehaviour(b: Behaviour, index: ProfileIndex): void {
  const bad = (key: keyof Behaviour, problem: string) => {
    throw new EngineError('invalid-argument', `behaviour.${key} ${problem}, got ${JSON.stringify(b[key])}`);
  };
  for (const k of ['takeInChargeAfterMs', 'planAfterMs', 'resolveAfterMs'] as const) {
    if (!nullableMs(b[k])) bad(k, 'must be a number of milliseconds ≥ 0 or null');
  }
  if (!nullableMs(b.cancellationAnswerAfterMs) || b.cancellationAnswerAfterMs === null) {
    bad('cancellationAnswerAfterMs', 'must be a number of milliseconds ≥ 0');
  }
  for (const k of ['rejectUnknownPto', 'rejectDuplicateAccess'] as const) {
    if (typeof b[k] !== 'boolean') bad(k, 'must be true or false');
  }
  if (!['agree', 'refuse', 'none'].includes(b.cancellationAnswer))
    bad('cancellationAnswer', 'must be agree, refuse or none');
  const resolution = index.action.get('oi.resolution');
  const t = resolution && index.transition.get(resolution.transitions[0]!);
  const allowed = t ? closureCodesFor(index, t) : [];
  if (!allowed.some((c) => c.code === b.resolveWith)) {
    bad('resolveWith', `must be a resolution closure code (${allowed.map((c) => c.code).join(', ')})`);
  }
}

/** A behaviour with `patch` applied, validated; unknown keys are refused by name. */
export function patchBehaviour(
  current: Behaviour,
  patch: Partial<Behaviour>,
  index: ProfileIndex,
): Behaviour {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (!(k in next)) {
      throw new EngineError(
        'invalid-argument',
        `behaviour.${k} is not a behaviour key (known: ${Object.keys(next).join(', ')})`,
      );
    }
    (next as Record<string, unknown>)[k] = v;
  }
  validateBehaviour(next, index);
  return next;
}
