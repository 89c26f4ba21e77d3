/**
 * A real OC under test for role oi, driven by the --interactive prompts as an operator would: it
 * performs what each prompt says (the action, the ticket, the values to set and the fields to leave
 * out), and reads a ticket back before changing it (§1: an OC may poll with getTroubleTicketByKey).
 * Its endpoint accepts every push (returnCode 0).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultIndex } from '../../src/profile/index.ts';
import { actionData, makeFaker } from '../../src/scenario/data.ts';
import type { Prompt } from '../../src/scenario/environment.ts';
import { postSoap } from '../../src/scenario/http.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);

export const OC_ACCOUNT = { login: 'oc-under-test', password: 'oc-pw', siren: '380129866' };

export interface PromptedOc {
  /** Where the OI pushes. */
  endpointUrl: string;
  /** The operator: performs each prompt with the OC, then confirms. */
  prompt: Prompt;
  /** Every prompt text, in order. */
  asked: string[];
  /** The OI service the OC sends its requests to, and the OI's SIREN (once the harness is set up). */
  oiUrl: string;
  oiSiren: string;
  close(): Promise<void>;
}

const ACTION = /^"(.+?)" \((oc\.\w+)\)(?: on ticket (\S+))?(?: with (\{.*\}))?(?: without (.+))?$/s;

export async function promptedOc(): Promise<PromptedOc> {
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      let key: string | null = null;
      try {
        const msg = readMessage(Buffer.concat(parts), index);
        if (msg.body.kind === 'setRequest') key = msg.body.ticket.troubleTicketKey ?? null;
      } catch {
        /* answered all the same */
      }
      const xml = writer.response('setTroubleTicketByValue', { troubleTicketKey: key, returnCode: '0' });
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const faker = makeFaker(11);
  const oc: PromptedOc = {
    endpointUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oc`,
    asked: [],
    oiUrl: '',
    oiSiren: '',
    prompt: {
      ask: async (text) => {
        oc.asked.push(text);
        await perform(text.replace(/^Make the OC under test perform: /, '').replace(/\.$/, ''));
        return true;
      },
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const post = async (xml: string, soapAction: string) => {
    const x = await postSoap(oc.oiUrl, xml, {
      soapAction,
      timeoutMs: 5_000,
      maxBytes: index.settings.maxMessageBytes,
    });
    return x.response ? readMessage(x.response, index) : undefined;
  };
  const read = async (key: string) => {
    const msg = await post(
      writer.getRequest(
        { troubleTicketKey: key, supplierID: oc.oiSiren, serviceProviderID: OC_ACCOUNT.siren },
        OC_ACCOUNT,
      ),
      'getTroubleTicketByKey',
    );
    return msg?.body.kind === 'ticketResponse' ? msg.body.ticket : undefined;
  };
  async function perform(what: string): Promise<void> {
    const rd = /^read ticket (\S+)$/.exec(what);
    if (rd) {
      await read(rd[1]!);
      return;
    }
    const m = ACTION.exec(what);
    const a = m && index.profile.actions.find((x) => x.id === m[2]);
    if (!m || !a) throw new Error(`the OC cannot perform: ${what}`);
    const [, , , key, set, without] = m;
    const parties = { ocSiren: OC_ACCOUNT.siren, oiSiren: oc.oiSiren };
    let known: { key: string; state: string; version: number } | undefined;
    if (key) {
      const t = (await read(key)) as TicketValue;
      known = { key, state: t.troubleTicketState!, version: Number(t.lastUpdateVersionNumber) };
    }
    const ticket = actionData(
      a,
      { index, faker, parties, ...(known ? { ticket: known } : {}) },
      { set: set ? (JSON.parse(set) as TicketValue) : {} },
    );
    for (const f of without?.split(', ') ?? []) delete ticket[f];
    await post(
      key ? writer.setRequest(ticket, OC_ACCOUNT) : writer.createRequest(ticket, OC_ACCOUNT),
      a.operation,
    );
  }
  return oc;
}
