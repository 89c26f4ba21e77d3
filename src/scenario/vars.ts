/**
 * Variables in scenario strings: `${a.b.c}` is replaced by the value at that path in the scope,
 * `$${` is a literal `${`. A string that is exactly one variable keeps the value's type (a number
 * stays a number). An unknown variable is an error naming it and the names available.
 *
 * Scope of a scenario:
 * - `ticket.key`, `ticket.state`, `ticket.version`: the ticket the step acts on (default: last created)
 * - `steps.<id>.<name>`: from the answer of an earlier step with that id (expect.ts flatten):
 *   troubleTicketKey, returnCode, returnLabel, httpStatus, faultcode, faultstring, action, attempts,
 *   and state, version and every field of a ticket read back or pushed
 * - `data.<field>`: the data sent by the create of the current ticket
 * - `vars.<name>`: values captured with `capture:`
 * - `config.ocSiren`, `config.oiSiren`, `config.otherOcSiren`, `config.login`, `config.password`
 * - `settings.<name>`: the profile's [decision] settings (e.g. `${settings.staleVersionField}`)
 */
export type Scope = Record<string, unknown>;

export class VariableError extends Error {
  override readonly name = 'VariableError';
}

const VAR = /\$\$\{|\$\{([^}]*)\}/g;

function lookup(scope: Scope, name: string): unknown {
  let cur: unknown = scope;
  const parts = name.trim().split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) {
      const known = cur !== null && typeof cur === 'object' ? Object.keys(cur as object) : [];
      const at = parts.slice(0, i).join('.') || '(scope)';
      throw new VariableError(
        `unknown variable \${${name}}: ${at} has no "${part}"${known.length ? ` (known: ${known.slice(0, 20).join(', ')})` : ''}`,
      );
    }
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined) throw new VariableError(`variable \${${name}} has no value yet`);
  return cur;
}

/** Replaces the variables of one string. */
export function interpolate(text: string, scope: Scope): string | number | boolean | null {
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) {
    const v = lookup(scope, whole[1]!);
    return typeof v === 'number' || typeof v === 'boolean' || v === null ? v : String(v);
  }
  return text.replace(VAR, (m, name: string | undefined) =>
    m === '$${' ? '${' : String(lookup(scope, name!)),
  );
}

/** Replaces variables in every string of a value (objects and arrays included). */
export function interpolateDeep<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') return interpolate(value, scope) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, scope)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateDeep(v, scope);
    return out as T;
  }
  return value;
}

/** In a {@link scopeShape}, a subtree whose names are only known at run time (any name is accepted). */
export const OPEN: unique symbol = Symbol('open');

/** What the scope of a step will hold, as far as the scenario file tells (names only). */
export type ScopeShape = { [name: string]: ScopeShape | typeof OPEN | true };

/**
 * The variables of a value (every string in it) checked against what its scope will hold: one
 * message per unknown variable, worded as at run time (an error here is a file error, found before
 * any request is sent).
 */
export function unknownVariables(value: unknown, shape: ScopeShape): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(VAR)) if (m[0] !== '$${') checkName(shape, m[1]!, out);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return [...new Set(out)];
}

const HINTS: Record<string, string> = {
  steps: ': only the id of an earlier step (its answer exists once it ran)',
  ticket: ': the ticket exists once a create step ran',
  data: ': the data of the ticket its create step sent (a profile field name)',
  vars: ': a name captured (capture:) by an earlier step',
};

function checkName(shape: ScopeShape, name: string, out: string[]): void {
  let cur: ScopeShape | typeof OPEN | true = shape;
  const parts = name.trim().split('.');
  for (let i = 0; i < parts.length; i++) {
    if (cur === OPEN) return;
    const part = parts[i]!;
    if (cur === true || !Object.hasOwn(cur, part)) {
      const known = cur === true ? [] : Object.keys(cur);
      const at = parts.slice(0, i).join('.') || '(scope)';
      out.push(
        `unknown variable \${${name}}: ${at} has no "${part}"${known.length ? ` (known: ${known.slice(0, 20).join(', ')})` : ' (known: none yet)'}${HINTS[at] ?? ''}`,
      );
      return;
    }
    cur = cur[part]!;
  }
}

/** The names of `config.*` (the run's accounts and parties; execute.ts fills them). */
export const CONFIG_NAMES = ['ocSiren', 'oiSiren', 'otherOcSiren', 'login', 'password'] as const;
export type ConfigScope = Record<(typeof CONFIG_NAMES)[number], string | null>;
