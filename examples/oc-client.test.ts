/**
 * Example: testing an OC's own SAV FTTH client against the mock OI, from the OC's vitest suite.
 *
 * Two ways, same engine behind both:
 *  1. `startMock({ port: 0 })`: a real HTTP server on a free port (any client library works);
 *  2. `mockHandlers({ baseUrl })`: msw 2 handlers answering for a fake OI URL without sockets.
 *
 * In your project, import from 'sav-ftth-conformance/mock-server' instead of '../mock-server/index.ts'.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockHandlers, startMock } from '../mock-server/index.ts';

// ---------------------------------------------------------------------------------------------
// The code under test: a (deliberately small) OC client that opens a trouble ticket and reads it.
// ---------------------------------------------------------------------------------------------
const NS = {
  soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
  tt: 'http://ossj.org/xml/TroubleTicket/v1-2',
  cbe: 'http://ossj.org/xml/TroubleTicket-CBETrouble/v1-2',
  bi: 'http://ossj.org/xml/Common-CBEBi/v1-5',
  hdr: 'http://interop-fibre.fr/xml/TroubleTicketHeader/v1-0',
  ftth: 'http://interop-fibre.fr/xml/TroubleTicketValue/v1-2',
};
const OC_SIREN = '380129866';
const OI_SIREN = '343059564';

function envelope(login: string, password: string, body: string): string {
  const decls = Object.entries(NS)
    .map(([p, uri]) => `xmlns:${p}="${uri}"`)
    .join(' ');
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope ${decls}><soapenv:Header><hdr:TroubleTicketHeaderRequest><hdr:LoginName>${login}</hdr:LoginName><hdr:Password>${password}</hdr:Password></hdr:TroubleTicketHeaderRequest></soapenv:Header><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

const text = (xml: string, local: string) => new RegExp(`<(?:\\w+:)?${local}>([^<]*)</`).exec(xml)?.[1];

class OcSavClient {
  constructor(
    private readonly endpoint: string,
    private readonly login: string,
    private readonly password: string,
  ) {}

  private async call(action: string, body: string): Promise<string> {
    const res = await fetch(this.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` },
      body: envelope(this.login, this.password, body),
    });
    return res.text();
  }

  /** Opens a ticket for a customer without signal on a PTO; returns the OI's troubleTicketKey. */
  async openTicket(
    pto: string,
    ourReference: string,
  ): Promise<{ key?: string; returnCode?: string; returnLabel?: string; fault?: string }> {
    const ftth = [
      ['serviceProviderID', OC_SIREN],
      ['supplierID', OI_SIREN],
      ['troubleTicketType', '1'],
      ['offerId', 'FTTH-ACCES-PASSIF-PTO'],
      ['technicalId', pto],
      ['serviceProviderTroubleTicketKey', ourReference],
      ['defectClassId', '1'],
      ['defectDescription', 'PAS DE SIGNAL'],
      ['defectPrelocalization', 'PTO'],
      ['alreadyOperated', 'false'],
    ]
      .map(([k, v]) => `<ftth:${k}>${v}</ftth:${k}>`)
      .join('');
    const xml = await this.call(
      'createTroubleTicketByValue',
      `<tt:createTroubleTicketByValueRequest><tt:troubleTicketValue><bi:interactionDate>${new Date().toISOString()}</bi:interactionDate><bi:description>CASE CREATE REQUEST</bi:description><cbe:troubleTicketKey xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/><cbe:troubleTicketState>QUEUED</cbe:troubleTicketState><cbe:troubleDescription>Plus de signal depuis ce matin</cbe:troubleDescription><cbe:troubleDetectionTime>${new Date().toISOString()}</cbe:troubleDetectionTime><cbe:FTTHMUTTroubleTicket>${ftth}</cbe:FTTHMUTTroubleTicket></tt:troubleTicketValue></tt:createTroubleTicketByValueRequest>`,
    );
    return {
      key: text(xml, 'troubleTicketKey'),
      returnCode: text(xml, 'returnCode'),
      returnLabel: text(xml, 'returnLabel'),
      fault: text(xml, 'faultcode'),
    };
  }

  async state(key: string): Promise<string | undefined> {
    const xml = await this.call(
      'getTroubleTicketByKey',
      `<tt:getTroubleTicketByKeyRequest><tt:troubleTicketKey>${key}</tt:troubleTicketKey><ftth:supplierID>${OI_SIREN}</ftth:supplierID><ftth:serviceProviderID>${OC_SIREN}</ftth:serviceProviderID></tt:getTroubleTicketByKeyRequest>`,
    );
    return text(xml, 'troubleTicketState');
  }
}

// ---------------------------------------------------------------------------------------------
// 1. Against a real server on a free port.
// ---------------------------------------------------------------------------------------------
describe('OC client against startMock()', () => {
  let mock: Awaited<ReturnType<typeof startMock>>;
  beforeAll(async () => {
    mock = await startMock({ port: 0 });
  });
  afterAll(() => mock.stop());

  it('opens a ticket, then sees the OI take it in charge', async () => {
    const { login, password } = mock.accounts[0]!;
    const client = new OcSavClient(mock.url, login, password);
    const pto = mock.engine.inventory()[0]!.technicalId; // a PTO the mock OI knows
    const opened = await client.openTicket(pto, 'OC-2025-0001');
    expect(opened.returnCode).toBe('0');
    expect(await client.state(opened.key!)).toBe('QUEUED');

    // Drive the OI side through the control API (or configure behaviour.takeInChargeAfterMs).
    const res = await fetch(`${mock.controlUrl}/tickets/${opened.key}/actions/oi.takeInCharge`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(await client.state(opened.key!)).toBe('OPENACTIVE');
  });

  it('gets returnCode 2 naming the field when a value breaks the protocol', async () => {
    const { login, password } = mock.accounts[0]!;
    const client = new OcSavClient(mock.url, login, password);
    const opened = await client.openTicket(`FI-${'9'.repeat(60)}`, 'OC-2025-0004'); // technicalId: 50 characters at most
    expect(opened.returnCode).toBe('2');
    expect(opened.returnLabel).toMatch(/^technicalId/);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Without sockets: msw intercepts the client's fetch calls to a fake OI URL.
// ---------------------------------------------------------------------------------------------
describe('OC client against mockHandlers() (msw)', () => {
  const handlers = mockHandlers({
    baseUrl: 'https://oi.example.test',
    behaviour: { rejectUnknownPto: true },
  });
  const server = setupServer(...handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(async () => {
    server.close();
    await handlers.close();
  });

  it('opens a ticket on a PTO the OI does not know: accepted, then closed with ERR01', async () => {
    const { login, password } = handlers.accounts[0]!;
    const client = new OcSavClient(handlers.url, login, password);
    const opened = await client.openTicket('FI-0000-0000', 'OC-2025-0002');
    expect(opened.returnCode).toBe('0');
    await handlers.engine.settle(); // the OI's intake checks run after the answer
    expect(await client.state(opened.key!)).toBe('CLOSED');
    const ticket = (await (await fetch(`${handlers.controlUrl}/tickets/${opened.key}`)).json()) as {
      ticket: { fields: Record<string, string> };
    };
    expect(ticket.ticket.fields.troubleTicketClosureCode).toBe('ERR01');
  });

  it('gets a SOAP Client fault when its password is wrong', async () => {
    const client = new OcSavClient(handlers.url, handlers.accounts[0]!.login, 'wrong');
    const res = await client.openTicket('FI-0000-0001', 'OC-2025-0003');
    expect(res.fault).toMatch(/:Client$/);
    expect(res.returnCode).toBeUndefined();
  });
});
