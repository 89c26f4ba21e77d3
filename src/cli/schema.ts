/**
 * `sav-ftth schema [--out dir] [--address url] [--profile id] [--check]`: writes the profile's WSDL
 * and XSDs (the committed copy lives in `schema/`), or checks that a directory holds exactly them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILE_ID, getProfile } from '../profile/index.ts';
import { schemaSet } from '../schema/files.ts';

export const SCHEMA_USAGE = `Usage: sav-ftth schema [options]

Writes the protocol profile's WSDL and XSD files (generated from the profile).

Options:
  --out <dir>       output directory (default: schema)
  --address <url>   soap:address written in the WSDL (default: http://localhost<service path>)
  --profile <id>    protocol profile (default: ${DEFAULT_PROFILE_ID})
  --check           write nothing; exit 1 if <dir> does not hold exactly the generated files
  -h, --help        show this help
`;

export interface SchemaCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: SchemaCommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Runs the command; returns the exit code (0 ok, 1 check failed or a file not written, 2 usage error). */
export async function schemaCommand(argv: string[], io: SchemaCommandIo = consoleIo): Promise<number> {
  let values: { out?: string; address?: string; profile?: string; check?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        address: { type: 'string' },
        profile: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    io.err(`sav-ftth schema: ${(e as Error).message}`);
    io.err(SCHEMA_USAGE);
    return 2;
  }
  if (values.help) {
    io.out(SCHEMA_USAGE);
    return 0;
  }
  let profile: ReturnType<typeof getProfile>;
  try {
    profile = getProfile(values.profile ?? DEFAULT_PROFILE_ID);
  } catch (e) {
    io.err(`sav-ftth schema: ${(e as Error).message}`);
    return 2;
  }
  const dir = values.out ?? 'schema';
  const set = schemaSet(profile, values.address ? { address: values.address } : {});

  if (values.check) {
    const problems = await checkDir(dir, set.files);
    for (const p of problems) io.err(`${join(dir, p.file)}: ${p.problem}`);
    if (problems.length > 0) {
      io.err(`${dir} is not up to date: ${checkAdvice(dir, problems, values)}`);
      return 1;
    }
    io.out(`${dir}: ${set.files.length} files up to date (profile ${profile.id})`);
    return 0;
  }
  let target = dir;
  try {
    await mkdir(dir, { recursive: true });
    for (const f of set.files) {
      target = join(dir, f.name);
      await writeFile(target, f.text, 'utf8');
      io.out(target);
    }
  } catch (e) {
    io.err(`sav-ftth schema: cannot write ${target}: ${(e as Error).message}`);
    return 1;
  }
  return 0;
}

/** What makes a directory pass `--check`: regenerating it, deleting strays, or a human look. */
export type CheckFix = 'generate' | 'delete' | 'inspect';

/** A word the shell reads as itself, quoted only when it must be. */
const shellWord = (s: string) => (/^[\w./:@%+=,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/**
 * The advice that makes the next `--check` pass: the same command with `--out` (same profile and
 * address, else it writes other files), and the deletion of the strays, which `--out` leaves.
 */
export function checkAdvice(
  dir: string,
  problems: { file: string; fix: CheckFix }[],
  options: { profile?: string; address?: string },
): string {
  const steps: string[] = [];
  if (problems.some((p) => p.fix === 'generate')) {
    const args = ['--out', dir];
    if (options.profile !== undefined) args.push('--profile', options.profile);
    if (options.address) args.push('--address', options.address);
    steps.push(`run \`sav-ftth schema ${args.map(shellWord).join(' ')}\``);
  }
  const strays = problems.filter((p) => p.fix === 'delete').map((p) => join(dir, p.file));
  if (strays.length > 0) {
    steps.push(
      `delete ${strays.join(', ')} (the generator does not write ${strays.length === 1 ? 'it' : 'them'}, and \`--out\` removes no file)`,
    );
  }
  if (problems.some((p) => p.fix === 'inspect')) steps.push(`make ${dir} a readable directory`);
  return steps.join(', then ');
}

/**
 * Differences between a directory and the generated files (missing, different, unexpected), each
 * with what fixes it.
 */
export async function checkDir(
  dir: string,
  files: { name: string; text: string }[],
): Promise<{ file: string; problem: string; fix: CheckFix }[]> {
  const problems: { file: string; problem: string; fix: CheckFix }[] = [];
  let present: string[];
  try {
    present = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [{ file: '', problem: 'directory not found', fix: 'generate' }];
    const problem = code === 'ENOTDIR' ? 'not a directory' : `cannot be read (${(e as Error).message})`;
    return [{ file: '', problem, fix: 'inspect' }];
  }
  for (const f of files) {
    if (!present.includes(f.name)) {
      problems.push({ file: f.name, problem: 'missing', fix: 'generate' });
      continue;
    }
    let onDisk: string;
    try {
      onDisk = await readFile(join(dir, f.name), 'utf8');
    } catch (e) {
      problems.push({ file: f.name, problem: `cannot be read (${(e as Error).message})`, fix: 'inspect' });
      continue;
    }
    if (onDisk !== f.text)
      problems.push({ file: f.name, problem: 'differs from the generated file', fix: 'generate' });
  }
  const expected = new Set(files.map((f) => f.name));
  for (const name of present) {
    if (/\.(wsdl|xsd)$/.test(name) && !expected.has(name))
      problems.push({ file: name, problem: 'not generated: delete it', fix: 'delete' });
  }
  return problems;
}
