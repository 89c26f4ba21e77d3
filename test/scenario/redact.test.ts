import { describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import type { Exchange } from '../../src/scenario/http.ts';
import { CheckSink } from '../../src/scenario/judge.ts';
import { REDACTED, redactPasswords } from '../../src/scenario/result.ts';
import { rulebookOf } from '../../src/scenario/rulebook.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);

describe('passwords redacted in the evidence', () => {
  it('replaces the text of a Password element whatever its prefix, keeping the element', () => {
    for (const [xml, want] of [
      ['<hdr:Password>s3cret</hdr:Password>', `<hdr:Password>${REDACTED}</hdr:Password>`],
      ['<h:Password>s3cret</h:Password>', `<h:Password>${REDACTED}</h:Password>`],
      ['<Password xmlns="urn:h">s3cret</Password>', `<Password xmlns="urn:h">${REDACTED}</Password>`],
      [
        '<x-y.z:Password a="1" >s3cret</x-y.z:Password >',
        `<x-y.z:Password a="1" >${REDACTED}</x-y.z:Password >`,
      ],
      ['<hdr:Password><![CDATA[s<3>cret]]></hdr:Password>', `<hdr:Password>${REDACTED}</hdr:Password>`],
      ['<hdr:Password>s&amp;3cret</hdr:Password>', `<hdr:Password>${REDACTED}</hdr:Password>`],
    ] as const) {
      expect(redactPasswords(xml), xml).toBe(want);
    }
  });

  it('redacts every Password of a message, and an element left open up to the next markup', () => {
    const two = '<a><p:Password>one</p:Password><q:Password>two</q:Password></a>';
    expect(redactPasswords(two)).toBe(
      `<a><p:Password>${REDACTED}</p:Password><q:Password>${REDACTED}</q:Password></a>`,
    );
    expect(redactPasswords('<h:Password>s3cret</h:LoginName>')).toBe(`<h:Password>${REDACTED}</h:LoginName>`);
    expect(redactPasswords('<h:Password>s3cret')).toBe(`<h:Password>${REDACTED}`);
  });

  it('leaves other elements, empty and self-closed passwords alone', () => {
    for (const xml of [
      '<h:LoginName>Password</h:LoginName>',
      '<h:PasswordHint>x</h:PasswordHint>',
      '<h:OldPassword>x</h:OldPassword>',
      '<h:Password/><h:LoginName>oc</h:LoginName>',
      '<h:Password />',
      '<h:Password></h:Password>',
      'not xml at all',
    ]) {
      expect(redactPasswords(xml), xml).toBe(xml);
    }
  });

  it('a check keeps the request redacted while the exchange (what was sent) is untouched', () => {
    const request = writer.getRequest(
      { troubleTicketKey: 'TT-1', supplierID: '343059564', serviceProviderID: '380129866' },
      { login: 'oc', password: 'pa<ss&w0rd' },
    );
    const x: Exchange = { url: 'http://oi', request, response: request, durationMs: 1 };
    const sink = new CheckSink(rulebookOf(index), true);
    const check = sink.add({ rule: 'RULES', title: 't', verdict: 'pass', message: 'm', exchange: x });
    expect(x.request).toBe(request);
    expect(request).toMatch(/<hdr:Password>pa[^<]+w0rd<\/hdr:Password>/);
    for (const text of [check.evidence?.request, check.evidence?.response]) {
      expect(text).toContain(`Password>${REDACTED}</`);
      expect(text).not.toContain('w0rd');
    }
  });
});
