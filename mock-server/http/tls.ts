/**
 * The HTTPS certificate: the configured cert/key pair, or a self-signed one generated at first
 * start and kept in the data directory so that an OC can pin it once and keep trusting it.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError, configSource, readPem, sourceNote } from '../config/load.ts';
import type { MockConfig } from '../config/schema.ts';

export interface TlsMaterial {
  cert: string;
  key: string;
  /**
   * Where the certificate comes from: a configured file, the data directory (generated now,
   * reused, or regenerated because the previous one no longer fitted), or memory only.
   */
  source: 'configured' | 'generated' | 'reused' | 'regenerated' | 'memory';
  certPath?: string;
  /** Why a certificate of the data directory was replaced (source 'regenerated'). */
  reason?: string;
  /** The names (DNS and IP) the certificate is valid for, from its subjectAltName. */
  names: string[];
}

export const CERT_FILE = 'mock-cert.pem';
export const KEY_FILE = 'mock-key.pem';

const isIp = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');
const unbracket = (h: string) => h.replace(/^\[|\]$/g, '');

/** 0.0.0.0 (every IPv4 address) or :: (every address). */
export const isWildcardHost = (host: string) => ['0.0.0.0', '::'].includes(unbracket(host));

/**
 * The addresses a wildcard bind is reachable on: this machine's interfaces (IPv4 only for
 * 0.0.0.0). Link-local IPv6 addresses are left out: they need a zone, which no URL or
 * certificate carries.
 */
function interfaceAddresses(host: string): string[] {
  const ipv4Only = unbracket(host) === '0.0.0.0';
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined)
    .filter((a) => !(ipv4Only && a.family !== 'IPv4') && !/^fe[89ab]/i.test(a.address))
    .map((a) => a.address);
}

type Name = { kind: 'dns' | 'ip'; value: string; why: string };

/**
 * Names the generated certificate is valid for: loopback, this machine, and the bound host (for
 * a wildcard bind, every address of this machine's interfaces).
 */
function wantedNames(host: string): Name[] {
  const names: Name[] = [
    { kind: 'dns', value: 'localhost', why: 'the loopback name localhost' },
    { kind: 'dns', value: hostname(), why: `this machine's name ${hostname()}` },
    { kind: 'ip', value: '127.0.0.1', why: 'the loopback address 127.0.0.1' },
    { kind: 'ip', value: '::1', why: 'the loopback address ::1' },
  ];
  const h = unbracket(host);
  if (isWildcardHost(h)) {
    for (const ip of interfaceAddresses(h))
      names.push({ kind: 'ip', value: ip, why: `this machine's address ${ip}` });
  } else names.push({ kind: isIp(h) ? 'ip' : 'dns', value: h, why: `the bound host ${h}` });
  const seen = new Set<string>();
  return names.filter((n) => !seen.has(n.value.toLowerCase()) && seen.add(n.value.toLowerCase()));
}

/**
 * A self-signed certificate for `host` (see wantedNames); `keep` adds the names of the certificate
 * it replaces, so that moving between hosts does not take a name away from clients that pinned it.
 */
