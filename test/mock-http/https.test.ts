/** HTTPS with the generated self-signed certificate: trusted as a CA by node-soap, kept in the data dir. */
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERT_FILE, generateCertificate, KEY_FILE, loadTls } from '../../mock-server/http/tls.ts';
import { startMock } from '../../mock-server/index.ts';
import { httpsFetch, testConfig } from './helpers.ts';
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
    // The data directory is locked while the first mock runs: the next start gets a copy of it.
    const next = await mkdtemp(join(tmpdir(), 'sav-ftth-https-next-'));
    await cp(join(dataDir, 'tls'), join(next, 'tls'), { recursive: true });
    const again = await startMock({ dataDir: next, https: { enabled: true, port: 0 }, port: null });
    try {
      expect(again.tls).toMatchObject({ source: 'reused', cert: first });
      expect(again.url).toMatch(/^https:/);
      const r = await httpsFetch(`${again.url}?wsdl`, first);
      expect(r.status).toBe(200);
      expect(r.body).toContain(`location="${again.url}"`);
    } finally {
      await again.stop();
      await rm(next, { recursive: true, force: true });
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

describe('HTTPS certificate checks', () => {
  it('refuses a configured certificate and key that do not match, naming both keys and files', async () => {
    const other = await generateCertificate('127.0.0.1');
    const otherKey = join(dataDir, 'other-key.pem');
    await writeFile(otherKey, other.key);
    const certPath = join(dataDir, 'tls', CERT_FILE);
    const start = startMock({ https: { enabled: true, cert: certPath, key: otherKey } });
    await expect(start).rejects.toThrow(
      `https.cert (${certPath}) and https.key (${otherKey}) do not match: key values mismatch`,
    );
  });

  it('refuses a configured certificate file that is not a PEM certificate', async () => {
    const notPem = join(dataDir, 'not-a-cert.pem');
    await writeFile(notPem, 'port: 8080\n');
    const start = startMock({
      https: { enabled: true, cert: notPem, key: join(dataDir, 'tls', KEY_FILE) },
    });
    await expect(start).rejects.toThrow(`https.cert (${notPem}) is not a PEM certificate`);
  });

  it('regenerates the stored certificate when the bound host is not among its names, then reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sav-ftth-https-host-'));
    try {
      const first = await loadTls(testConfig({ memory: false, dataDir: dir, https: { enabled: true } }));
      expect(first.source).toBe('generated');
      // 127.0.0.2 is loopback on Linux: a real bind, and a name the first certificate lacks.
      const moved = await startMock({
        dataDir: dir,
        host: '127.0.0.2',
        https: { enabled: true },
        port: null,
      });
      try {
        expect(moved.tls).toMatchObject({
          source: 'regenerated',
          reason: 'the bound host 127.0.0.2 was not in the certificate',
        });
        expect(moved.httpsUrl).toMatch(/^https:\/\/127\.0\.0\.2:\d+\//);
        // A client trusting the new certificate verifies the host it connects to.
        expect((await httpsFetch(`${moved.httpsUrl}?wsdl`, moved.tls!.cert)).status).toBe(200);
        // The names of the replaced certificate are kept.
        expect(new X509Certificate(moved.tls!.cert).checkIP('127.0.0.1')).toBe('127.0.0.1');
      } finally {
        await moved.stop();
      }
      const again = await loadTls(
        testConfig({ memory: false, dataDir: dir, host: '127.0.0.2', https: { enabled: true } }),
      );
      expect(again).toMatchObject({ source: 'reused', cert: moved.tls!.cert });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("covers this machine's interface addresses when bound to every IPv4 address (0.0.0.0)", async () => {
    const tls = await loadTls(
      testConfig({
        host: '0.0.0.0',
        control: { token: 'a-control-token-of-16+' },
        https: { enabled: true },
      }),
    );
    const cert = new X509Certificate(tls.cert);
    const ipv4 = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a?.family === 'IPv4')
      .map((a) => a!.address);
    expect(ipv4.length).toBeGreaterThan(0);
    for (const ip of ipv4) expect(cert.checkIP(ip), ip).toBe(ip);
    expect(tls.names).toEqual(expect.arrayContaining(ipv4));
  });
});
