/**
 * Requests decoded on a worker thread read exactly as in the event loop (messages, codec errors,
 * schema errors), and a worker that dies costs no request: they are decoded in the thread instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecodePool, decodeInThread } from '../../mock-server/engine/decoder.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { CodecError } from '../../src/soap/errors.ts';
import { createValue, cred, engine, index, OC1, OI_SIREN, setValue, writer } from './helpers.ts';

const inThread = decodeInThread(index, schemaValidator(index.profile));
let pool: DecodePool;

beforeAll(async () => {
  pool = new DecodePool(index, inThread, 1, true);
  while (pool.ready === 0) await new Promise((r) => setTimeout(r, 20));
});
afterAll(() => pool.close());

const samples: [string, string][] = [
  ['a create', writer.createRequest(createValue(), cred(OC1))],
  ['a create breaking the schema', writer.createRequest(createValue({ interactionDate: 'hier' }), cred(OC1))],
  [
    'a set',
    writer.setRequest(setValue('TT-000001', 'SP CASE INFORMATION NOTIFICATION', 'QUEUED', 1), cred(OC1)),
  ],
  ['a get', writer.getRequest({ troubleTicketKey: 'TT-000001', supplierID: OI_SIREN }, cred(OC1))],
  [
    'a response',
    writer.response('createTroubleTicketByValue', { troubleTicketKey: 'TT-1', returnCode: '0' }),
  ],
  ['a fault', writer.fault({ faultcode: 'Client', faultstring: 'x' })],
  ['malformed XML', '<soapenv:Envelope'],
  [
    'a SOAP 1.2 envelope',
    '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
  ],
  ['a DTD', '<!DOCTYPE x [<!ENTITY a "b">]><x/>'],
  ['not UTF-8', '\u00ff\u00fe<x/>'],
];

async function outcome(decode: () => unknown) {
  try {
    return { message: await decode() };
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    const c = e as CodecError;
    return { error: { kind: c.kind, message: c.message, line: c.line } };
  }
}

describe('a decoding worker', () => {
  it.each(samples)('reads %s as the event loop does', async (_name, xml) => {
    const raw = Buffer.from(xml, xml.startsWith('\u00ff') ? 'latin1' : 'utf8');
    const viaWorker = pool.decode(raw);
    expect(viaWorker).toBeInstanceOf(Promise);
    expect(await outcome(() => viaWorker)).toEqual(await outcome(() => inThread(raw)));
  });

  it('decodes in the thread what a worker that died had not answered', async () => {
    const lonely = new DecodePool(index, inThread, 1, true);
    while (lonely.ready === 0) await new Promise((r) => setTimeout(r, 20));
    const raw = Buffer.from(samples[0]![1]);
    const inFlight = Array.from({ length: 20 }, () => lonely.decode(raw));
    await lonely.close();
    const after = lonely.decode(raw);
    expect(after).not.toBeInstanceOf(Promise);
    for (const m of await Promise.all(inFlight)) expect(m).toEqual(inThread(raw));
  });

  it('an engine with a decode worker answers from its first request on (decoded here until the worker is ready)', async () => {
    const e = engine({ decodeWorkers: 1 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          e.handleSoap(
            Buffer.from(
              writer.createRequest(createValue({ technicalId: `FI-1111-000${(i % 4) + 1}` }), cred(OC1)),
            ),
            {},
          ),
        ),
      );
      expect(answers.map((a) => a.log.returnCode)).toEqual(['0', '0', '0', '0', '0']);
    } finally {
      await e.close();
    }
  });
});
