/** A Content-Type header split into its media type and its parameters (RFC 9110 §8.3.1). */

export interface MediaType {
  /** `type/subtype`, lowercased. */
  type: string;
  /** In order, names lowercased, quoted values unquoted; a repeated name is kept each time. */
  params: Array<[name: string, value: string]>;
}

const PARAMETER = /;\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)/g;

/** Splits a Content-Type value; never throws. */
export function parseMediaType(contentType: string): MediaType {
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  const params: MediaType['params'] = [];
  if (semi >= 0) {
    for (const m of contentType.slice(semi).matchAll(PARAMETER)) {
      params.push([m[1]!.toLowerCase(), m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!]);
    }
  }
  return { type, params };
}

/** Every value given to one parameter (`charset`), in order. */
export const parameterValues = (media: MediaType, name: string): string[] =>
  media.params.filter(([n]) => n === name).map(([, v]) => v);
