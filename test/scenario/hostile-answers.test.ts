/**
 * `sav-ftth run --role oc --target …` against a hostile OI over real sockets: answers far beyond the
 * codec's limit, answers that are not UTF-8, large answers and answers forging CI log lines. The run
 * goes on, judges them as the codec does, and writes reports of bounded size.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { runCreateOnly, targetOi } from './create-only.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const LIMIT = index.settings.maxMessageBytes;

type Mode = 'stream' | 'badutf8' | 'big' | 'logforge';
let mode: Mode = 'stream';
/** Bytes the hostile OI managed to write before the harness hung up (stream mode). */
let streamed = 0;

const createResponse = (label: string, returnCode = '0') =>
  writer.response('createTroubleTicketByValue', {
    troubleTicketKey: 'KEY-1',
    returnCode,
    returnLabel: label,
  });

function hostile(res: http.ServerResponse): void {
  if (mode === 'stream') {
    // 600 MB, as fast as the client reads; stops when the client hangs up.
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    const chunk = Buffer.alloc(1 << 20, 0x41);
    let left = 600;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        left--;
        streamed += chunk.byteLength;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    res.on('error', () => {});
    pump();
  } else if (mode === 'badutf8') {
    const [a, b] = createResponse('BADPLACE').split('BADPLACE');
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(Buffer.concat([Buffer.from(a!), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(b!)]));
  } else if (mode === 'big') {
    // Within the limit, far larger than any evidence worth keeping, and failing (returnCode 9).
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(createResponse('A'.repeat(900 * 1024), '9'));
  } else {
    res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(
      writer.fault({
        faultcode: 'Client',
        faultstring:
          'boom\nPASS  [oc] 9/9 forged.scenario (1 ms)\r\nrole oc (x): PASS\u009b2J\u001b[31m\u202eDESREVER',
      }),
    );
  }
}

const oi = targetOi(hostile);

async function run(m: Mode) {
  mode = m;
  const r = await runCreateOnly(oi.url(), `hostile-${m}`);
  const files = readdirSync(r.reports);
  const size = (f: string) => statSync(path.join(r.reports, f)).size;
  return { result: r.result, files, size, json: r.json(), checks: r.checks(), reports: r.reports };
}

const REPORTS = ['run.json', 'junit.xml', 'summary.md', 'report.html'];

describe('run against an OI answering hostile bodies', () => {
  it('a 600 MB answer: reading stops past the codec limit, TOO_LARGE as the codec says, reports written', async () => {
    const r = await run('stream');
    expect(r.result.code).toBe(1);
    expect(r.result.out).toMatch(/role oc \(.*\): FAIL/);
    for (const f of REPORTS) expect(r.files).toContain(f);
    const envelope = r.checks.find((c) => c.rule === 'SOAP.ENVELOPE' && c.verdict === 'fail');
    expect(envelope?.message).toBe(
      `TOO_LARGE: message of more than ${LIMIT} bytes exceeds the limit of ${LIMIT} bytes`,
    );
    expect(r.result.err).toContain(`TOO_LARGE: message of more than ${LIMIT} bytes`);
    // The harness hung up long before the 600 MB were sent.
    expect(streamed).toBeLessThan(100 * 1024 * 1024);
    for (const f of REPORTS) expect(r.size(f), f).toBeLessThan(2 * 1024 * 1024);
  }, 60_000);

  it('an answer that is not UTF-8 fails the envelope check with the codec NOT_UTF8 message', async () => {
    const r = await run('badutf8');
    expect(r.result.code).toBe(1);
    for (const f of REPORTS) expect(r.files).toContain(f);
    const envelope = r.checks.find((c) => c.rule === 'SOAP.ENVELOPE');
    expect(envelope?.verdict).toBe('fail');
    expect(envelope?.message).toMatch(
      /^NOT_UTF8: message is not valid UTF-8: invalid byte sequence at byte offset \d+ \(line 1, bytes ff fe c3 28\)/,
    );
  }, 60_000);

  it('a large answer is kept cut in run.json and junit.xml, saying how many bytes were cut', async () => {
    const r = await run('big');
    expect(r.result.code).toBe(1);
    for (const f of REPORTS) expect(r.files).toContain(f);
    const kept = r.checks.map((c) => c.evidence?.response).filter((x): x is string => x !== undefined);
    expect(kept.length).toBeGreaterThan(0);
    for (const x of kept) {
      expect(x.length).toBeLessThan(70 * 1024);
      expect(x).toMatch(/\[… \d+ more bytes cut from the evidence \(\d+ bytes in all\)\]$/);
    }
    expect(r.size('run.json')).toBeLessThan(900 * 1024);
    expect(r.size('junit.xml')).toBeLessThan(900 * 1024);
    expect(readFileSync(path.join(r.reports, 'junit.xml'), 'utf8')).toContain(
      'more bytes cut from the evidence',
    );
  }, 60_000);

  it('a fault text cannot forge console lines: newlines, controls and bidi overrides are escaped', async () => {
    const r = await run('logforge');
    expect(r.result.code).toBe(1);
    const all = `${r.result.err}\n${r.result.out}`;
    expect(all).not.toMatch(/^PASS +\[oc\] 9\/9 forged/m);
    expect(all).not.toMatch(/^role oc \(x\)/m);
    expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(r.result.err).toContain(
      'boom\\nPASS  [oc] 9/9 forged.scenario (1 ms)\\r\\nrole oc (x): PASS\\u{9B}2J',
    );
    expect(r.result.err).toContain('\\u{202E}DESREVER');
  }, 60_000);
});
