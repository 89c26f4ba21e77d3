/** HTTPS with the generated self-signed certificate: trusted as a CA by node-soap, kept in the data dir. */
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERT_FILE, KEY_FILE } from '../../mock-server/http/tls.ts';
import { startMock } from '../../mock-server/index.ts';
import { httpsFetch } from './helpers.ts';
import { type Mock, OcClient, soapClient, soapValue } from './protocol.ts';

let dataDir: string;
let mock: Mock;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sav-ftth-https-'));
  mock = await startMock({ dataDir, https: { enabled: true } });
});
afterAll(async () => {
  await mock.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('HTTPS', () => {
  it('serves HTTP and HTTPS side by side, with a certificate generated in the data directory', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(mock.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(mock.tls).toMatchObject({ source: 'generated', certPath: join(dataDir, 'tls', CERT_FILE) });
    expect(statSync(join(dataDir, 'tls', KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('answers node-soap over HTTPS when the generated certificate is trusted', async () => {
    const httpsAgent = new Agent({ ca: mock.tls!.cert });
    const account = mock.accounts[0]!;
    const client = await soapClient(`${mock.httpsUrl}?wsdl`, mock.index, account, {
      wsdl_options: { httpsAgent },
    });
    // The WSDL fetched over HTTPS points back at the HTTPS endpoint.
    expect(client.wsdl.services.JVTTroubleTicketSessionWS.ports.JVTTroubleTicketSessionWSPort.location).toBe(
      mock.httpsUrl,
    );
    const oc = new OcClient(client, mock.index, account, mock.config.oiSiren);
    const e = mock.engine.inventory()[0]!;
    const value = oc.actionValue('oc.create', null, 0, {
      technicalId: e.technicalId,
      commercialId: e.commercialId,
    });
    const [result] = await client.createTroubleTicketByValueAsync(
      { troubleTicketValue: soapValue(value, mock.index) },
      { httpsAgent },
    );
    expect(result.troubleTicketResponse.returnCode).toBe('0');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(fetch(`${mock.httpsUrl}?wsdl`)).rejects.toThrow();
  });

  it('reuses the certificate at the next start on the same data directory', async () => {
    const first = mock.tls!.cert;
    const again = await startMock({ dataDir, https: { enabled: true, port: 0 }, port: null });
    try {
      expect(again.tls).toMatchObject({ source: 'reused', cert: first });
      expect(again.url).toMatch(/^https:/);
      const r = await httpsFetch(`${again.url}?wsdl`, first);
      expect(r.status).toBe(200);
      expect(r.body).toContain(`location="${again.url}"`);
    } finally {
      await again.stop();
    }
  });

  it('serves a configured certificate and key', async () => {
    const configured = await startMock({
      https: {
        enabled: true,
        port: 0,
        cert: join(dataDir, 'tls', CERT_FILE),
        key: join(dataDir, 'tls', KEY_FILE),
      },
    });
    try {
      expect(configured.tls?.source).toBe('configured');
      expect((await httpsFetch(`${configured.httpsUrl}?wsdl`, mock.tls!.cert)).status).toBe(200);
    } finally {
      await configured.stop();
    }
  });
});