export async function generateCertificate(
  host: string,
  keep: string[] = [],
): Promise<{ cert: string; key: string }> {
  const notAfter = new Date();
  notAfter.setFullYear(notAfter.getFullYear() + 2);
  // Loaded on demand: only a first HTTPS start without a configured certificate needs it.
  const { generate } = await import('selfsigned');
  const names = new Set([...wantedNames(host).map((n) => n.value), ...keep]);
  const altNames = [...names].map((n) =>
    isIp(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n },
  );
  const pems = await generate([{ name: 'commonName', value: 'sav-ftth mock OI' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The subjectAltName entries, IPv6 addresses in their short form. */
function namesOf(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((e) => e.startsWith('DNS:') || e.startsWith('IP Address:'))
    .map((e) => {
      if (e.startsWith('DNS:')) return e.slice(4);
      const ip = e.slice('IP Address:'.length);
      return ip.includes(':') ? unbracket(new URL(`http://[${ip}]/`).hostname) : ip;
    });
}

/** Why a stored certificate cannot serve `host` any more, or undefined when it still can. */
function unfit(cert: X509Certificate, host: string): string | undefined {
  const validTo = new Date(cert.validTo);
  if (validTo.getTime() <= Date.now() + 24 * 3600_000)
    return `the previous certificate expires on ${validTo.toISOString()}`;
  const missing = wantedNames(host).find((n) =>
    n.kind === 'ip' ? cert.checkIP(n.value) === undefined : cert.checkHost(n.value) === undefined,
  );
  return missing && `${missing.why} was not in the certificate`;
}

function matches(cert: X509Certificate, key: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/** A configured file as the user would type it: relative to the working directory when inside it. */
function shown(value: string): string {
  if (value.startsWith('-----BEGIN')) return 'inline PEM';
  const rel = relative(process.cwd(), value);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel}` : value;
}

/**
 * The configured pair, checked before anything starts: each file parses, and the key is the
 * certificate's (otherwise the HTTPS server would refuse it only once the engine runs). Errors
 * name the keys, the files and where each value came from (see configSource).
 */
function configuredPair(
  cert: { value: string; source: string | undefined },
  key: { value: string; source: string | undefined },
): { cert: string; key: string; x509: X509Certificate } {
  const certKey = `https.cert (${shown(cert.value)})`;
  const keyKey = `https.key (${shown(key.value)})`;
  const certSource = { key: 'https.cert', source: cert.source };
  const keySource = { key: 'https.key', source: key.source };
  const certPem = readPem(cert.value, 'https.cert', cert.source);
  const keyPem = readPem(key.value, 'https.key', key.source);
  let x509: X509Certificate;
  try {
    if (!certPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no BEGIN CERTIFICATE block');
    x509 = new X509Certificate(certPem);
  } catch {
    throw new ConfigError([`${certKey} is not a PEM certificate${sourceNote(certSource)}`]);
  }
  let privateKey: KeyObject;
  try {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) throw new Error('no BEGIN PRIVATE KEY block');
    privateKey = createPrivateKey(keyPem);
  } catch (e) {
    const why = (e as Error).message.replace(/^error:[0-9A-F]+:[^:]*::?/i, '');
    throw new ConfigError([`${keyKey} is not a usable PEM private key (${why})${sourceNote(keySource)}`]);
  }
  const both = sourceNote(certSource, [keySource]);
  if (!x509.checkPrivateKey(privateKey))
    throw new ConfigError([`${certKey} and ${keyKey} do not match: key values mismatch${both}`]);
  try {
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (e) {
    const why = (e as Error).message.replace(/^error:[0-9A-F]+:[^:]*::?/i, '');
    throw new ConfigError([`${certKey} with ${keyKey} is refused by TLS: ${why}${both}`]);
  }
  return { cert: certPem, key: keyPem, x509 };
}

/** Loads or creates the certificate HTTPS needs. Throws ConfigError naming a bad configured pair. */
export async function loadTls(config: MockConfig): Promise<TlsMaterial> {
  if (config.https.cert && config.https.key) {
    const { cert, key, x509 } = configuredPair(
      { value: config.https.cert, source: configSource(config, 'https.cert') },
      { value: config.https.key, source: configSource(config, 'https.key') },
    );
    return { cert, key, source: 'configured', certPath: config.https.cert, names: namesOf(x509) };
  }
  const fresh = async (keep: string[] = []) => {
    const pair = await generateCertificate(config.host, keep);
    return { ...pair, names: namesOf(new X509Certificate(pair.cert)) };
  };
  if (config.memory) return { ...(await fresh()), source: 'memory' };
  const dir = join(config.dataDir, 'tls');
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  let reason: string | undefined;
  let keep: string[] = [];
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    let x509: X509Certificate | undefined;
    try {
      x509 = new X509Certificate(cert);
    } catch {
      reason = `${certPath} is not a PEM certificate`;
    }
    const key = readFileSync(keyPath, 'utf8');
    reason ??=
      x509 && (matches(x509, key) ? unfit(x509, config.host) : `${keyPath} is not the certificate's key`);
    if (x509 && !reason) return { cert, key, source: 'reused', certPath, names: namesOf(x509) };
    keep = x509 ? namesOf(x509) : [];
  }
  const pair = await fresh(keep);
  mkdirSync(dir, { recursive: true });
  writeFileSync(keyPath, pair.key, { mode: 0o600 });
  writeFileSync(certPath, pair.cert);
  return reason
    ? { ...pair, source: 'regenerated', reason, certPath }
    : { ...pair, source: 'generated', certPath };
}
