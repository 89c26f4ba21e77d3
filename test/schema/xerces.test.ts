/**
 * The second, independent validator: Xerces (Java, through xsd-schema-validator) validates every
 * fixture's payload as a standalone document against our XSD set written to a temp directory.
 * One JVM per document (~300 ms), two at a time, all started once before the assertions.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xsd-schema-validator';
import { defaultIndex } from '../../src/profile/index.ts';
import { schemaSet } from '../../src/schema/files.ts';
import { buildFixtures } from '../fixtures/build.ts';
import { headerOf, payloadOf } from '../fixtures/payload.ts';

const index = defaultIndex();
const fixtures = buildFixtures(index);
const BROKEN = 'broken: supplierID of 8 digits';

const documents: [string, string][] = [
  ...fixtures.flatMap((f) => {
    const payload = payloadOf(f.xml);
    return payload ? [[f.name, payload] as [string, string]] : [];
  }),
  ['header: TroubleTicketHeaderRequest', headerOf(fixtures.find((f) => f.credentials)!.xml)!],
  [
    BROKEN,
    payloadOf(fixtures.find((f) => f.action === 'oc.create')!.xml)!.replace(
      /(<ftth:supplierID>)\d+/,
      '$112345678',
    ),
  ],
];

interface Outcome {
  valid: boolean;
  messages: string[];
}
const outcomes = new Map<string, Outcome>();
let dir: string;

async function xerces(xml: string, schema: string): Promise<Outcome> {
  try {
    const r = await validateXML(xml, schema);
    return { valid: r.valid, messages: r.messages };
  } catch (e) {
    const err = e as Error & { valid?: boolean; messages?: string[] };
    return { valid: false, messages: err.messages?.length ? err.messages : [err.message] };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sav-xerces-'));
  const set = schemaSet(index.profile);
  for (const f of set.xsds) await writeFile(join(dir, f.name), f.text);
  // One root schema importing every namespace, as the libxml2 validator does.
  const imports = set.xsds
    .map((f) => `<xs:import namespace="${index.profile.namespaces[f.ns!]}" schemaLocation="${f.name}"/>`)
    .join('');
  const root = join(dir, 'all.xsd');
  await writeFile(
    root,
    `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${imports}</xs:schema>`,
  );
  const queue = [...documents];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift())
      outcomes.set(next[0], await xerces(next[1], root));
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Xerces validates every fixture payload against our XSD', () => {
  it.each(documents.filter(([name]) => name !== BROKEN).map(([name]) => [name] as const))('%s', (name) => {
    const outcome = outcomes.get(name);
    expect(outcome, `${name} was validated`).toBeDefined();
    expect(outcome!.messages).toEqual([]);
    expect(outcome!.valid).toBe(true);
  });

  it('and refuses a broken payload, naming the element', () => {
    const outcome = outcomes.get(BROKEN)!;
    expect(outcome.valid).toBe(false);
    expect(outcome.messages.join('\n')).toContain('supplierID');
  });
});
