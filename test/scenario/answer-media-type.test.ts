/**
 * How the harness judges the HTTP side of an implementation's answer: its Content-Type (SOAP 1.1 is
 * text/xml, UTF-8 end to end) fails exactly the media-type check while the envelope is still read,
 * and an HTML page (a reverse proxy's 502) is reported as an HTML page, not as a refused DTD.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { type Exchange, postSoap } from '../../src/scenario/http.ts';
import { runCatalogue } from '../../src/scenario/index.ts';
import { CheckSink, judgeAnswer } from '../../src/scenario/judge.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import type { Interceptor } from '../../src/scenario/targets.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { runCreateOnly, targetOi } from './create-only.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const create = index.operation.get('createTroubleTicketByValue')!;
const ok = writer.response('createTroubleTicketByValue', { troubleTicketKey: 'TT-1', returnCode: '0' });

/** A reverse proxy's error page, as nginx-like proxies send it. */
const PROXY_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>502 Bad Gateway</title>
</head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>proxy</center>
${'<!-- padding against browser error pages -->\n'.repeat(6)}</body>
</html>
`;

function judge(response: string, contentType: string | undefined, httpStatus = 200) {
  const sink = new CheckSink(rulebookOf(index), true);
  const x: Exchange = {
    url: 'http://oi.test/ws',
    request: '<request/>',
    response,
    httpStatus,
    durationMs: 2,
    ...(contentType !== undefined ? { contentType } : {}),
  };
  const { answer } = judgeAnswer(sink, x, index, { operation: create, who: 'OI' });
  const byRule = (rule: string) => sink.checks.find((c) => c.rule === rule);
  const failed = sink.checks.filter((c) => c.verdict !== 'pass').map((c) => c.rule);
  return { answer, byRule, failed, checks: sink.checks };
}

describe('the Content-Type of an answer', () => {
  it('text/xml with charset UTF-8 (any spelling) or none passes, and every other check still runs', () => {
    for (const ct of [
      'text/xml; charset=utf-8',
      'TEXT/XML;Charset="UTF-8"',
      'text/xml; charset=utf8',
      'text/xml',
    ]) {
      const r = judge(ok, ct);
      expect(r.failed, ct).toEqual([]);
      expect(r.byRule('SOAP.MEDIA-TYPE')?.verdict, ct).toBe('pass');
      expect(r.checks.map((c) => c.rule)).toEqual(
        expect.arrayContaining(['SOAP.ANSWER', 'SOAP.ENVELOPE', 'SOAP.HTTP-STATUS', 'RULES']),
      );
    }
  });

  it('a correct envelope sent as text/html fails exactly the media-type check, naming the value; the envelope is still read', () => {
    const r = judge(ok, 'text/html; charset=utf-8');
    expect(r.failed).toEqual(['SOAP.MEDIA-TYPE']);
    const c = r.byRule('SOAP.MEDIA-TYPE')!;
    expect(c.message).toBe(
      'Content-Type « text/html; charset=utf-8 » is not text/xml: a SOAP 1.1 answer is sent as text/xml (SOAP 1.1 §6.1, WS-I SSBP 1.0 R9702/R9703)',
    );
    expect(c).toMatchObject({
      expected: 'text/xml; charset=utf-8',
      actual: 'text/html; charset=utf-8',
      basis: 'spec',
      clause: '§1',
      mandatory: true,
    });
    expect(r.byRule('SOAP.ENVELOPE')?.verdict).toBe('pass');
    expect(r.answer?.body.kind).toBe('ticketResponse');
  });

  it('no Content-Type at all fails the media-type check', () => {
    const r = judge(ok, undefined);
    expect(r.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(r.byRule('SOAP.MEDIA-TYPE')).toMatchObject({
      actual: 'absent',
      message:
        'the answer has no Content-Type header: a SOAP 1.1 answer is sent as text/xml (SOAP 1.1 §6.1, WS-I SSBP 1.0 R9702/R9703)',
    });
  });

  it('SOAP 1.2 media type application/soap+xml fails, saying it is SOAP 1.2s', () => {
    const r = judge(ok, 'application/soap+xml; charset=utf-8');
    expect(r.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(r.byRule('SOAP.MEDIA-TYPE')?.message).toContain(
      'Content-Type « application/soap+xml; charset=utf-8 » is not text/xml (application/soap+xml is the media type of SOAP 1.2)',
    );
  });

  it('a charset other than UTF-8, alone or repeated after utf-8, fails naming the charset', () => {
    const r = judge(ok, 'text/xml; charset=ISO-8859-1');
    expect(r.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(r.byRule('SOAP.MEDIA-TYPE')?.message).toMatch(
      /^Content-Type « text\/xml; charset=ISO-8859-1 » names charset « ISO-8859-1 »: the exchanges are UTF-8 end to end/,
    );
    const twice = judge(ok, 'text/xml; charset=utf-8; charset="windows-1252"');
    expect(twice.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(twice.byRule('SOAP.MEDIA-TYPE')?.message).toContain('names charset « windows-1252 »');
  });
});

describe('an answer that is an HTML page', () => {
  it('a proxy 502 page is reported as an HTML page (Content-Type, status, title, first bytes), not as a DTD refusal', () => {
    const r = judge(PROXY_PAGE, 'text/html', 502);
    expect(r.failed).toEqual(['SOAP.ENVELOPE', 'SOAP.MEDIA-TYPE']);
    const m = r.byRule('SOAP.ENVELOPE')!.message;
    expect(m).toBe(
      'the answer is not a SOAP envelope but an HTML page (Content-Type « text/html », HTTP 502, title « 502 Bad Gateway »), first bytes « <!DOCTYPE html> <html> <head> <title>502 Bad Gateway</title>… »: a web server or proxy answered in place of the SOAP service',
    );
    expect(m).not.toMatch(/DTD|DOCTYPE found/);
  });

  it('is told by its first bytes when mislabelled text/xml, with or without a DOCTYPE, after a comment', () => {
    for (const page of [
      PROXY_PAGE,
      '<html><head><title>Erreur</title></head></html>',
      `<!-- x -->\n${PROXY_PAGE}`,
    ]) {
      const r = judge(page, 'text/xml; charset=utf-8', 503);
      expect(r.failed).toEqual(['SOAP.ENVELOPE']);
      expect(r.byRule('SOAP.ENVELOPE')!.message).toMatch(
        /^the answer is not a SOAP envelope but an HTML page \(Content-Type « text\/xml; charset=utf-8 », HTTP 503, title « (502 Bad Gateway|Erreur) »\)/,
      );
    }
  });

  it('quotes a bounded part of a large page', () => {
    const big = `<!DOCTYPE html><html><body>${'<p>x</p>'.repeat(100_000)}</body></html>`;
    const m = judge(big, 'text/html', 502).byRule('SOAP.ENVELOPE')!.message;
    expect(m.length).toBeLessThan(400);
    expect(m).toContain('first bytes « <!DOCTYPE html><html><body><p>x</p>');
  });

  it('a body that is no XML at all, or empty, says so with its Content-Type', () => {
    expect(judge('Bad Gateway', 'text/plain', 502).byRule('SOAP.ENVELOPE')!.message).toBe(
      'the answer is not a SOAP envelope: its body is not XML (Content-Type « text/plain », HTTP 502), first bytes « Bad Gateway »',
    );
    expect(judge('', undefined, 200).byRule('SOAP.ENVELOPE')!.message).toBe(
      'the answer is not a SOAP envelope: its body is empty (Content-Type absent, HTTP 200)',
    );
  });

  it('XML that fails to read keeps the codec reason, whatever its label', () => {
    const broken = ok.replace('</soapenv:Envelope>', '');
    const m = judge(broken, 'text/html', 200).byRule('SOAP.ENVELOPE')!.message;
    expect(m).toMatch(/^MALFORMED_XML: /);
  });
});

/** Answers of the implementation behind it, relabelled with `contentType` (none when undefined). */
function relabel(contentType: string | undefined): Interceptor {
  return async (upstream) => {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const soapAction = req.headers.soapaction;
        const x = await postSoap(upstream, Buffer.concat(chunks).toString('utf8'), {
          timeoutMs: 10_000,
          maxBytes: index.settings.maxMessageBytes,
          ...(typeof soapAction === 'string' ? { soapAction } : {}),
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        });
        if (x.response === undefined) {
          res.writeHead(502).end();
          return;
        }
        res
          .writeHead(x.httpStatus ?? 502, contentType ? { 'content-type': contentType } : {})
          .end(x.response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}${new URL(upstream).pathname}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };
}

function outcome(run: RunResult) {
  const checks = run.scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks));
  const failed = [...new Set(checks.filter((c) => c.verdict !== 'pass').map((c) => c.rule))].sort();
  return { checks, failed, errors: run.scenarios.filter((s) => s.verdict === 'error').map((s) => s.id) };
}

describe('the catalogue against implementations answering with a wrong media type', () => {
  it('role oc: an OI answering text/html fails exactly the media-type checks, every other check passes', async () => {
    const [run] = await runCatalogue({ roles: ['oc'], interceptOi: relabel('text/html; charset=utf-8') });
    const o = outcome(run!);
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(o.checks.filter((c) => c.rule === 'SOAP.MEDIA-TYPE').every((c) => c.verdict === 'fail')).toBe(
      true,
    );
    expect(run!.verdict).toBe('fail');
  });

  it('role oi: an OC answering pushes with no Content-Type fails exactly the media-type checks', async () => {
    const [run] = await runCatalogue({ roles: ['oi'], interceptOc: relabel(undefined) });
    const o = outcome(run!);
    expect(o.errors).toEqual([]);
    expect(o.failed).toEqual(['SOAP.MEDIA-TYPE']);
    expect(run!.verdict).toBe('fail');
  });
});

describe('sav-ftth run against an OI behind a proxy answering its 502 page', () => {
  const oi = targetOi((res) => res.writeHead(502, { 'content-type': 'text/html' }).end(PROXY_PAGE));

  it('prints and records the HTML page, never a DTD refusal', async () => {
    const run = await runCreateOnly(oi.url(), 'html-answer');
    const r = run.result;
    expect(r.code).toBe(1);
    const all = `${r.out}\n${r.err}`;
    expect(all).toContain('the answer is not a SOAP envelope but an HTML page');
    expect(all).toContain('« text/html »');
    expect(all).not.toMatch(/DTD/);
    const checks = run.checks();
    const media = checks.find((c) => c.rule === 'SOAP.MEDIA-TYPE')!;
    expect(media).toMatchObject({ verdict: 'fail', actual: 'text/html', clause: '§1', basis: 'spec' });
    expect(checks.find((c) => c.rule === 'SOAP.ENVELOPE')?.message).toContain('title « 502 Bad Gateway »');
  }, 60_000);
});
