/** Injected latency in process: a pending answer keeps the process alive; a stop ends the wait. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalMockEngine } from '../../mock-server/engine/index.ts';
import { create, engine, fault } from './helpers.ts';

let e: LocalMockEngine | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

describe('injected latency (PUT /faults latencyMs)', () => {
  it('a script with no socket (msw, node --test) gets the delayed answer before it exits', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'latency-answer.ts'), '150'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: 'answer 200 returnCode 0', err: '' });
  });

  it('close() ends a latency under way: the request is answered that the mock is shutting down', async () => {
    e = engine();
    e.setFaults([{ operation: '*', latencyMs: 3_600_000 }]);
    const pending = create(e);
    await new Promise((r) => setImmediate(r));
    await e.close();
    const f = fault(await pending);
    expect(f?.faultcode).toMatch(/Server$/);
    expect(f?.faultstring).toContain('shutting down');
  });
});
