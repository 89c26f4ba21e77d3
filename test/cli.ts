/** Runs the `sav-ftth` command in process, as the tests of each command call it. */
import { main } from '../src/cli/main.ts';

/** `sav-ftth <args…>`: its exit code and what it printed on each stream. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
