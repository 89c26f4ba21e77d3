/** Shared setup of the engine tests: an engine in memory, envelopes built by MessageWriter, answers decoded. */
import {
  createEngine,
  DEMO_ACCOUNTS,
  type EngineOptions,
  type LocalMockEngine,
} from '../../mock-server/engine/index.ts';
import type { InventoryEntry, SoapAnswer } from '../../mock-server/engine/types.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import type { Credentials, DecodedMessage, TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

export const index = defaultIndex();
export const writer = new MessageWriter(index);
export const OC1 = DEMO_ACCOUNTS[0]!;
export const OC2 = DEMO_ACCOUNTS[1]!;
export const cred = (a: { login: string; password: string }): Credentials => ({
  login: a.login,
  password: a.password,
});
export const OI_SIREN = '343059564';

export const INVENTORY: InventoryEntry[] = [
  { technicalId: 'FI-1111-0001', commercialId: 'ACC-0000000001', offerId: 'FTTH-ACCES-PASSIF-PTO' },
  { technicalId: 'FI-1111-0002', commercialId: 'ACC-0000000002', offerId: 'FTTH-ACCES-PASSIF-PTO' },
  { technicalId: 'FI-1111-0003', commercialId: 'ACC-0000000003', offerId: 'FTTH-ACCES-PASSIF-PTO' },
  { technicalId: 'FI-1111-0004', commercialId: 'ACC-0000000004', offerId: 'FTTH-ACCES-PASSIF-PTO' },
];

export function engine(options: EngineOptions = {}): LocalMockEngine {
  return createEngine({ inventory: { entries: INVENTORY }, ...options });
}

let spKey = 0;

/** A create (T1) every rule accepts, on an inventory PTO, for OC1 unless told otherwise. */
export function createValue(overrides: TicketValue = {}, siren = OC1.siren): TicketValue {
  return {
    interactionDate: '2025-01-06T09:00:00Z',
    description: 'CASE CREATE REQUEST',
    troubleTicketState: 'QUEUED',
    troubleDescription: 'Plus de synchronisation depuis hier soir',
    troubleDetectionTime: '2025-01-05T20:00:00Z',
    serviceProviderID: siren,
    supplierID: OI_SIREN,
    troubleTicketType: '1',
    offerId: 'FTTH-ACCES-PASSIF-PTO',
    technicalId: INVENTORY[0]!.technicalId,
    serviceProviderTroubleTicketKey: `OC-${++spKey}`,
    defectClassId: '1',
    defectDescription: 'PAS DE SIGNAL',
    defectPrelocalization: 'PTO',
    alreadyOperated: 'true',
    ...overrides,
  };
}

/** The fields every OC set carries (§8), for a ticket as the OC knows it. */
export function setValue(
  key: string,
  description: string,
  state: string,
  version: number,
  extra: TicketValue = {},
  siren = OC1.siren,
): TicketValue {
  return {
    lastUpdateVersionNumber: String(version),
    interactionDate: '2025-01-06T10:00:00Z',
    description,
    troubleTicketKey: key,
    troubleTicketState: state,
    serviceProviderID: siren,
    supplierID: OI_SIREN,
    ...extra,
  };
}

export interface Exchange {
  answer: SoapAnswer;
  msg: DecodedMessage;
  returnCode?: string | null;
  returnLabel?: string | null;
  key?: string | null;
  ticket?: TicketValue;
}

export async function call(e: LocalMockEngine, xml: string, soapAction?: string): Promise<Exchange> {
  const answer = await e.handleSoap(new TextEncoder().encode(xml), soapAction ? { soapAction } : {});
  const msg = readMessage(answer.body, index);
  const out: Exchange = { answer, msg };
  if (msg.body.kind === 'ticketResponse') {
    out.returnCode = msg.body.response.returnCode;
    out.returnLabel = msg.body.response.returnLabel;
    out.key = msg.body.response.troubleTicketKey;
    if (msg.body.ticket) out.ticket = msg.body.ticket;
  }
  return out;
}

export const create = (e: LocalMockEngine, value: TicketValue = createValue(), account = OC1) =>
  call(e, writer.createRequest(value, cred(account)));

export const set = (e: LocalMockEngine, value: TicketValue, account = OC1) =>
  call(e, writer.setRequest(value, cred(account)));

export const getByKey = (e: LocalMockEngine, key: string, account = OC1, attrNames?: string[]) =>
  call(
    e,
    writer.getRequest(
      {
        troubleTicketKey: key,
        ...(attrNames ? { attrNames } : {}),
        supplierID: OI_SIREN,
        serviceProviderID: account.siren,
      },
      cred(account),
    ),
  );

/** A get by technicalId (R9, §3): the newest ticket of that PTO for the OC. */
export const getByTechnicalId = (
  e: LocalMockEngine,
  technicalId: string,
  account = OC1,
  attrNames?: string[],
) =>
  call(
    e,
    writer.getRequest(
      {
        ...(attrNames ? { attrNames } : {}),
        technicalId,
        supplierID: OI_SIREN,
        serviceProviderID: account.siren,
      },
      cred(account),
    ),
  );

/** Creates a ticket and waits for the OI's intake checks; returns its key. */
export async function newTicket(
  e: LocalMockEngine,
  overrides: TicketValue = {},
  account = OC1,
): Promise<string> {
  const r = await create(e, createValue(overrides, account.siren), account);
  if (r.returnCode !== '0' || !r.key)
    throw new Error(`create refused: ${r.returnCode} ${r.returnLabel} ${r.answer.body}`);
  await e.settle();
  return r.key;
}

export const fault = (x: Exchange) => (x.msg.body.kind === 'fault' ? x.msg.body.fault : undefined);
