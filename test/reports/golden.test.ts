import { describe, expect, it } from 'vitest';
import { renderHtml, renderJson, renderJunit, renderMarkdown } from '../../src/reports/index.ts';
import type { RunResult } from '../../src/scenario/result.ts';
import { loadSample, SAMPLES } from './generate.ts';
import { expectGolden } from './golden.ts';

const golden = (name: string) => new URL(`../fixtures/runs/golden/${name}`, import.meta.url);

/** The same run as the engine might hand it over: scenarios finished in another order. */
function reordered(run: RunResult): RunResult {
  return {
    ...run,
    scenarios: [...run.scenarios].reverse().map((s) => ({ ...s, steps: [...s.steps].reverse() })),
  };
}

describe.each(SAMPLES)('golden reports of %s', (name) => {
  const base = name.replace(/\.json$/, '');
  const run = loadSample(name);

  it('renders the golden run.json', () => expectGolden(golden(`${base}.run.json`), renderJson(run)));
  it('renders the golden summary.md', () => expectGolden(golden(`${base}.summary.md`), renderMarkdown(run)));
  it('renders the golden junit.xml', () => expectGolden(golden(`${base}.junit.xml`), renderJunit(run)));

  it('renders the same bytes whatever order the scenarios and steps come in', () => {
    const other = reordered(run);
    expect(renderJson(other)).toBe(renderJson(run));
    expect(renderMarkdown(other)).toBe(renderMarkdown(run));
    expect(renderJunit(other)).toBe(renderJunit(run));
    expect(renderHtml(other)).toBe(renderHtml(run));
  });

  it('renders the same bytes when keys come in another order', () => {
    const shuffled = JSON.parse(JSON.stringify(run), function (this: unknown, _k, v) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      return Object.fromEntries(Object.entries(v).reverse());
    }) as RunResult;
    expect(renderJson(shuffled)).toBe(renderJson(run));
    expect(renderHtml(shuffled)).toBe(renderHtml(run));
  });

  it('run.json is canonical: reading it back and rendering again gives the same bytes', () => {
    const json = renderJson(run);
    expect(renderJson(JSON.parse(json) as RunResult)).toBe(json);
    expect(json.endsWith('}\n')).toBe(true);
  });
});
