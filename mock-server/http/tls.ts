/**
 * The HTTPS certificate: the configured cert/key pair, or a self-signed one generated at first
 * start and kept in the data directory so that an OC can pin it once and keep trusting it.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readPem } from '../config/load.ts';
import type { MockConfig } from '../config/schema.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Where the certificate lives: a configured file, the data directory, or memory only. */
  source: 'configured' | 'generated' | 'reused' | 'memory';
  certPath?: string;
}

export const CERT_FILE = 'mock-cert.pem';
export const KEY_FILE = 'mock-key.pem';

const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');

/** Names the generated certificate is valid for: loopback, this machine, and the bound host. */
function altNames(host: string) {
  const dns = new Set(['localhost', hostname()]);
  const ips = new Set(['127.0.0.1', '::1']);
  const h = host.replace(/^\[|\]$/g, '');
  if (h !== '0.0.0.0' && h !== '::') (isIp(h) ? ips : dns).add(h);
  return [
    ...[...dns].map((value) => ({ type: 2 as const, value })),
    ...[...ips].map((ip) => ({ type: 7 as const, ip })),
  ];
}

export async function generateCertificate(host: string): Promise<{ cert: string; key: string }> {
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 2);
  // Loaded on demand: only a first HTTPS start without a configured certificate needs it.
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'sav-ftth mock OI' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: altNames(host) },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

function stillValid(certPem: string): boolean {
  try {
    return new Date(new X509Certificate(certPem).validTo).getTime() > Date.now() + 24 * 3600_000;
  } catch {
    return false;
  }
}

/** Loads or creates the certificate HTTPS needs. */
export async function loadTls(config: MockConfig): Promise<TlsMaterial> {
  if (config.https.cert && config.https.key) {
    return {
      cert: readPem(config.https.cert, 'https.cert'),
      key: readPem(config.https.key, 'https.key'),
      source: 'configured',
      certPath: config.https.cert,
    };
  }
  if (config.memory) return { ...(await generateCertificate(config.host)), source: 'memory' };
  const dir = join(config.dataDir, 'tls');
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    if (stillValid(cert)) return { cert, key: readFileSync(keyPath, 'utf8'), source: 'reused', certPath };
  }
  const pair = await generateCertificate(config.host);
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  writeFileSync(certPath, pair.cert);
  return { ...pair, source: 'generated', certPath };
}
