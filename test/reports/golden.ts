/** Golden files: compared byte for byte; `UPDATE_GOLDEN=1 npx vitest run test/reports` rewrites them. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(url: URL, actual: string): void {
  const path = fileURLToPath(url);
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path))
    throw new Error(`golden file ${path} is missing: run UPDATE_GOLDEN=1 npx vitest run test/reports`);
  const expected = readFileSync(path, 'utf8');
  // Compare as strings for a readable diff, then as bytes.
  expect(actual, `${path} differs (UPDATE_GOLDEN=1 to accept the change)`).toBe(expected);
  expect(Buffer.from(actual).equals(readFileSync(path))).toBe(true);
}
