import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlSafeChars } from '../../src/reports/escape.ts';
import { MAX_XML_CHARS, prettyXml } from '../../src/reports/html/xml-pretty.ts';

/** The text a reader sees: spans removed, entities decoded, one line per span. */
function visible(html: string): string[] {
  return html
    .split('</span><span class="l')
    .map((l) => l.replace(/<\/?span[^>]*>/g, '').replace(/^[^>]*?>/, ''))
    .map((l) => l.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

describe('prettyXml', () => {
  it('indents one element per line and keeps a text-only element on one line', () => {
    const p = prettyXml(
      '<?xml version="1.0"?><a:r xmlns:a="urn:a"><a:b>1</a:b><a:c><a:d/></a:c><a:e></a:e></a:r>',
    );
    expect(visible(p.html)).toEqual([
      '<?xml version="1.0"?>',
      '<a:r xmlns:a="urn:a">',
      '  <a:b>1</a:b>',
      '  <a:c>',
      '    <a:d/>',
      '  </a:c>',
      '  <a:e></a:e>',
      '</a:r>',
    ]);
  });

  it('highlights the named element and everything inside it, whatever its prefix', () => {
    const p = prettyXml('<r><x:f><g>1</g></x:f><h>2</h><f/></r>', new Set(['f']));
    const lines = p.html.split('</span><span').map((l) => l.includes('class="l hl"'));
    expect(lines).toEqual([false, true, true, true, false, true, false]);
    expect([...p.found]).toEqual(['f']);
  });

  it('reports a highlight name that is not in the message', () => {
    expect(prettyXml('<r><a/></r>', new Set(['serviceRestoredTime'])).found.size).toBe(0);
  });

  it('shows malformed and hostile input as escaped text instead of failing', () => {
    const p = prettyXml(
      '<a><b>x</a> << <!DOCTYPE d [<!ENTITY e "]]>">]> <c attr="1>2"> </d> <script>alert(1)</script>',
    );
    expect(p.html).not.toMatch(/<(?!\/?span)/);
    expect(visible(p.html).join('')).toContain('<script>alert(1)</script>');
  });

  it('never drops nor invents content, and never lets markup through (any input)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc
            .array(
              fc.constantFrom(
                '<a>',
                '</a>',
                '<b x="1"/>',
                'text',
                ' ',
                '<',
                '>',
                '&',
                '<!--c-->',
                '<![CDATA[<z>]]>',
                '"',
                '<?p?>',
              ),
              { maxLength: 30 },
            )
            .map((a) => a.join('')),
        ),
        (xml) => {
          const { html } = prettyXml(xml);
          expect(html.replace(/<span class="(l|l hl|t|c)">|<\/span>/g, '')).not.toMatch(/[<>]/);
          const strip = (s: string) => s.replace(/\s+/g, '');
          expect(strip(visible(html).join(''))).toBe(strip(xmlSafeChars(xml)));
        },
      ),
    );
  });

  it('truncates a message beyond the limit and says so', () => {
    const p = prettyXml(`<r>${'x'.repeat(MAX_XML_CHARS + 10)}</r>`);
    expect(p.truncated).toBe(true);
    expect(p.html.length).toBeLessThan(MAX_XML_CHARS + 200);
  });
});
