/**
 * The committed `schema/` copy is exactly what the generator produces now: no field, limit, list or
 * operation can drift between the profile and the published WSDL/XSD. And `sav-ftth schema` writes
 * and checks such a directory.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaCommand } from '../../src/cli/schema.ts';
import { getProfile } from '../../src/profile/index.ts';
import { schemaSet } from '../../src/schema/files.ts';

const COMMITTED = resolve(import.meta.dirname, '../../schema');
const quiet = { out: () => {}, err: () => {} };
const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function tempDir() {
  const d = await mkdtemp(join(tmpdir(), 'sav-schema-'));
  tmp.push(d);
  return d;
}

describe('committed schema/ copy', () => {
  const set = schemaSet(getProfile());

  it('holds exactly the generated files', async () => {
    const present = (await readdir(COMMITTED)).filter((n) => /\.(wsdl|xsd)$/.test(n)).sort();
    expect(present).toEqual(set.files.map((f) => f.name).sort());
  });

  it.each(set.files.map((f) => [f.name, f.text] as const))(
    '%s is byte-identical to the generator output',
    async (name, text) => {
      const committed = await readFile(join(COMMITTED, name));
      expect(committed.equals(Buffer.from(text, 'utf8')), `${name} is stale: run \`sav-ftth schema\``).toBe(
        true,
      );
    },
  );
});

describe('sav-ftth schema', () => {
  it('writes the WSDL and every XSD, then --check passes on them', async () => {
    const dir = await tempDir();
    const lines: string[] = [];
    expect(await schemaCommand(['--out', dir], { out: (l) => lines.push(l), err: () => {} })).toBe(0);
    const set = schemaSet(getProfile());
    expect((await readdir(dir)).sort()).toEqual(set.files.map((f) => f.name).sort());
    expect(lines).toHaveLength(set.files.length);
    expect(await schemaCommand(['--out', dir, '--check'], quiet)).toBe(0);
  });

  it('--address sets soap:address', async () => {
    const dir = await tempDir();
    await schemaCommand(['--out', dir, '--address', 'https://oi.example.fr/sav'], quiet);
    const wsdl = await readFile(join(dir, schemaSet(getProfile()).wsdl.name), 'utf8');
    expect(wsdl).toContain('<soap:address location="https://oi.example.fr/sav"/>');
  });

  it('--check names a changed, a missing and an unexpected file and exits 1', async () => {
    const dir = await tempDir();
    await schemaCommand(['--out', dir], quiet);
    const [first, second] = schemaSet(getProfile()).xsds;
    await writeFile(join(dir, first!.name), `${first!.text}<!-- edited by hand -->\n`);
    await rm(join(dir, second!.name));
    await writeFile(join(dir, 'old.xsd'), '<x/>');
    const errors: string[] = [];
    expect(
      await schemaCommand(['--out', dir, '--check'], { out: () => {}, err: (l) => errors.push(l) }),
    ).toBe(1);
    const text = errors.join('\n');
    expect(text).toContain(`${first!.name}: differs from the generated file`);
    expect(text).toContain(`${second!.name}: missing`);
    expect(text).toContain('old.xsd: not generated');
  });

  it('refuses an unknown option or profile with exit code 2', async () => {
    expect(await schemaCommand(['--nope'], quiet)).toBe(2);
    expect(await schemaCommand(['--profile', 'sav-ftth-9.9'], quiet)).toBe(2);
  });
});
