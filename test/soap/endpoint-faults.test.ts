/**
 * The mock's SOAP endpoint answers codec errors as a SOAP 1.1 server: the fault detail follows the
 * operation the Body names (not the SOAPAction), and a header entry it must but cannot understand
 * stops the request with a MustUnderstand fault.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { call, createValue, cred, engine, fault, index, OC1, writer } from '../mock-engine/helpers.ts';

const e = engine();
afterAll(() => e.close());
const ns = index.ns;
const s = index.profile.prefixes.soapenv;
const bare = `<?xml version="1.0" encoding="UTF-8"?><${s}:Envelope xmlns:${s}="${ns.soapenv}"><${s}:Body><tt:createTroubleTicketByValueRequest xmlns:tt="${ns.tt}"/></${s}:Body></${s}:Envelope>`;

describe('fault detail follows the Body, whatever the SOAPAction (model §1, §3)', () => {
  it.each([
    ['no SOAPAction', undefined],
    ['its own SOAPAction', 'createTroubleTicketByValue'],
    ['another operation’s SOAPAction', 'getTroubleTicketByKey'],
  ])('a create request without troubleTicketValue, %s', async (_name, action) => {
    const x = await call(e, bare, action);
    expect(x.answer.status).toBe(500);
    expect(fault(x)).toMatchObject({
      faultcode: `${s}:Client`,
      exception: 'createTroubleTicketByValueException',
      choice: 'ossIllegalArgumentException',
    });
    expect(fault(x)?.faultstring).toContain('troubleTicketValue');
  });
});

describe('a SOAP 1.2 envelope (VersionMismatch) carries no detail: its error is not one of the Body (SOAP 1.1 §4.4)', () => {
  const soap12 = bare.replaceAll(ns.soapenv, 'http://www.w3.org/2003/05/soap-envelope');
  it.each([
    ['no SOAPAction', undefined],
    ['a SOAPAction naming an operation', 'createTroubleTicketByValue'],
  ])('%s', async (_name, action) => {
    const x = await call(e, soap12, action);
    expect(x.answer.status).toBe(500);
    expect(fault(x)?.faultcode).toBe(`${s}:VersionMismatch`);
    expect(fault(x)?.exception).toBeUndefined();
    expect(x.answer.body).not.toContain('detail>');
  });
});

describe('SOAP 1.1 mustUnderstand on the mock (server role)', () => {
  const request = (entry: string) =>
    writer
      .createRequest(createValue(), cred(OC1))
      .replace(new RegExp(`<${s}:Header>`), `<${s}:Header>${entry}`);

  it('an unknown header entry with mustUnderstand="1" is refused with MustUnderstand, nothing created', async () => {
    const before = e.listTickets({}).length;
    const x = await call(e, request(`<w:Security xmlns:w="urn:example:wss" ${s}:mustUnderstand="1"/>`));
    expect(x.answer.status).toBe(500);
    expect(fault(x)?.faultcode).toBe(`${s}:MustUnderstand`);
    expect(fault(x)?.faultstring).toContain('<Security> ({urn:example:wss})');
    expect(e.listTickets({}).length).toBe(before);
  });

  it('the same entry with mustUnderstand="0" is ignored: the ticket is created', async () => {
    const x = await call(e, request(`<w:Security xmlns:w="urn:example:wss" ${s}:mustUnderstand="0"/>`));
    expect(x.returnCode).toBe('0');
  });
});
