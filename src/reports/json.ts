/**
 * Canonical run.json: the run in report order, keys in the order of the JSON Schema (which follows
 * result.ts), absent optional fields omitted, two-space indentation, one final newline. The same
 * run always gives the same bytes.
 */
import type { RunResult } from '../scenario/result.ts';
import { canonicalRun } from './model.ts';
import { runResultJsonSchema } from './run-result.zod.ts';

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema };

let schema: JsonSchema | undefined;

export function renderJson(run: RunResult): string {
  schema ??= runResultJsonSchema() as JsonSchema;
  return `${JSON.stringify(ordered(canonicalRun(run), schema), null, 2)}\n`;
}

/** Rebuilds objects with the schema's key order; keys the schema does not know go last, sorted. */
function ordered(value: unknown, s: JsonSchema | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, s?.items));
  if (value === null || typeof value !== 'object') return value;
  const src = value as Record<string, unknown>;
  const known = Object.keys(s?.properties ?? {});
  const extra = Object.keys(src)
    .filter((k) => !known.includes(k))
    .sort();
  const out: Record<string, unknown> = {};
  for (const k of [...known, ...extra]) {
    if (src[k] !== undefined) out[k] = ordered(src[k], s?.properties?.[k]);
  }
  return out;
}
