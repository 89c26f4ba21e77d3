/**
 * The whole published set of a profile: its WSDL and every XSD it imports. Written to disk by
 * `sav-ftth schema`, served by a server at `<endpoint>?wsdl` and `<endpoint>?xsd=<name>`.
 */
import type { NsKey, Profile } from '../profile/index.ts';
import { generateWsdl, wsdlFileName } from './wsdl.ts';
import { generateSchemas } from './xsd.ts';

export interface PublishedFile {
  name: string;
  kind: 'wsdl' | 'xsd';
  /** Namespace the document defines (XSDs only). */
  ns?: NsKey;
  text: string;
}

export interface SchemaSetOptions {
  /** soap:address of the service (default: {@link defaultAddress}). */
  address?: string;
  /**
   * Maps a file name to the schemaLocation written in imports (default: the bare name, for files
   * side by side on disk).
   */
  schemaLocation?: (name: string) => string;
}

export interface SchemaSet {
  wsdl: PublishedFile;
  xsds: PublishedFile[];
  /** The WSDL first, then the XSDs. */
  files: PublishedFile[];
  /** A document by file name. */
  get(name: string): PublishedFile | undefined;
}

export const CONTENT_TYPE = 'text/xml; charset=utf-8';

/** Address written when none is given: the spec's path on localhost, default HTTP port (§1). */
export const defaultAddress = (profile: Profile) => `http://localhost${profile.service.path}`;

export function schemaSet(profile: Profile, options: SchemaSetOptions = {}): SchemaSet {
  const schemaOptions = options.schemaLocation ? { schemaLocation: options.schemaLocation } : {};
  const wsdl: PublishedFile = {
    name: wsdlFileName(profile),
    kind: 'wsdl',
    text: generateWsdl(profile, { address: options.address ?? defaultAddress(profile), ...schemaOptions }),
  };
  const xsds: PublishedFile[] = generateSchemas(profile, schemaOptions).map((s) => ({
    name: s.name,
    kind: 'xsd',
    ns: s.ns,
    text: s.text,
  }));
  const files = [wsdl, ...xsds];
  const byName = new Map(files.map((f) => [f.name, f]));
  return { wsdl, xsds, files, get: (name) => byName.get(name) };
}

/**
 * The set as a server publishes it at `endpoint` (an absolute URL, query-less): soap:address is the
 * endpoint and every import points to `<endpoint>?xsd=<name>`.
 */
export function servedSchemaSet(profile: Profile, endpoint: string): SchemaSet {
  return schemaSet(profile, {
    address: endpoint,
    schemaLocation: (name) => `${endpoint}?xsd=${encodeURIComponent(name)}`,
  });
}

/**
 * The document a query string asks for: `?wsdl` (any case, with or without a value) gives the
 * WSDL, `?xsd=<name>` that XSD; anything else (including an unknown name) gives undefined.
 */
export function schemaForQuery(set: SchemaSet, query: string | URLSearchParams): PublishedFile | undefined {
  const params = typeof query === 'string' ? new URLSearchParams(query.replace(/^\?/, '')) : query;
  const xsd = params.get('xsd');
  if (xsd !== null) {
    const file = set.get(xsd);
    return file?.kind === 'xsd' ? file : undefined;
  }
  for (const key of params.keys()) if (key.toLowerCase() === 'wsdl') return set.wsdl;
  return undefined;
}
