/**
 * `npm run bench:codec`: microseconds per create message for
 *   (a) our codec: readMessage = guards + libxml2 parse + XSD validation + typed extraction, and
 *   (b) fast-xml-parser parsing the same message alone (no validation, no extraction),
 * measured in the same process, interleaved round by round so that machine load hits both alike.
 * Target: (a) within 1.5x of (b).
 */
import { XMLParser } from 'fast-xml-parser';
import { defaultIndex } from '../src/profile/index.ts';
import { schemaValidator } from '../src/schema/validator.ts';
import { treeKind } from '../src/soap/dom.ts';
import { readMessage } from '../src/soap/read.ts';
import { benchCreateRequest } from '../test/fixtures/build.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const PER_ROUND = Number(process.env.BENCH_ITERATIONS ?? 2000);
const WARMUP = 3000;
const TARGET = 1.5;

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const xml = benchCreateRequest(index);
const bytes = Buffer.from(xml, 'utf8');
// (b) is fast-xml-parser with its default options: the least work it can do, the strictest target.
// For reference, the options a SOAP reader would need (prefixes stripped, attributes kept for xsi:nil).
const fxp = new XMLParser();
const SOAP_OPTIONS = { removeNSPrefix: true, ignoreAttributes: false } as const;
const fxpSoap = new XMLParser(SOAP_OPTIONS);

// Sanity: our side really validates and extracts (a valid message, every field read).
const check = readMessage(xml, index, { validator });
if (check.schemaErrors.length > 0 || check.body.kind !== 'createRequest') {
  throw new Error(`bench message is not a valid create request: ${JSON.stringify(check.schemaErrors)}`);
}
const fieldsRead = Object.keys(check.body.ticket).length;

let sink = 0;
const cases = {
  ours: () => {
    sink += readMessage(xml, index, { validator }).issues.length;
  },
  oursFromBytes: () => {
    sink += readMessage(bytes, index, { validator }).issues.length;
  },
  fxp: () => {
    sink += Object.keys(fxp.parse(xml)).length;
  },
  fxpSoap: () => {
    sink += Object.keys(fxpSoap.parse(xml)).length;
  },
};
type Case = keyof typeof cases;

function round(run: () => void, n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run();
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

for (const run of Object.values(cases)) round(run, WARMUP);
const samples: Record<Case, number[]> = { ours: [], oursFromBytes: [], fxp: [], fxpSoap: [] };
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const name of Object.keys(cases) as Case[]) samples[name].push(round(cases[name], PER_ROUND));
  ratios.push(samples.ours.at(-1)! / samples.fxp.at(-1)!);
}

const us = (name: Case) => median(samples[name]);
const ratio = median(ratios);
const f = (n: number) => n.toFixed(1).padStart(7);
console.log(
  `create message: ${bytes.byteLength} bytes, ${fieldsRead} fields; ${ROUNDS} rounds x ${PER_ROUND} (median)`,
);
console.log(`tree access: ${treeKind()}`);
console.log(`(a) readMessage, XSD validation + extraction (string) ${f(us('ours'))} µs/message`);
console.log(`    readMessage, XSD validation + extraction (Buffer) ${f(us('oursFromBytes'))} µs/message`);
console.log(`(b) fast-xml-parser parse alone, default options         ${f(us('fxp'))} µs/message`);
console.log(
  `    fast-xml-parser parse alone, ${JSON.stringify(SOAP_OPTIONS)} ${f(us('fxpSoap'))} µs/message`,
);
console.log(
  `ratio (a)/(b): ${ratio.toFixed(2)}x (median of per-round ratios; target <= ${TARGET}x) ${ratio <= TARGET ? 'OK' : 'ABOVE TARGET'}`,
);
if (sink === -1) console.log('');
