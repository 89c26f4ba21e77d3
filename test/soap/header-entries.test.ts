/**
 * SOAP 1.1 header entries as a server processes them: only the entries addressed to this recipient
 * must be understood (§4.2.2, §4.2.3), they are processed before the Body (§4.2.3), and the faults
 * they cause carry no detail (§4.4).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DecodePool, decodeInThread } from '../../mock-server/engine/decoder.ts';
import { codecErrorAnswer } from '../../src/rules/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { CodecError } from '../../src/soap/errors.ts';
import { ACTOR_NEXT, readMessage } from '../../src/soap/read.ts';
import { call, createValue, cred, engine, fault, index, OC1, writer } from '../mock-engine/helpers.ts';

const validator = schemaValidator(index.profile);
const s = index.profile.prefixes.soapenv;
const CREATE = writer.createRequest(createValue(), cred(OC1));
const withHeader = (entry: string, xml = CREATE) =>
  xml.replace(new RegExp(`<${s}:Header>`), `<${s}:Header>${entry}`);
const withBody = (xml: string, body: string) =>
  xml.replace(new RegExp(`(<${s}:Body>).*(</${s}:Body>)`), `$1${body}$2`);

function codecError(raw: string): CodecError {
  try {
    readMessage(raw, index, { validator });
  } catch (e) {
    if (e instanceof CodecError) return e;
    throw e;
  }
  throw new Error('expected a CodecError, the message was read');
}

describe('mustUnderstand counts only for entries addressed to this recipient (SOAP 1.1 §4.2.2)', () => {
  it('an unknown mandatory entry for another actor is ignored: the request is read', () => {
    const xml = withHeader(`<x:Security xmlns:x="urn:x" ${s}:actor="urn:other" ${s}:mustUnderstand="1"/>`);
    const msg = readMessage(xml, index, { validator });
    expect(msg.direction).toBe('request');
    expect(msg.credentials).toEqual(cred(OC1));
  });

  it('the same entry addressed to the actor "next" (this recipient) is a MustUnderstand fault', () => {
    const error = codecError(
      withHeader(`<x:Security xmlns:x="urn:x" ${s}:actor="${ACTOR_NEXT}" ${s}:mustUnderstand="1"/>`),
    );
    expect(error.kind).toBe('MUST_UNDERSTAND');
    expect(error.message).toContain('<Security> ({urn:x})');
  });
});

describe('mandatory header entries are processed before the Body (SOAP 1.1 §4.2.3)', () => {
  const unknownEntry = `<x:Security xmlns:x="urn:x" ${s}:mustUnderstand="1"/>`;

  it('an unknown mandatory entry and an unknown Body element: MustUnderstand wins', () => {
    const error = codecError(withBody(withHeader(unknownEntry), '<y:foo xmlns:y="urn:y"/>'));
    expect(error.kind).toBe('MUST_UNDERSTAND');
    expect(codecErrorAnswer(error, index).faultcode).toBe('MustUnderstand');
  });

  it('an unknown mandatory entry and an operation in the wrong namespace: MustUnderstand wins', () => {
    const error = codecError(
      withBody(withHeader(unknownEntry), '<y:createTroubleTicketByValueRequest xmlns:y="urn:y"/>'),
    );
    expect(error.kind).toBe('MUST_UNDERSTAND');
  });

  it('without the entry, the unknown Body element is still told as such', () => {
    expect(codecError(withBody(CREATE, '<y:foo xmlns:y="urn:y"/>')).kind).toBe('UNKNOWN_OPERATION');
  });
});

describe('header entry faults carry no detail (SOAP 1.1 §4.4)', () => {
  const e = engine();
  afterAll(() => e.close());

  it('the MustUnderstand fault of the mock has no <detail>', async () => {
    const x = await call(e, withHeader(`<w:Security xmlns:w="urn:w" ${s}:mustUnderstand="1"/>`));
    expect(x.answer.status).toBe(500);
    expect(fault(x)?.faultcode).toBe(`${s}:MustUnderstand`);
    expect(fault(x)?.faultstring).toContain('<Security> ({urn:w})');
    expect(x.answer.body).not.toContain('<detail');
  });

  it('the Client fault for a mustUnderstand value other than 0 or 1 has no <detail>', async () => {
    const x = await call(e, withHeader(`<w:Trace xmlns:w="urn:w" ${s}:mustUnderstand="true"/>`));
    expect(fault(x)?.faultcode).toBe(`${s}:Client`);
    expect(fault(x)?.faultstring).toContain('soapenv:mustUnderstand="true"');
    expect(x.answer.body).not.toContain('<detail');
  });

  it('decoded on a worker thread too (the mock’s default), the error still says it is a header entry’s', async () => {
    const pool = new DecodePool(index, decodeInThread(index, validator), 1, true);
    try {
      while (pool.ready === 0) await new Promise((r) => setTimeout(r, 20));
      const raw = Buffer.from(withHeader(`<w:Security xmlns:w="urn:w" ${s}:mustUnderstand="1"/>`));
      const viaWorker = pool.decode(raw);
      expect(viaWorker).toBeInstanceOf(Promise);
      const error = await (viaWorker as Promise<unknown>).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(CodecError);
      expect(error).toMatchObject({ kind: 'MUST_UNDERSTAND', header: true });
    } finally {
      await pool.close();
    }
  });

  it('a fault about the Body still carries its operation’s detail', async () => {
    const x = await call(
      e,
      withBody(CREATE, `<tt:createTroubleTicketByValueRequest xmlns:tt="${index.ns.tt}"/>`),
    );
    expect(fault(x)).toMatchObject({
      faultcode: `${s}:Client`,
      exception: 'createTroubleTicketByValueException',
    });
  });
});
