/** `sav-ftth <command> [options]`: dispatches to the subcommands listed in commands.ts. */
import { readFileSync } from 'node:fs';
import { type CliIo, commands } from './commands.ts';

/**
 * Lines to a standard stream whose reader may go away (`sav-ftth run --json | head -c 10`): then
 * later lines are dropped and the command ends as if done, with its own exit status, instead of an
 * unhandled EPIPE error and its stack.
 */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false;
  let watching = false;
  return (line) => {
    if (closed || stream.destroyed) return;
    if (!watching) {
      watching = true;
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
        closed = true;
      });
    }
    stream.write(`${line}\n`);
  };
}

export const processIo: CliIo = {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
};

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: sav-ftth <command> [options]',
    '',
    'Conformance toolkit for the Interop Fibre SAV FTTH v2.1 protocol.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sav-ftth <command> --help` for the options of a command.',
    'Options: -h, --help (this help), --version',
  ].join('\n');
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI in-process; resolves to the exit code (0 ok, 1 findings/failure, 2 usage error, 3 internal error). */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    const target = name === 'help' ? args[0] : undefined;
    if (target === undefined) {
      io.out(usage());
      return 0;
    }
    return main([target, '--help'], io);
  }
  if (name === '--version' || name === '-v') {
    io.out(`sav-ftth ${version()}`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`sav-ftth: unknown command "${name}"`);
    io.err(usage());
    return 2;
  }
  try {
    const command = await entry.load();
    const beforeSeparator = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
    if (beforeSeparator.includes('--help') || beforeSeparator.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    io.err(`sav-ftth ${name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 3;
  }
}
