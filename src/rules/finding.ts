/** A finding: one thing a rule noticed about a message, tied to its field, rule, basis and clause. */
import type { BasisKind } from '../profile/index.ts';

export type Severity = 'error' | 'warning' | 'info';

/**
 * The answer a finding demands from an OI (§9): returnCode 1 (missing field), returnCode 2 (wrong
 * value), a SOAP fault (nothing can be blamed), or none (warnings, information).
 */
export type Demand = 'missing' | 'invalid' | 'fault' | 'none';

export interface Finding {
  /** Stable rule id, e.g. `MANDATORY`, `FORMAT.LENGTH`, `LIST`, `SIREN.KEY`, `TRANSITION`. */
  rule: string;
  severity: Severity;
  /** Local name of the blamed field, when one can be blamed. */
  field?: string;
  /** The offending value as received (null for xsi:nil). */
  value?: string | null;
  /** French, names the field, the value, the rule and the clause: `field : explication (règle R, §n [basis])`. */
  message: string;
  /** The bare French explanation (what `message` says after `field : `, without the rule and clause). */
  explanation?: string;
  basis: BasisKind;
  clause: string;
  demand: Demand;
  /** Line in the message, when known. */
  line?: number;
}
