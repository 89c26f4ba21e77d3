/**
 * The messages of the mock benches (HTTP and in-process): a create on a given PTO, then a get and
 * an OC information (T4) on the ticket it created, all from the first demo OC, all valid.
 */
import { DEFAULT_OI_SIREN, DEMO_ACCOUNTS } from '../mock-server/engine/options.ts';
import { defaultIndex } from '../src/profile/index.ts';
import { exampleTicket } from '../src/rules/examples.ts';
import { MessageWriter } from '../src/soap/write.ts';

export const index = defaultIndex();
const writer = new MessageWriter(index);
const account = DEMO_ACCOUNTS[0]!;
const credentials = { login: account.login, password: account.password };
const KEY = '__KEY__';

export const createBody = (pto: { technicalId: string; commercialId: string }) =>
  writer.createRequest(
    {
      ...exampleTicket('oc.create', index),
      serviceProviderID: account.siren,
      supplierID: DEFAULT_OI_SIREN,
      ...pto,
    },
    credentials,
  );

const getTemplate = writer.getRequest(
  { troubleTicketKey: KEY, supplierID: DEFAULT_OI_SIREN, serviceProviderID: account.siren },
  credentials,
);
const setTemplate = writer.setRequest(
  {
    ...exampleTicket('oc.information', index),
    troubleTicketKey: KEY,
    troubleTicketState: 'QUEUED',
    lastUpdateVersionNumber: String(index.settings.initialVersionNumber),
    serviceProviderID: account.siren,
    supplierID: DEFAULT_OI_SIREN,
  },
  credentials,
);
export const getBody = (key: string) => getTemplate.replace(KEY, key);
export const setBody = (key: string) => setTemplate.replace(KEY, key);

/** The create response the reference servers answer. */
export const fixedCreateResponse = writer.response('createTroubleTicketByValue', {
  troubleTicketKey: 'TT-000001',
  returnCode: '0',
});

export const KEY_IN_ANSWER = /troubleTicketKey>([^<]+)</;
export const RETURN_CODE = /returnCode>([^<]*)</;
