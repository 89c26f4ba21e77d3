/**
 * `sav-ftth schema --check` says how to fix what it finds, and doing exactly that makes the next
 * check pass: `--out` with the same profile and address for stale or missing files, deleting the
 * files the generator does not write (which `--out` leaves in place).
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemaCommand } from '../../src/cli/schema.ts';
import { getProfile } from '../../src/profile/index.ts';
import { schemaSet } from '../../src/schema/files.ts';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function tempDir(prefix = 'sav-schema-check-') {
  const d = await mkdtemp(join(tmpdir(), prefix));
  tmp.push(d);
  return d;
}

async function schema(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await schemaCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Splits a command line as sh does for plain words, '…' quoted parts and backslash escapes. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/(?:[^\s'\\]+|\\.|'[^']*')+/g)].map((m) =>
    [...m[0].matchAll(/'([^']*)'|\\(.)|([^'\\]+)/g)].map((p) => p[1] ?? p[2] ?? p[3]).join(''),
  );
}

/** Does what the last line of a failed check says: the command it names, the files it says to delete. */
async function followAdvice(advice: string): Promise<void> {
  const run = /run `sav-ftth schema ([^`]+)`/.exec(advice);
  if (run) expect((await schema(shellWords(run[1]!))).code).toBe(0);
  const del = /delete (.+?) \(/.exec(advice);
  if (del) for (const path of del[1]!.split(', ')) await rm(path);
}

const set = schemaSet(getProfile());

describe('sav-ftth schema --check advice', () => {
  it('says to delete a stray file, naming it, and not to regenerate what is up to date', async () => {
    const dir = await tempDir();
    await schema(['--out', dir]);
    await writeFile(join(dir, 'extra.xsd'), '<x/>');
    const check = await schema(['--out', dir, '--check']);
    expect(check.code).toBe(1);
    expect(check.err).toEqual([
      `${join(dir, 'extra.xsd')}: not generated: delete it`,
      `${dir} is not up to date: delete ${join(dir, 'extra.xsd')} (the generator does not write it, and \`--out\` removes no file)`,
    ]);
    await followAdvice(check.err.at(-1)!);
    expect((await schema(['--out', dir, '--check'])).code).toBe(0);
  });

  it('leaves a stray file in place on --out (it deletes nothing it did not write)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'extra.xsd'), '<x/>');
    expect((await schema(['--out', dir])).code).toBe(0);
    expect(await readdir(dir)).toContain('extra.xsd');
  });

  it('leads to a passing check with a stale, a missing and two stray files', async () => {
    const dir = await tempDir();
    await schema(['--out', dir]);
    const [first, second] = set.xsds;
    await writeFile(join(dir, first!.name), `${first!.text}<!-- edited -->\n`);
    await rm(join(dir, second!.name));
    await writeFile(join(dir, 'old.xsd'), '<x/>');
    await writeFile(join(dir, 'old.wsdl'), '<x/>');
    await writeFile(join(dir, 'notes.txt'), 'kept: not a schema file');
    const check = await schema(['--out', dir, '--check']);
    expect(check.code).toBe(1);
    const advice = check.err.at(-1)!;
    expect(advice).toContain(`run \`sav-ftth schema --out ${dir}\`, then delete `);
    expect(advice).toContain(join(dir, 'old.xsd'));
    expect(advice).toContain(join(dir, 'old.wsdl'));
    await followAdvice(advice);
    expect((await schema(['--out', dir, '--check'])).code).toBe(0);
    expect(await readdir(dir)).toContain('notes.txt');
  });

  it('repeats --address and --profile in the command, else --out would write other files', async () => {
    const dir = await tempDir();
    await schema(['--out', dir]);
    const address = 'https://oi.example.fr/sav';
    const check = await schema(['--out', dir, '--check', '--address', address, '--profile', getProfile().id]);
    expect(check.code).toBe(1);
    expect(check.err.at(-1)).toBe(
      `${dir} is not up to date: run \`sav-ftth schema --out ${dir} --profile ${getProfile().id} --address ${address}\``,
    );
    await followAdvice(check.err.at(-1)!);
    expect((await schema(['--out', dir, '--check', '--address', address])).code).toBe(0);
  });

  it('quotes a directory with a space for the shell', async () => {
    const dir = join(await tempDir(), "my schema's copy");
    const check = await schema(['--out', dir, '--check']);
    expect(check.err).toEqual([
      `${join(dir, '')}: directory not found`,
      `${dir} is not up to date: run \`sav-ftth schema --out '${dir.replace("'", "'\\''")}'\``,
    ]);
    await followAdvice(check.err.at(-1)!);
    expect((await schema(['--out', dir, '--check'])).code).toBe(0);
  });

  it('does not advise --out where --out cannot write: the path is a file', async () => {
    const file = join(await tempDir(), 'schema');
    await writeFile(file, 'not a directory');
    const check = await schema(['--out', file, '--check']);
    expect(check.code).toBe(1);
    expect(check.err).toEqual([
      `${join(file, '')}: not a directory`,
      `${file} is not up to date: make ${file} a readable directory`,
    ]);
    const write = await schema(['--out', file]);
    expect(write.code).toBe(1);
    expect(write.err).toHaveLength(1);
    expect(write.err[0]).toMatch(new RegExp(`^sav-ftth schema: cannot write ${file}: (EEXIST|ENOTDIR)`));
  });
});
