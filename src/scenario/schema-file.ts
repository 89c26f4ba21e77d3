/**
 * The JSON Schema of scenario files, committed at scenarios/scenario.schema.json for editors
 * (`# yaml-language-server: $schema=../scenario.schema.json`). Regenerate it after a change to the
 * scenario format or the profile: `npx tsx src/scenario/schema-file.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultIndex } from '../profile/index.ts';
import { DEFAULT_SCENARIO_DIR } from './load.ts';
import { scenarioJsonSchema } from './schema.ts';

export const SCENARIO_SCHEMA_FILE = path.join(DEFAULT_SCENARIO_DIR, 'scenario.schema.json');

/** The file's expected text: the export, pretty-printed, with a final newline. */
export function scenarioSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(defaultIndex()), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCENARIO_SCHEMA_FILE, scenarioSchemaText());
  console.log(`written ${SCENARIO_SCHEMA_FILE}`);
}
