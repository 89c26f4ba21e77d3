/**
 * The rule engine's public contract. Implementation modules live beside this file; consumers
 * (mock, scenarios, CLI) import only from here.
 */
export type { Demand, Finding, Severity } from './finding.ts';
export { luhnValid, luhnCheckDigit, sirenFrom, isSirenShape } from './siren.ts';
