/**
 * XSD validation on libxml2-wasm. The generated schema documents are served to libxml2 from memory
 * through an input provider, so validation never touches the disk or the network.
 */
import {
  XmlBufferInputProvider,
  XmlDocument,
  type XmlElement,
  XmlValidateError,
  XsdValidator,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';
import type { Profile } from '../profile/index.ts';
import type { SchemaError } from '../soap/model.ts';
import { generateSchemas } from './xsd.ts';

export interface BodyValidator {
  /** Validates one element (the SOAP body's payload) and returns its errors. Never throws. */
  validate(el: XmlElement | XmlDocument): SchemaError[];
}

const provider = new XmlBufferInputProvider({});
let registered = false;
let validatorsCount = 0;
const validators = new WeakMap<Profile, BodyValidator>();
const ELEMENT_IN_MESSAGE = /Element '(?:\{[^}]*\})?([^']+)'/;

/** Schema errors returned in full per validation; past them, see {@link schemaErrors}. */
export const SCHEMA_ERRORS_DETAILED = 100;
const MISSING = /Missing child element/;

/**
 * libxml2's errors, bounded: the first {@link SCHEMA_ERRORS_DETAILED} in document order, then only
 * the first error about each element not named yet (libxml2 stops validating a content model at its
 * first unexpected element, so these are bounded by the schema's elements), so that the answer (§9)
 * is the one the whole list would give; the others are counted into one summary.
 */
function schemaErrors(details: readonly { message: string; line: number }[]): SchemaError[] {
  const out: SchemaError[] = [];
  let named: Set<string> | undefined;
  let more = 0;
  let moreLine = 0;
  for (const d of details) {
    const element = ELEMENT_IN_MESSAGE.exec(d.message)?.[1];
    if (out.length >= SCHEMA_ERRORS_DETAILED) {
      if (!named) named = new Set(out.map(errorKey));
      const key = errorKey({ message: d.message, line: d.line, ...(element ? { element } : {}) });
      if (named.has(key)) {
        if (more++ === 0) moreLine = d.line;
        continue;
      }
      named.add(key);
    }
    out.push({ message: d.message.trim(), line: d.line, ...(element ? { element } : {}) });
  }
  if (more > 0) {
    out.push({
      message: `… and ${more} more schema errors, not detailed (the first ${SCHEMA_ERRORS_DETAILED} are, then the first about each element)`,
      line: moreLine,
      more,
    });
  }
  return out;
}

/** Errors kept past the cap: one per element, and one per element missing a child. */
function errorKey(e: SchemaError): string {
  return `${MISSING.test(e.message) ? 'missing ' : ''}${e.element ?? ''}`;
}

/** The (cached) validator of a profile's schema. */
export function schemaValidator(profile: Profile): BodyValidator {
  const cached = validators.get(profile);
  if (cached) return cached;
  if (!registered) {
    xmlRegisterInputProvider(provider);
    registered = true;
  }
  // Buffer names are global to the provider: a per-validator prefix keeps two profiles (or two
  // variants of one profile) from serving each other's documents.
  const prefix = `mem${validatorsCount++}-`;
  const files = generateSchemas(profile, { schemaLocation: (name) => prefix + name });
  const encoder = new TextEncoder();
  for (const f of files) provider.addBuffer(prefix + f.name, encoder.encode(f.text));
  // A root document that imports every namespace, so one validator covers every operation.
  const rootName = `${prefix}${profile.id}-all.xsd`;
  const rootText = `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${files
    .map((f) => `<xs:import namespace="${profile.namespaces[f.ns]}" schemaLocation="${prefix}${f.name}"/>`)
    .join('')}</xs:schema>`;
  provider.addBuffer(rootName, encoder.encode(rootText));
  const schemaDoc = XmlDocument.fromString(rootText, { url: rootName });
  // The schema may keep pointers into its source document: it lives as long as the validator.
  const xsd = XsdValidator.fromDoc(schemaDoc);
  const validator: BodyValidator = {
    validate(el) {
      try {
        xsd.validate(el as XmlElement);
        return [];
      } catch (e) {
        if (!(e instanceof XmlValidateError)) {
          // libxml2 could not run the validation at all: report it rather than crash the reader.
          return [{ message: `schema validation could not run: ${(e as Error).message}`, line: 0 }];
        }
        return schemaErrors(e.details);
      }
    },
  };
  validators.set(profile, validator);
  return validator;
}
