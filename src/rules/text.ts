/** Builds findings with their French message: `field : explication (règle R, clause [basis])`. */
import type { Basis } from '../profile/index.ts';
import { shorten } from '../soap/errors.ts';
import type { Demand, Finding, Severity } from './finding.ts';

export interface Draft extends Basis {
  rule: string;
  severity: Severity;
  field?: string;
  /** What the message names when no field can be blamed: the element at fault (a meta operation's eventType). */
  element?: string;
  value?: string | null;
  /** French explanation; it names the value (see {@link q}). */
  explanation: string;
  /** Defaults: errors naming a field → 'invalid', errors naming none → 'fault', others → 'none'. */
  demand?: Demand;
  line?: number;
}

/** What a message says when no field can be blamed. */
export const NO_FIELD = 'message';

export function makeFinding(d: Draft): Finding {
  const demand = d.demand ?? (d.severity !== 'error' ? 'none' : d.field ? 'invalid' : 'fault');
  const f: Finding = {
    rule: d.rule,
    severity: d.severity,
    message: `${d.field ?? d.element ?? NO_FIELD} : ${d.explanation} (règle ${d.rule}, ${d.clause} [${d.basis}])`,
    explanation: d.explanation,
    basis: d.basis,
    clause: d.clause,
    demand,
  };
  if (d.field !== undefined) f.field = d.field;
  if (d.value !== undefined) f.value = d.value;
  if (d.line !== undefined) f.line = d.line;
  return f;
}

/** A received value as it appears in a message: « text » (shortened), or nil. */
export function q(v: string | null | undefined): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'nil (xsi:nil)';
  return `« ${shorten(v)} »`;
}

/** « a », « b » et « c » (lists of expected values, shortened when long). */
export function list(values: readonly string[], max = 8): string {
  const shown = values.slice(0, max).map((v) => `« ${v} »`);
  if (values.length > max) shown.push(`… (${values.length} valeurs)`);
  return shown.join(', ');
}

/** A printable ASCII character other than space: never trimmed by String.prototype.trim. */
export const isVisibleAscii = (c: number) => c > 32 && c < 127;

/** True when a value counts as given: present, not nil, not blank. */
export const isGiven = (v: string | null | undefined): v is string =>
  typeof v === 'string' && (isVisibleAscii(v.charCodeAt(0)) || v.trim() !== '');

/** v.trim(), without the call when both ends are visible ASCII (the usual value). */
export const trimmed = (v: string) =>
  isVisibleAscii(v.charCodeAt(0)) && isVisibleAscii(v.charCodeAt(v.length - 1)) ? v : v.trim();
