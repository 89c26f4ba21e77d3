/**
 * The mock OI as msw 2 request handlers: the same engine, documents and control API as the node:http
 * transport, without sockets. For an OC's own tests that call a fake OI URL with fetch (or any
 * client msw intercepts).
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { Logger } from 'pino';
import type { ProfileIndex } from '../../src/profile/index.ts';
import { CONTROL_PREFIX, type MockConfig } from '../config/schema.ts';
import type { MockEngine } from '../engine/types.ts';
import { controlAllow, createControlApi } from './control.ts';
import { serviceDocuments } from './documents.ts';
import { contentTypeOf, headerRefusal, soapActionOf, TransportFaults } from './soap-transport.ts';

/** The handlers, with the engine behind them and `close()` (stops its timers and store). */
export type MockHandlerList<E extends MockEngine = MockEngine> = HttpHandler[] & {
  engine: E;
  /** SOAP endpoint, WSDL and control API URLs under baseUrl. */
  url: string;
  wsdlUrl: string;
  controlUrl: string;
  accounts: MockConfig['accounts'];
  close(): Promise<void>;
};

const XML = { 'content-type': 'text/xml; charset=utf-8' };

export function mswHandlers<E extends MockEngine>(o: {
  baseUrl: string;
  config: MockConfig;
  index: ProfileIndex;
  engine: E;
  logger: Logger;
}): MockHandlerList<E> {
  const base = o.baseUrl.replace(/\/+$/, '');
  const url = `${base}${o.config.path}`;
  const maxBytes = o.index.settings.maxMessageBytes;
  const faults = new TransportFaults(o.index);
  const documents = serviceDocuments(o.index.profile);
  const control = createControlApi({
    engine: o.engine,
    index: o.index,
    ...(o.config.control.token !== undefined ? { token: o.config.control.token } : {}),
    ready: () => true,
    info: () => ({ endpoints: [url], wsdl: [`${url}?wsdl`], control: `${base}${CONTROL_PREFIX}` }),
  });

  const soap = http.post(url, async ({ request }) => {
    const contentType = request.headers.get('content-type') ?? undefined;
    const refused = headerRefusal(contentType, request.headers.get('content-encoding') ?? undefined);
    if (refused) {
      return new HttpResponse(faults.client(refused.faultstring), {
        status: refused.status,
        headers: { ...XML, ...refused.headers },
      });
    }
    const raw = new Uint8Array(await request.arrayBuffer());
    if (raw.byteLength > maxBytes) {
      return new HttpResponse(
        faults.client(
          `message of ${raw.byteLength} bytes refused: the limit is ${maxBytes} bytes (settings.maxMessageBytes)`,
        ),
        { status: 500, headers: XML },
      );
    }
    const soapAction = soapActionOf(request.headers.get('soapaction') ?? undefined, contentType);
    const answer = await o.engine.handleSoap(raw, soapAction !== undefined ? { soapAction } : {});
    o.logger.info({ ...answer.log, status: answer.status, transport: 'msw' }, 'exchange');
    if (answer.inject?.dropConnection) return HttpResponse.error();
    const body = answer.inject?.truncateResponse
      ? Buffer.from(answer.body, 'utf8').subarray(0, Math.floor(Buffer.byteLength(answer.body) / 2))
      : answer.body;
    return new HttpResponse(body, {
      status: answer.status,
      headers: { 'content-type': contentTypeOf(answer.body) },
    });
  });

  const docs = http.get(url, ({ request }) => {
    const params = new URL(request.url).searchParams;
    if ([...params.keys()].some((k) => k.toLowerCase() === 'wsdl'))
      return new HttpResponse(documents.wsdl(url), { headers: XML });
    const name = params.get('xsd');
    const text = name === null ? undefined : documents.xsd(name, url);
    if (text !== undefined) return new HttpResponse(text, { headers: XML });
    return new HttpResponse(
      name === null ? 'GET serves ?wsdl and ?xsd=<name>\n' : `no schema named ${JSON.stringify(name)}\n`,
      {
        // 400 like the socket server: GET is allowed here, with ?wsdl or ?xsd=.
        status: name === null ? 400 : 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      },
    );
  });

  // As the socket server: HEAD is answered as GET without the body, OPTIONS with the route's Allow
  // (no token needed: no route has OPTIONS, the router's 405 names the route's methods).
  const controlHandler = async ({ request }: { request: Request }) => {
    const u = new URL(request.url);
    const answer = await control({
      method: request.method === 'HEAD' ? 'GET' : request.method,
      path: u.pathname.slice(CONTROL_PREFIX.length) || '/',
      query: u.searchParams,
      authorization: request.headers.get('authorization'),
      body: async () => ({ ok: true, text: await request.text() }),
    });
    const headers = { ...answer.headers };
    if (answer.status === 405 && headers.allow) {
      headers.allow = controlAllow(headers.allow);
      if (request.method === 'OPTIONS')
        return new HttpResponse(null, { status: 204, headers: { allow: headers.allow } });
    }
    if (request.method === 'HEAD') {
      return new HttpResponse(null, {
        status: answer.status,
        headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      });
    }
    return HttpResponse.json(answer.body as Record<string, unknown>, { status: answer.status, headers });
  };

  const handlers = [
    soap,
    docs,
    http.all(`${base}${CONTROL_PREFIX}`, controlHandler),
    http.all(`${base}${CONTROL_PREFIX}/*`, controlHandler),
  ];
  return Object.assign(handlers, {
    engine: o.engine,
    url,
    wsdlUrl: `${url}?wsdl`,
    controlUrl: `${base}${CONTROL_PREFIX}`,
    accounts: o.config.accounts,
    close: () => o.engine.close(),
  });
}
