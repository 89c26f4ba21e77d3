/** Types of the rule engine's public contract (re-exported by index.ts). */
import type { ActionDef, TransitionDef } from '../profile/index.ts';
import type { Finding } from './finding.ts';

export interface RuleContext {
  /** Who sent the message: 'OC' (R6, to the OI) or 'OI' (R7, pushed to the OC). Inferred from the action when absent. */
  sender?: 'OC' | 'OI';
  /** The ticket as the receiver knows it (the mock knows it; a standalone file check does not). */
  current?: { state: string; lastUpdateVersionNumber: number };
}

export interface CheckOutcome {
  /** Every finding, errors and warnings, in field (schema) order. */
  findings: Finding[];
  /** The R6/R7 action the message was identified as. */
  action?: ActionDef;
  /** The transition it performs (when determinable). */
  transition?: TransitionDef;
  /** Who sent it: ctx.sender, else the identified action's actor. */
  sender?: 'OC' | 'OI';
}

export type Answer =
  | { kind: 'ok' }
  /** code '1' or '2'; label "field : explication" (§9). */
  | { kind: 'returnCode'; code: string; label: string; finding: Finding }
  | {
      kind: 'fault';
      faultcode: 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';
      faultstring: string;
      choice: string;
      finding?: Finding;
    };

export type FaultAnswer = Extract<Answer, { kind: 'fault' }>;
