/**
 * Interop with a third-party SOAP stack: node-soap (as a client) loads our WSDL, from disk and as
 * served at `<endpoint>?wsdl` / `?xsd=`, builds requests our codec reads back to the same values,
 * sends the SOAPAction the WSDL declares, and reads our responses.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import * as soap from 'soap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { EXAMPLE_KEY, exampleTicket } from '../../src/rules/examples.ts';
import { CONTENT_TYPE, schemaForQuery, schemaSet, servedSchemaSet } from '../../src/schema/files.ts';
import type { GetRequest, TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const profile = index.profile;
const writer = new MessageWriter(index);
const CREDENTIALS = { login: 'oc-orange', password: 'p@ss & <word>' };
const PATH = profile.service.path;

interface Captured {
  body: string;
  soapAction: string | undefined;
}
let server: Server;
let endpoint: string;
const captured: Captured[] = [];

/** A stand-in OI: serves the published set, records each request, answers with our writer. */
function handle(req: IncomingMessage, body: string): { status: number; text: string } {
  const url = new URL(req.url ?? '/', endpoint);
  if (req.method === 'GET') {
    const file = schemaForQuery(servedSchemaSet(profile, endpoint), url.search);
    return file ? { status: 200, text: file.text } : { status: 404, text: 'not found' };
  }
  captured.push({ body, soapAction: req.headers.soapaction as string | undefined });
  const msg = readMessage(body, index);
  const op = msg.operation!;
  if (op.kind === 'create' || op.kind === 'set') {
    return {
      status: 200,
      text: writer.response(op.name, { troubleTicketKey: EXAMPLE_KEY, returnCode: '0' }),
    };
  }
  if (op.kind === 'get')
    return { status: 200, text: writer.getResponse({ troubleTicketKey: EXAMPLE_KEY, returnCode: '0' }) };
  return { status: 200, text: writer.metaResponse(op.name, op.meta?.values ?? []) };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let answer: { status: number; text: string };
      try {
        answer = handle(req, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        answer = { status: 500, text: String(e) };
      }
      res.writeHead(answer.status, { 'content-type': CONTENT_TYPE });
      res.end(answer.text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** TicketValue → node-soap arguments: value fields at the top, ftth fields in FTTHMUTTroubleTicket. */
function soapArgs(ticket: TicketValue) {
  const value: Record<string, unknown> = {};
  const ftth: Record<string, unknown> = {};
  for (const f of profile.fields) {
    if (!(f.name in ticket)) continue;
    (f.group === 'ftth' ? ftth : value)[f.name] = ticket[f.name];
  }
  if (Object.keys(ftth).length > 0) value.FTTHMUTTroubleTicket = ftth;
  return { troubleTicketValue: value };
}

async function clientFor(wsdl: string) {
  const client = await soap.createClientAsync(wsdl, { endpoint });
  const h = profile.prefixes.hdr;
  client.addSoapHeader({
    [`${h}:TroubleTicketHeaderRequest`]: {
      [`${h}:LoginName`]: CREDENTIALS.login,
      [`${h}:Password`]: CREDENTIALS.password,
    },
  });
  return client;
}

// biome-ignore lint/suspicious/noExplicitAny: node-soap generates its methods at run time
type AnyClient = any;
let diskClient: AnyClient;
let servedClient: AnyClient;
beforeAll(async () => {
  diskClient = await clientFor(resolve(import.meta.dirname, '../../schema', schemaSet(profile).wsdl.name));
  servedClient = await clientFor(`${endpoint}?wsdl`);
});

function lastRequest(): Captured {
  const last = captured.at(-1);
  if (!last) throw new Error('no request reached the server');
  return last;
}

describe('node-soap loads our WSDL', () => {
  it('from disk and from <endpoint>?wsdl, with every profile operation on the port', () => {
    for (const client of [diskClient, servedClient]) {
      const described = client.describe()[profile.service.service][profile.service.port];
      expect(Object.keys(described)).toEqual(profile.operations.map((o) => o.name));
    }
  });
});

describe('requests built by node-soap read back to the same values', () => {
  const special = 'Coupure totale & <intermittente> depuis 8h — « Ç »';
  const cases = index.activeActions.map((a) => {
    const ticket = exampleTicket(a.id, index, { full: true });
    if (a.operation === 'createTroubleTicketByValue') ticket.troubleDescription = special;
    return [`${a.catalogue} ${a.id}`, a.operation, ticket] as const;
  });

  it.each(cases)('%s (%s)', async (_name, operation, ticket) => {
    const [result] = await servedClient[`${operation}Async`](soapArgs(ticket));
    const sent = lastRequest();
    expect(sent.soapAction?.replace(/"/g, '')).toBe(operation);
    const msg = readMessage(sent.body, index);
    expect(msg.direction).toBe('request');
    expect(msg.operation?.name).toBe(operation);
    expect(msg.credentials).toEqual(CREDENTIALS);
    expect(msg.issues).toEqual([]);
    expect(msg.body).toEqual({
      kind: operation === 'createTroubleTicketByValue' ? 'createRequest' : 'setRequest',
      ticket,
    });
    // And node-soap reads our response.
    expect(result.troubleTicketResponse).toMatchObject({ troubleTicketKey: EXAMPLE_KEY, returnCode: '0' });
  });

  const create = exampleTicket('oc.create', index, { full: true });
  const gets: [string, GetRequest][] = [
    [
      'by key',
      {
        troubleTicketKey: EXAMPLE_KEY,
        supplierID: create.supplierID!,
        serviceProviderID: create.serviceProviderID!,
      },
    ],
    [
      'by technicalId',
      {
        technicalId: create.technicalId ?? 'FI-1234-5678',
        supplierID: create.supplierID!,
        serviceProviderID: create.serviceProviderID!,
      },
    ],
  ];
  it.each(gets)('getTroubleTicketByKey %s', async (_name, get) => {
    const [result] = await diskClient.getTroubleTicketByKeyAsync(get);
    const msg = readMessage(lastRequest().body, index);
    expect(msg.operation?.name).toBe('getTroubleTicketByKey');
    expect(msg.credentials).toEqual(CREDENTIALS);
    expect(msg.body).toEqual({ kind: 'getRequest', get });
    expect(result.troubleTicketResponse.troubleTicketKey).toBe(EXAMPLE_KEY);
  });

  it.each(profile.operations.filter((o) => o.kind === 'meta').map((o) => [o.name, o] as const))(
    'meta %s',
    async (name, op) => {
      const args = op.meta?.requestChild ? { [op.meta.requestChild]: 'TroubleTicketStateChangeEvent' } : {};
      await diskClient[`${name}Async`](args);
      const sent = lastRequest();
      expect(sent.soapAction?.replace(/"/g, '')).toBe(name);
      const msg = readMessage(sent.body, index);
      expect(msg.operation?.name).toBe(name);
      expect(msg.body).toEqual({
        kind: 'metaRequest',
        ...(op.meta?.requestChild ? { eventType: 'TroubleTicketStateChangeEvent' } : {}),
      });
    },
  );
});
