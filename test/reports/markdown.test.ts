import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/reports/index.ts';
import { MAX_FAILED_ROWS } from '../../src/reports/markdown.ts';
import { hostileRun, largeRun, loadSample } from './generate.ts';

const tableRows = (md: string, heading: string) => {
  const section = md.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  return section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| scenario |'));
};

/** Splits a GFM table row on unescaped pipes. */
const cells = (row: string) => row.slice(2, -2).split(/(?<!\\) \| /);

describe('Markdown summary', () => {
  const md = renderMarkdown(loadSample());

  it('starts with the verdict and the conformance level', () => {
    const [title, , level] = md.split('\n');
    expect(title).toBe('# ❌ SAV FTTH conformance: FAIL');
    expect(level).toMatch(
      /^\*\*Not conformant\.\*\* 1 mandatory \\\[spec\\\]\/\\\[interop\\\] check and 4 mandatory \\\[decision\\\] checks failed\. 1 scenario skipped: étape ignorée par l opérateur \(--interactive\)\.$/,
    );
  });

  it('names the implementation under test, its role and endpoint', () => {
    expect(md).toContain('| Implementation under test | Acme OI 4.2.1 |');
    expect(md).toContain('| Role | OI under test (the harness plays the OC) |');
    expect(md).toContain('| Endpoint | `https://sav.acme-oi.example/JVTTroubleTicketSessionWSPort` (url) |');
  });

  it('gives totals, conformance per basis and coverage', () => {
    // 10 scenarios: 1 skipped (its only check skipped by the operator), 5 of the 9 that ran passed.
    expect(md).toContain('| 5/9 | 1 | 39 | 31 | 5 | 1 | 2 | 5 |');
    expect(md).toContain('| mandatory, \\[decision\\] rules | 11 | 7 | 3 | 1 | 0 |');
    // 7/11 = 63.63…%: rounded down to one decimal, as the console does.
    expect(md).toMatch(/\| transitions \| 7\/11 \(63\.6%\) \| 4 \| 2 \| T2, T6, T8, T11 \|/);
  });

  it('lists every failed check with its rule, clause and basis', () => {
    const rows = tableRows(md, 'Failed checks');
    expect(rows).toHaveLength(6);
    const row = rows.find((r) => r.includes('TRANSITION.LABEL'))!;
    expect(cells(row)).toEqual([
      '`transition.illegal.T3-from-QUEUED`',
      '2. Demande d annulation en QUEUED',
      'returnLabel nomme troubleTicketState',
      '`TRANSITION.LABEL`',
      '§7',
      '\\[decision\\]',
      'yes',
      'troubleTicketState',
      'lastUpdateVersionNumber : action impossible',
    ]);
  });

  it('stays short for a large run', () => {
    const big = renderMarkdown(largeRun(1000));
    expect(tableRows(big, 'Failed checks')).toHaveLength(MAX_FAILED_ROWS);
    expect(big).toMatch(/…and \d+ more: see report\.html or junit\.xml\./);
    expect(big.length).toBeLessThan(20_000);
  });

  it('cannot be broken by hostile text: no raw HTML outside code spans, no extra cells', () => {
    const hostile = renderMarkdown(hostileRun());
    const outsideCode = hostile.replace(/(`+)[^`]*?\1/g, '');
    expect(hostile).toContain('<script>'); // inside code spans, where Markdown shows it as text
    expect(outsideCode).not.toMatch(/<script|<img|<!--/);
    for (const row of tableRows(hostile, 'Failed checks')) expect(cells(row)).toHaveLength(9);
  });
});
