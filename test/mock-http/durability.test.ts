/**
 * Durability of the CLI's mock: a ticket acknowledged to the client survives a SIGKILL right after
 * the answer, with its history and the key sequence; SIGTERM stops it gracefully.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OI_SIREN, DEMO_ACCOUNTS } from '../../mock-server/engine/options.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const index = defaultIndex();
const writer = new MessageWriter(index);
const account = DEMO_ACCOUNTS[0]!;
const credentials = { login: account.login, password: account.password };
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sav-ftth-durability-'));
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  origin: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `sav-ftth mock` and resolves once it has printed its banner (the address it listens on first). */
function spawnMock(...extra: string[]): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['bin/sav-ftth.js', 'mock', '--port', '0', '--data-dir', dataDir, ...extra],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SAV_FTTH_CONFIG: '' },
    },
  );
  children.add(child);
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Press Ctrl+C to stop.'))
        resolve({ child, origin: m[1]!, stdout: () => out, exited });
    });
    exited.then(({ code }) => reject(new Error(`mock exited (${code}) before listening:\n${out}\n${err}`)));
  });
}

/** `text` as a regular expression matching it literally. */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const endpoint = (r: Running) => `${r.origin}${index.profile.service.path}`;

async function soap(r: Running, xml: string) {
  const res = await fetch(endpoint(r), {
    method: 'POST',
    body: xml,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
  });
  return readMessage(await res.text(), index);
}

async function createTicket(r: Running, n: number): Promise<string> {
  const inventory = (await (await fetch(`${r.origin}/_control/inventory?limit=${n + 1}`)).json()) as {
    entries: { technicalId: string; commercialId: string }[];
  };
  const e = inventory.entries[n]!;
  const value = {
    ...exampleTicket('oc.create', index),
    serviceProviderID: account.siren,
    technicalId: e.technicalId,
    commercialId: e.commercialId,
  };
  const msg = await soap(r, writer.createRequest(value, credentials));
  if (msg.body.kind !== 'ticketResponse' || msg.body.response.returnCode !== '0')
    throw new Error(`create refused: ${JSON.stringify(msg.body)}`);
  return msg.body.response.troubleTicketKey!;
}

describe('the mock process', () => {
  it('keeps a ticket acknowledged right before a SIGKILL, with its history and the key sequence', async () => {
    const first = await spawnMock('--log-level', 'warn');
    const key = await createTicket(first, 0);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = await spawnMock('--log-level', 'warn');
    try {
      const found = (await (await fetch(`${second.origin}/_control/tickets/${key}`)).json()) as {
        ticket: { state: string };
        history: { operation: string; requestXml: string; responseXml: string }[];
      };
      expect(found.ticket.state).toBe('QUEUED');
      expect(found.history[0]?.operation).toBe('createTroubleTicketByValue');
      expect(found.history[0]?.requestXml).toContain('CASE CREATE REQUEST');
      expect(found.history[0]?.responseXml).toContain(key);
      const got = await soap(
        second,
        writer.getRequest(
          { troubleTicketKey: key, supplierID: DEFAULT_OI_SIREN, serviceProviderID: account.siren },
          credentials,
        ),
      );
      expect(got.body.kind === 'ticketResponse' && got.body.ticket?.troubleTicketState).toBe('QUEUED');
      const next = await createTicket(second, 1);
      expect(next).not.toBe(key);
      expect(next > key).toBe(true);
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });

  it('refuses a second mock on the same data directory; the first keeps its tickets and serves on', async () => {
    const first = await spawnMock('--log-level', 'warn');
    try {
      const key = await createTicket(first, 2);
      const second = spawn(
        process.execPath,
        // With HTTPS: refused before it would generate a certificate in the first one's directory.
        [
          'bin/sav-ftth.js',
          'mock',
          '--port',
          '0',
          '--https',
          '--https-port',
          '0',
          '--data-dir',
          dataDir,
          '--log-level',
          'warn',
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SAV_FTTH_CONFIG: '' } },
      );
      children.add(second);
      let out = '';
      let err = '';
      second.stdout!.on('data', (d) => {
        out += d;
      });
      second.stderr!.on('data', (d) => {
        err += d;
      });
      const code = await new Promise<number | null>((resolve) => second.on('close', (c) => resolve(c)));
      children.delete(second);
      expect({ code, out }).toEqual({ code: 1, out: '' });
      const lock = join(dataDir, 'sav-ftth-mock.sqlite.lock');
      expect(err.trim()).toMatch(
        new RegExp(
          `^sav-ftth mock: cannot start: data directory ${literal(dataDir)} is in use by the mock with pid ${first.child.pid}, started \\S+ \\(lock ${literal(lock)}\\): stop it or use another data directory \\(config dataDir, flag --data-dir\\)$`,
        ),
      );
      const found = (await (await fetch(`${first.origin}/_control/tickets/${key}`)).json()) as {
        ticket: { state: string };
      };
      expect(found.ticket.state).toBe('QUEUED');
      expect(existsSync(join(dataDir, 'tls'))).toBe(false);
      await createTicket(first, 3);
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    const r = await spawnMock('--memory', '--log-level', 'info');
    expect(r.stdout()).toContain(`SOAP endpoint   ${endpoint(r)}`);
    expect(r.stdout()).toContain(`${account.login}`);
    r.child.kill('SIGTERM');
    const { code, signal } = await r.exited;
    expect({ code, signal }, r.stdout()).toEqual({ code: 0, signal: null });
    expect(r.stdout()).toContain('"msg":"mock OI stopped"');
  });
});
