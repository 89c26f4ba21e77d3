/**
 * Fault injection per operation (control API `PUT /faults`): the first rule matching the operation
 * (or `*`) applies; a rule with `times` is used up after that many requests.
 */
import { EngineError } from './errors.ts';
import type { FaultInjection } from './types.ts';

export class FaultInjector {
  private rules: FaultInjection[] = [];

  constructor(private readonly operations: string[]) {}

  list(): FaultInjection[] {
    return this.rules.map((r) => ({ ...r }));
  }

  set(rules: FaultInjection[]): void {
    rules.forEach((r, i) => {
      validate(r, i, this.operations);
    });
    this.rules = rules.filter((r) => r.times !== 0).map((r) => ({ ...r }));
  }

  /** The rule that applies to this request (consuming one use), if any. */
  take(operation: string | undefined): FaultInjection | undefined {
    const i = this.rules.findIndex((r) => r.operation === '*' || r.operation === operation);
    if (i < 0) return undefined;
    const rule = this.rules[i]!;
    if (rule.times !== undefined) {
      rule.times--;
      if (rule.times <= 0) this.rules.splice(i, 1);
    }
    return rule;
  }

  clear(): void {
    this.rules = [];
  }
}

function validate(r: FaultInjection, i: number, operations: string[]): void {
  const at = `faults[${i}]`;
  if (r.operation !== '*' && !operations.includes(r.operation)) {
    throw new EngineError(
      'invalid-argument',
      `${at}.operation must be "*" or one of ${operations.join(', ')}, got ${JSON.stringify(r.operation)}`,
    );
  }
  const nonNegative = (k: 'latencyMs' | 'times') => {
    const v = r[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 0))
      throw new EngineError('invalid-argument', `${at}.${k} must be an integer ≥ 0, got ${v}`);
  };
  nonNegative('latencyMs');
  nonNegative('times');
  if (r.soapFaultRate !== undefined && !(r.soapFaultRate >= 0 && r.soapFaultRate <= 1)) {
    throw new EngineError(
      'invalid-argument',
      `${at}.soapFaultRate must be between 0 and 1, got ${r.soapFaultRate}`,
    );
  }
  if (r.httpStatus !== undefined && r.httpStatus !== 500 && r.httpStatus !== 503) {
    throw new EngineError('invalid-argument', `${at}.httpStatus must be 500 or 503, got ${r.httpStatus}`);
  }
}
