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
  /** Validates one element (the SOAP body's payload) and returns its errors. */
  validate(el: XmlElement | XmlDocument): SchemaError[];
}

const provider = new XmlBufferInputProvider({});
let registered = false;
const validators = new WeakMap<Profile, BodyValidator>();
const ELEMENT_IN_MESSAGE = /Element '(?:\{[^}]*\})?([^']+)'/;

/** The (cached) validator of a profile's schema. */
export function schemaValidator(profile: Profile): BodyValidator {
  const cached = validators.get(profile);
  if (cached) return cached;
  if (!registered) {
    xmlRegisterInputProvider(provider);
    registered = true;
  }
  const files = generateSchemas(profile);
  const encoder = new TextEncoder();
  // A root document that imports every namespace, so one validator covers every operation.
  const rootName = `${profile.id}-all-${validatorsCount++}.xsd`;
  for (const f of files) provider.addBuffer(f.name, encoder.encode(f.text));
  const rootText = `<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${files
    .map((f) => `<xs:import namespace="${profile.namespaces[f.ns]}" schemaLocation="${f.name}"/>`)
    .join('')}</xs:schema>`;
  provider.addBuffer(rootName, encoder.encode(rootText));
  const schemaDoc = XmlDocument.fromString(rootText, { url: rootName });
  const xsd = XsdValidator.fromDoc(schemaDoc);
  const validator: BodyValidator = {
    validate(el) {
      try {
        xsd.validate(el as XmlElement);
        return [];
      } catch (e) {
        if (!(e instanceof XmlValidateError)) throw e;
        return e.details.map((d) => {
          const element = ELEMENT_IN_MESSAGE.exec(d.message)?.[1];
          return { message: d.message.trim(), line: d.line, ...(element ? { element } : {}) };
        });
      }
    },
  };
  validators.set(profile, validator);
  return validator;
}
let validatorsCount = 0;
