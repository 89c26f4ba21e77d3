/** Validation of the automatic behaviour (config `behaviour`, control API `PUT /behaviour`). */
import type { ProfileIndex } from '../../src/profile/index.ts';
import { EngineError } from './errors.ts';
import { closureCodesFor, removalReason, removedBySettings } from './lifecycle.ts';
import type { Behaviour } from './types.ts';

/** One problem of a behaviour: the key to blame and what is wrong with its value. */
export interface BehaviourProblem {
  key: keyof Behaviour;
  problem: string;
}

const nullableMs = (v: unknown) => v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 0);

/** The OI actions (R7) each behaviour key makes the mock perform on its own, with its current value. */
function automaticActions(b: Behaviour): { key: keyof Behaviour; action: string }[] {
  const out: { key: keyof Behaviour; action: string }[] = [];
  if (b.takeInChargeAfterMs !== null) out.push({ key: 'takeInChargeAfterMs', action: 'oi.takeInCharge' });
  if (b.planAfterMs !== null) out.push({ key: 'planAfterMs', action: 'oi.plan' });
  if (b.resolveAfterMs !== null) out.push({ key: 'resolveAfterMs', action: 'oi.resolution' });
  if (b.rejectUnknownPto) out.push({ key: 'rejectUnknownPto', action: 'oi.rejection' });
  if (b.rejectDuplicateAccess) out.push({ key: 'rejectDuplicateAccess', action: 'oi.rejection' });
  if (b.cancellationAnswer === 'agree')
    out.push({ key: 'cancellationAnswer', action: 'oi.cancellationAgreement' });
  if (b.cancellationAnswer === 'refuse')
    out.push({ key: 'cancellationAnswer', action: 'oi.cancellationRefusal' });
  return out;
}

/**
 * Behaviour keys asking for an action the profile's settings remove (a transition that exists
 * only under a [decision] setting, e.g. T11 under settings.cancellationRefusalAllowed): accepted
 * silently, the mock would never perform it and the tickets would wait in their state forever.
 */
function contradictions(b: Behaviour, index: ProfileIndex): BehaviourProblem[] {
  const problems: BehaviourProblem[] = [];
  for (const { key, action: id } of automaticActions(b)) {
    const action = index.action.get(id);
    if (!action) {
      problems.push({
        key,
        problem: `needs the OI action ${id}, which profile ${index.profile.id} does not define`,
      });
      continue;
    }
    if (index.activeActions.includes(action)) continue;
    for (const t of removedBySettings(index, action)) {
      problems.push({
        key,
        problem:
          `makes the OI perform ${id} (${t.id}, ${t.title}), but ${removalReason(index, t)}: ` +
          `tickets in ${(t.from ?? []).join(', ')} would stay there; ` +
          `change behaviour.${key} or set settings.${t.setting}: true`,
      });
    }
  }
  return problems;
}

/** Every problem of a behaviour under a profile (empty: valid). */
export function behaviourProblems(b: Behaviour, index: ProfileIndex): BehaviourProblem[] {
  const problems: BehaviourProblem[] = [];
  const bad = (key: keyof Behaviour, problem: string) => problems.push({ key, problem });
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
  if (problems.length === 0) problems.push(...contradictions(b, index));
  return problems;
}

/** Checks a behaviour; the message names the key, its value and the problem. */
export function validateBehaviour(b: Behaviour, index: ProfileIndex): void {
  const [first] = behaviourProblems(b, index);
  if (first) {
    throw new EngineError(
      'invalid-argument',
      `behaviour.${first.key}: ${JSON.stringify(b[first.key])} ${first.problem}`,
    );
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
