/**
 * Deliberately broken implementations, as wrappers in front of correct ones: each forwards every
 * request to the real implementation (the mock OI, or the reference OC) and breaks one thing in the
 * answer. The conformance run against each must fail on exactly the checks of that one thing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultIndex } from '../../src/profile/index.ts';
import { postSoap } from '../../src/scenario/http.ts';
import type { Interceptor } from '../../src/scenario/targets.ts';
import type { DecodedMessage } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const index = defaultIndex();
const writer = new MessageWriter(index);
const { returnCodes, settings } = index.profile;

interface Answer {
  status: number;
  body: string;
}

/** What a double does with one exchange: change the answer, or never answer (`hang`). */
type Alter = (request: string, answer: Answer) => Answer | 'hang';

function decode(text: string): DecodedMessage | undefined {
  try {
    return readMessage(text, index);
  } catch {
    return undefined;
  }
}

/** A node:http server forwarding POSTs to `upstream` and altering the answers. */
function wrapper(alter: Alter): Interceptor {
  return async (upstream) => {
    const hanging = new Set<http.ServerResponse>();
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const soapAction = req.headers.soapaction;
        const x = await postSoap(upstream, body, {
          timeoutMs: 10_000,
          maxBytes: settings.maxMessageBytes,
          ...(typeof soapAction === 'string' ? { soapAction } : {}),
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        });
        if (x.response === undefined) {
          res.writeHead(502).end(x.error ?? 'upstream failed');
          return;
        }
        const out = alter(body, { status: x.httpStatus ?? 502, body: x.response });
        if (out === 'hang') {
          hanging.add(res);
          return;
        }
        res.writeHead(out.status, { 'content-type': 'text/xml; charset=utf-8' }).end(out.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}${new URL(upstream).pathname}`;
    return {
      url,
      close: async () => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  };
}

const responseOf = (text: string) => {
  const m = decode(text);
  return m?.body.kind === 'ticketResponse' ? m.body.response : undefined;
};
const labelNames = (label: string | null | undefined, field: string) =>
  !!label && new RegExp(`^${field}\\b`).test(label);

/** An OI that accepts a create missing `field` (answers returnCode 0 where 1 is due). */
export const acceptsMissingField = (field: string): Interceptor =>
  wrapper((request, answer) => {
    const req = decode(request);
    const r = responseOf(answer.body);
    if (
      req?.body.kind === 'createRequest' &&
      r?.returnCode === returnCodes.missing &&
      labelNames(r.returnLabel, field)
    ) {
      return {
        status: 200,
        body: writer.response('createTroubleTicketByValue', {
          troubleTicketKey: 'TT-ACCEPTE',
          returnCode: returnCodes.success,
        }),
      };
    }
    return answer;
  });

/** An OI that lets the OC cancel (`description`, to `state`) from any state: the illegal transition is acknowledged. */
export const allowsIllegalTransition = (description: string, state: string): Interceptor =>
  wrapper((request, answer) => {
    const req = decode(request);
    const r = responseOf(answer.body);
    if (
      req?.body.kind === 'setRequest' &&
      req.body.ticket.description === description &&
      req.body.ticket.troubleTicketState === state &&
      r?.returnCode === returnCodes.invalid &&
      labelNames(r.returnLabel, settings.illegalTransitionField)
    ) {
      return {
        status: 200,
        body: writer.response('setTroubleTicketByValue', {
          troubleTicketKey: r.troubleTicketKey,
          returnCode: returnCodes.success,
        }),
      };
    }
    return answer;
  });

/** An OI that sends its SOAP faults with HTTP 200. */
export const faultsWithHttp200: Interceptor = wrapper((_request, answer) =>
  answer.status === 500 ? { status: 200, body: answer.body } : answer,
);

/** An OI that answers with the ftth elements in the SAV 3.0 namespace instead of 2.1's. */
export const wrongFtthNamespace: Interceptor = wrapper((_request, answer) => ({
  status: answer.status,
  body: answer.body.split(index.ns.ftth).join('http://interop-fibre.fr/xml/TroubleTicketValue/v3-0'),
}));

/** An OC that refuses every push it should accept, with returnCode 2. */
export const ocRefusesPushes: Interceptor = wrapper((_request, answer) => {
  const r = responseOf(answer.body);
  if (r?.returnCode !== returnCodes.success) return answer;
  return {
    status: 200,
    body: writer.response('setTroubleTicketByValue', {
      troubleTicketKey: r.troubleTicketKey,
      returnCode: returnCodes.invalid,
      returnLabel: `${settings.illegalTransitionField} : action refusée`,
    }),
  };
});

/** An OC that never answers the pushes it should accept. */
export const ocNeverAnswers: Interceptor = wrapper((_request, answer) =>
  responseOf(answer.body)?.returnCode === returnCodes.success ? 'hang' : answer,
);
