/**
 * `sav-ftth run --interactive`: the operator answers on standard input. Lines given ahead answer
 * the next prompts; the end of input errors every step that needs the operator (no hang); the
 * process exits once the run is over though its stdin stays open.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_OPERATOR, PROMPT_QUESTION, stdinPrompt } from '../../src/cli/run.ts';
import { NoOperatorError } from '../../src/scenario/environment.ts';

function operatorOn(input: PassThrough) {
  const err: string[] = [];
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d: Buffer) => {
    shown += d.toString();
  });
  const prompt = stdinPrompt({ out: () => {}, err: (l) => err.push(l) }, input, output);
  return { prompt, err, shown: () => shown };
}

describe('the operator on standard input', () => {
  it('answers each prompt with the next line, lines given ahead included; "skip" skips', async () => {
    const input = new PassThrough();
    const { prompt, shown } = operatorOn(input);
    input.write('\nskip\n');
    expect(await prompt.ask('first')).toBe(true);
    expect(await prompt.ask('second')).toBe(false);
    const third = prompt.ask('third');
    input.write('done\n');
    expect(await third).toBe(true);
    prompt.close();
    expect(shown()).toContain(`\nthird\n${PROMPT_QUESTION}`);
  });

  it('at end of input, rejects the pending and every later prompt with "no operator", said once', async () => {
    const input = new PassThrough();
    const { prompt, err } = operatorOn(input);
    const pending = prompt.ask('first');
    input.end();
    await expect(pending).rejects.toThrow(NoOperatorError);
    await expect(prompt.ask('second')).rejects.toThrow(NO_OPERATOR);
    expect(err).toEqual([expect.stringContaining(NO_OPERATOR)]);
    prompt.close();
  });
});

describe('sav-ftth run --role oi --target <OC> --interactive, as a process', () => {
  let oc: http.Server;
  let endpoint = '';
  const children: ReturnType<typeof spawn>[] = [];
  beforeAll(async () => {
    // An OC that performs nothing and refuses every push: only the process's end matters here.
    oc = http.createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => oc.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(oc.address() as AddressInfo).port}/oc`;
  });
  afterAll(async () => {
    // A run that did not end (the defect these tests catch) is not left behind.
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
    oc.closeAllConnections();
    await new Promise<void>((resolve) => oc.close(() => resolve()));
  });

  /** Runs the CLI; `operator` gets its stdin and what it printed so far on stderr at each chunk. */
  function run(operator: (stdin: NodeJS.WritableStream, stderr: string) => void) {
    const child = spawn(
      process.execPath,
      [
        'bin/sav-ftth.js',
        'run',
        'scenarios/lifecycle/t1-create.yaml',
        '--role',
        'oi',
        '--target',
        endpoint,
        '--login',
        'oc-under-test',
        '--password',
        'pw',
        '--oc-siren',
        '380129866',
        '--interactive',
        '--timeout',
        '300',
        '--no-report',
      ],
      { env: { ...process.env, CI: '1' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      operator(child.stdin, err);
    });
    operator(child.stdin, err);
    return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
      child.on('exit', (code) => {
        child.stdin.destroy();
        resolve({ code, out, err });
      }),
    );
  }

  it('exits with the run status once the run is over, its stdin still open', async () => {
    let answered = 0;
    const r = await run((stdin, err) => {
      // Enter at each prompt; stdin is never closed.
      const prompts = err.split(PROMPT_QUESTION).length - 1;
      for (; answered < prompts; answered++) stdin.write('\n');
    });
    expect(answered).toBe(1);
    expect(r.out).toMatch(/^role oi \(.+\): FAIL$/m);
    expect(r.code).toBe(1);
  }, 30_000);

  it('with stdin at end of file: the steps needing the operator error, the run ends with its summary', async () => {
    const r = await run((stdin) => stdin.end());
    expect(r.err).toContain(NO_OPERATOR);
    expect(r.err).toMatch(/^ERROR .*lifecycle\.t1-create .*no operator/m);
    expect(r.out).toMatch(/^role oi \(.+\): FAIL$/m);
    expect(r.code).toBe(1);
  }, 30_000);
});
