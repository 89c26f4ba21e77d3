/** `sav-ftth validate` and the dispatcher, run in-process on temporary files. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { EXAMPLE_KEY, exampleTicket } from '../../src/rules/examples.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const w = new MessageWriter(index);
const login = { login: 'oc-orange', password: 'secret' };
const dir = mkdtempSync(join(tmpdir(), 'sav-ftth-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const valid = file('valid.xml', w.createRequest(exampleTicket('oc.create', index, { full: true }), login));
const multiline = (xml: string) => xml.replace(/></g, '>\n<');
const bad = file(
  'bad.xml',
  multiline(
    w.createRequest(
      {
        ...exampleTicket('oc.create', index),
        supplierID: '12',
        serviceProviderID: '380129867',
      },
      login,
    ),
  ),
);
const badLine =
  multiline(w.createRequest({ ...exampleTicket('oc.create', index), supplierID: '12' }, login))
    .split('\n')
    .findIndex((l) => l.includes('>12<')) + 1;
const soap12 = file(
  'soap12.xml',
  '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
);
const response = file(
  'response.xml',
  w.response('createTroubleTicketByValue', { troubleTicketKey: EXAMPLE_KEY, returnCode: '0' }),
);
const handWritten = join(import.meta.dirname, '../fixtures/messages/create-odd-prefixes.xml');

describe('sav-ftth validate', () => {
  it('a valid message: exit 0, a line saying what it is', async () => {
    const r = await run('validate', valid);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `${valid}: createTroubleTicketByValue request, action oc.create T1 -> returnCode 0`,
    );
    expect(r.out).toMatch(/1 file\(s\) checked: 0 with errors/);
  });

  it('errors: exit 1, one file:line line per finding, warnings too', async () => {
    const r = await run('validate', bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${bad}:${badLine}: error FORMAT.LENGTH supplierID: la valeur « 12 »`);
    expect(r.out).toMatch(/\[interop §5\]/);
    expect(r.out).toMatch(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: warning SIREN.KEY serviceProviderID: `),
    );
    expect(r.out).toContain('-> returnCode 2 (supplierID)');
  });

  it('a hand-written message with other prefixes: lines point into the file', async () => {
    const r = await run('validate', handWritten);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${handWritten}:25: error FORMAT.LENGTH supplierID`);
    expect(r.out).toContain(`${handWritten}:26: error MANDATORY offerId`);
    expect(r.out).toContain('-> returnCode 1 (offerId)');
  });

  it('an unreadable message: exit 1, the codec error kind and the fault it requires', async () => {
    const r = await run('validate', soap12);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${soap12}:1: error CODEC.SOAP_VERSION_MISMATCH`);
    expect(r.out).toContain('SOAP fault VersionMismatch');
  });

  it('a request without the credentials header gets a warning', async () => {
    const bare = file('bare.xml', w.createRequest(exampleTicket('oc.create', index)));
    const r = await run('validate', bare);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/bare\.xml:\d+: warning HEADER\.MISSING: /);
  });

  it('responses are checked too', async () => {
    const r = await run('validate', response);
    expect(r.code).toBe(0);
    expect(r.out).toContain('createTroubleTicketByValue response');
  });

  it('several files: exit 1 if any has errors, one summary', async () => {
    const r = await run('validate', valid, bad);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/2 file\(s\) checked: 1 with errors/);
  });

  it('--json: one machine-readable entry per file', async () => {
    const r = await run('validate', '--json', valid, bad, soap12);
    expect(r.code).toBe(1);
    const entries = JSON.parse(r.out) as Record<string, unknown>[];
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      file: valid,
      operation: 'createTroubleTicketByValue',
      direction: 'request',
      action: 'oc.create',
      findings: [],
      answer: { kind: 'ok' },
    });
    expect(entries[1]).toMatchObject({ answer: { kind: 'returnCode', code: '2' } });
    expect((entries[1]!.findings as { rule: string; line: number }[]).map((f) => f.rule)).toEqual([
      'SIREN.KEY',
      'FORMAT.LENGTH',
    ]);
    expect(entries[2]).toMatchObject({
      error: { kind: 'SOAP_VERSION_MISMATCH' },
      answer: { faultcode: 'VersionMismatch' },
    });
  });

  it('--state enables the transition rules', async () => {
    const set = file('set.xml', w.setRequest(exampleTicket('oc.cancel', index), login));
    expect((await run('validate', '--state', 'QUEUED', set)).code).toBe(0);
    const r = await run('validate', '--state', 'OPENACTIVE', set);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error TRANSITION troubleTicketState');
  });

  it('an unreadable file: exit 2', async () => {
    const r = await run('validate', join(dir, 'absent.xml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot read file: ENOENT');
  });

  it.each([
    [['validate'], 'no file given'],
    [['validate', '--sender', 'XX', valid], '--sender must be OC or OI'],
    [['validate', '--state', 'NOWHERE', valid], '--state must be one of'],
    [['validate', '--profile', 'sav-ftth-9.9', valid], 'unknown profile'],
    [['validate', '--bogus', valid], 'Unknown option'],
  ])('usage error %j: exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('sav-ftth', () => {
  it('--help lists the commands, exit 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\s+validate\s+/m);
  });

  it('<cmd> --help prints the command usage, exit 0', async () => {
    const r = await run('validate', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: sav-ftth validate');
    expect((await run('help', 'validate')).out).toContain('Usage: sav-ftth validate');
  });

  it('an unknown command: exit 2 with usage', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
    expect(r.err).toContain('Usage: sav-ftth <command>');
  });

  it('no command: exit 2 with usage', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: sav-ftth <command>');
  });
});
