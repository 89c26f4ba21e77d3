/**
 * Variables in scenario strings: `${a.b.c}` is replaced by the value at that path in the scope,
 * `$${` is a literal `${`. A string that is exactly one variable keeps the value's type (a number
 * stays a number). An unknown variable is an error naming it and the names available.
 *
 * Scope of a scenario:
 * - `ticket.key`, `ticket.state`, `ticket.version`: the ticket the step acts on (default: last created)
 * - `steps.<id>.<name>`: from the answer of an earlier step with that id: troubleTicketKey, returnCode,
 *   returnLabel, httpStatus, faultcode, state, version, and every field of a ticket read back or pushed
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
