/**
 * The WSDL and XSDs the endpoint serves, generated from the profile (src/schema/files.ts) with
 * soap:address and every schemaLocation pointing at the URL the client used.
 */
import type { Profile } from '../../src/profile/index.ts';
import { type SchemaSet, schemaSet, servedSchemaSet } from '../../src/schema/files.ts';

export interface ServiceDocuments {
  /** The WSDL whose soap:address is `endpoint`. */
  wsdl(endpoint: string): string;
  /** One XSD by file name, its imports pointing at `<endpoint>?xsd=`; undefined for an unknown name. */
  xsd(name: string, endpoint: string): string | undefined;
  xsdNames(): string[];
}

/** Distinct endpoints remembered (a client set of Host headers is small; the cap bounds memory). */
const CACHE_SIZE = 16;

export function serviceDocuments(profile: Profile): ServiceDocuments {
  const cache = new Map<string, SchemaSet>();
  const names = schemaSet(profile).xsds.map((x) => x.name);
  const setFor = (endpoint: string): SchemaSet => {
    let set = cache.get(endpoint);
    if (!set) {
      set = servedSchemaSet(profile, endpoint);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(endpoint, set);
    }
    return set;
  };
  return {
    wsdl: (endpoint) => setFor(endpoint).wsdl.text,
    xsd: (name, endpoint) => {
      if (!names.includes(name)) return undefined;
      return setFor(endpoint).get(name)?.text;
    },
    xsdNames: () => [...names],
  };
}
