/**
 * Generates the profile's XML Schemas, one document per namespace, from the profile alone: element
 * names, order, lengths and value lists cannot drift from what the rule engine checks.
 */
import type { FieldDef, NsKey, OperationDef, Profile } from '../profile/index.ts';
import { NOT_XML_CHAR } from '../soap/chars.ts';

export interface SchemaFile {
  /** File name, also used as schemaLocation between the documents. */
  name: string;
  ns: NsKey;
  text: string;
}

export interface SchemaOptions {
  /**
   * Maps a schema file name to the schemaLocation written in imports (default: the bare name, for
   * files side by side). A server rewrites it to `<endpoint>?xsd=<name>`.
   */
  schemaLocation?: (name: string) => string;
}

const XS = 'http://www.w3.org/2001/XMLSchema';

export const schemaFileName = (profile: Profile, ns: NsKey) => `${profile.id}-${ns}.xsd`;

const ESCAPED = /[&<>"'\r]/g;

/**
 * Escapes text for an XML attribute or text node. A character XML cannot carry at all becomes
 * U+FFFD, so what we write is always well-formed; CR is kept as a reference so it survives parsing.
 */
export function escapeXml(s: string): string {
  const escaped = s.replace(ESCAPED, (c) => `&#${c.charCodeAt(0)};`);
  NOT_XML_CHAR.lastIndex = 0;
  return NOT_XML_CHAR.test(escaped) ? escaped.replace(NOT_XML_CHAR, '\uFFFD') : escaped;
}

const xsType: Record<FieldDef['type'], string> = {
  string: 'xs:string',
  dateTime: 'xs:dateTime',
  duration: 'xs:duration',
  boolean: 'xs:boolean',
  integer: 'xs:integer',
  long: 'xs:long',
};

/** A namespace's prefix inside the generated schemas: the profile's own prefix for it. */
function schemaDoc(
  profile: Profile,
  ns: NsKey,
  imports: NsKey[],
  body: string[],
  options: SchemaOptions,
): SchemaFile {
  const uris = profile.namespaces;
  const p = profile.prefixes;
  const location = options.schemaLocation ?? ((name: string) => name);
  const decls = [ns, ...imports].map((k) => `xmlns:${p[k]}="${escapeXml(uris[k])}"`).join(' ');
  const importLines = imports.map(
    (k) =>
      `  <xs:import namespace="${escapeXml(uris[k])}" schemaLocation="${escapeXml(location(schemaFileName(profile, k)))}"/>`,
  );
  const text = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- Generated from protocol profile ${profile.id} (${profile.source}). Do not edit: run \`sav-ftth schema\`. -->`,
    `<xs:schema xmlns:xs="${XS}" ${decls} targetNamespace="${escapeXml(uris[ns])}" elementFormDefault="qualified">`,
    ...importLines,
    ...body,
    '</xs:schema>',
    '',
  ].join('\n');
  return { name: schemaFileName(profile, ns), ns, text };
}

/** The facets of a field: its value list (strict lists only), exact length, SIREN shape, max length. */
export function fieldFacets(profile: Profile, f: FieldDef): string[] {
  const list = f.list ? profile.valueLists.find((l) => l.id === f.list) : undefined;
  const facets: string[] = [];
  if (list?.mode === 'strict') {
    // Legacy values (2.0 states) are readable when the profile says so: the schema must accept them.
    const legacy = profile.settings.legacyStatesReadable ? (list.legacy ?? []) : [];
    for (const v of [...list.values, ...legacy]) facets.push(`<xs:enumeration value="${escapeXml(v)}"/>`);
  }
  if (f.exactLength !== undefined) facets.push(`<xs:length value="${f.exactLength}"/>`);
  if (f.siren) facets.push('<xs:pattern value="[0-9]{9}"/>');
  if (f.maxLength !== undefined) facets.push(`<xs:maxLength value="${f.maxLength}"/>`);
  return facets;
}

const documentation = (text: string) =>
  `<xs:annotation><xs:documentation>${escapeXml(text)}</xs:documentation></xs:annotation>`;

/**
 * The global element declarations of a field, documented with its label, basis and clause: its own
 * name, then each alias (another spelling a source uses, accepted and never emitted, §4).
 */
function fieldElements(profile: Profile, f: FieldDef): string[] {
  const facets = fieldFacets(profile, f);
  const nil = f.nillable ? ' nillable="true"' : '';
  const declare = (name: string, text: string) => {
    const doc = documentation(text);
    if (facets.length === 0)
      return `  <xs:element name="${name}" type="${xsType[f.type]}"${nil}>${doc}</xs:element>`;
    const restriction = `<xs:restriction base="${xsType[f.type]}">${facets.join('')}</xs:restriction>`;
    return `  <xs:element name="${name}"${nil}>${doc}<xs:simpleType>${restriction}</xs:simpleType></xs:element>`;
  };
  return [
    declare(f.name, `${f.label} [${f.basis} ${f.clause}]`),
    ...(f.aliases ?? []).map((a) =>
      declare(
        a,
        `${f.label}: another spelling of ${f.name}, accepted and never emitted [${f.basis} ${f.clause}]`,
      ),
    ),
  ];
}

/** A field's place in a sequence: the element, or a choice of its spellings when it has aliases. */
function fieldRef(profile: Profile, f: FieldDef, optional = !f.required): string {
  const min = optional ? ' minOccurs="0"' : '';
  const ref = (name: string, occurs = '') => `<xs:element ref="${profile.prefixes[f.ns]}:${name}"${occurs}/>`;
  if (!f.aliases?.length) return ref(f.name, min);
  return `<xs:choice${min}>${[f.name, ...f.aliases].map((n) => ref(n)).join('')}</xs:choice>`;
}

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** The co complex type of a fault detail choice: `ossIllegalArgumentException` → `OssIllegalArgumentException`. */
export const exceptionTypeName = (choice: string) => capitalize(choice);

function exceptionElement(profile: Profile, op: OperationDef): string {
  const co = profile.prefixes.co;
  const choices = op.faultChoices
    .map((c) => `<xs:element name="${c}" type="${co}:${exceptionTypeName(c)}"/>`)
    .join('');
  return `  <xs:element name="${op.exception}"><xs:complexType><xs:choice>${choices}</xs:choice></xs:complexType></xs:element>`;
}

/** Meta operations whose response carries an event descriptor rather than an array of strings. */
export const isDescriptorResponse = (op: OperationDef) =>
  op.meta?.responseChild === 'eventPropertyDescriptor';

function metaElements(profile: Profile, op: OperationDef): string[] {
  const m = op.meta!;
  const co = profile.prefixes.co;
  const request = m.requestChild
    ? `<xs:sequence><xs:element name="${m.requestChild}" type="xs:string"/></xs:sequence>`
    : '<xs:sequence/>';
  const responseType = isDescriptorResponse(op) ? `${co}:EventPropertyDescriptor` : `${co}:ArrayOfString`;
  return [
    `  <xs:element name="${op.request}"><xs:complexType>${request}</xs:complexType></xs:element>`,
    `  <xs:element name="${op.response}"><xs:complexType><xs:sequence><xs:element name="${m.responseChild}" type="${responseType}"/></xs:sequence></xs:complexType></xs:element>`,
    exceptionElement(profile, op),
  ];
}

/** All schema documents of a profile; the first one imports (directly or not) every other. */
export function generateSchemas(profile: Profile, options: SchemaOptions = {}): SchemaFile[] {
  const p = profile.prefixes;
  const fieldsIn = (ns: NsKey) => profile.fields.filter((f) => f.ns === ns);
  const valueFields = profile.fields.filter((f) => f.group === 'value');
  const ftthFields = profile.fields.filter((f) => f.group === 'ftth');
  const ops = (ns: NsKey) => profile.operations.filter((o) => o.ns === ns);
  const choiceTypes = [...new Set(profile.operations.flatMap((o) => o.faultChoices))].map(exceptionTypeName);

  const co = schemaDoc(
    profile,
    'co',
    [],
    [
      ...fieldsIn('co').flatMap((f) => fieldElements(profile, f)),
      `  <xs:complexType name="ArrayOfString"><xs:sequence><xs:element name="item" type="xs:string" nillable="true" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>`,
      `  <xs:complexType name="BaseException" abstract="true"><xs:sequence><xs:element name="message" type="xs:string"/></xs:sequence></xs:complexType>`,
      ...choiceTypes.map(
        (t) =>
          `  <xs:complexType name="${t}"><xs:complexContent><xs:extension base="${p.co}:BaseException"><xs:sequence/></xs:extension></xs:complexContent></xs:complexType>`,
      ),
      `  <xs:complexType name="EventPropertyDescriptor"><xs:sequence><xs:element name="eventType" type="xs:string"/><xs:element name="propertyNames" type="${p.co}:ArrayOfString" minOccurs="0"/><xs:element name="propertyTypes" type="${p.co}:ArrayOfString" minOccurs="0"/></xs:sequence></xs:complexType>`,
      ...ops('co').flatMap((op) => metaElements(profile, op)),
    ],
    options,
  );

  const bi = schemaDoc(
    profile,
    'bi',
    [],
    fieldsIn('bi').flatMap((f) => fieldElements(profile, f)),
    options,
  );
  const ftth = schemaDoc(
    profile,
    'ftth',
    [],
    [
      ...ftthFields.flatMap((f) => fieldElements(profile, f)),
      `  <xs:complexType name="FTTHMUTTroubleTicket"><xs:sequence>${ftthFields.map((f) => fieldRef(profile, f)).join('')}</xs:sequence></xs:complexType>`,
    ],
    options,
  );
  const cbe = schemaDoc(
    profile,
    'cbe',
    ['co', 'bi', 'ftth'],
    [
      ...fieldsIn('cbe').flatMap((f) => fieldElements(profile, f)),
      `  <xs:complexType name="TroubleTicketValue"><xs:sequence>${valueFields.map((f) => fieldRef(profile, f)).join('')}<xs:element name="FTTHMUTTroubleTicket" type="${p.ftth}:FTTHMUTTroubleTicket" nillable="true" minOccurs="0"/></xs:sequence></xs:complexType>`,
      '  <xs:complexType name="TroubleTicketResponse"><xs:sequence><xs:element name="troubleTicketKey" type="xs:string" nillable="true"/><xs:element name="returnCode" type="xs:string" nillable="true" minOccurs="0"/><xs:element name="returnLabel" type="xs:string" nillable="true" minOccurs="0"/></xs:sequence></xs:complexType>',
    ],
    options,
  );
  const tt = schemaDoc(
    profile,
    'tt',
    ['co', 'cbe', 'ftth'],
    ops('tt').flatMap((op) => ttElements(profile, op)),
    options,
  );
  const hdr = schemaDoc(
    profile,
    'hdr',
    [],
    [
      `  <xs:element name="TroubleTicketHeaderRequest" type="${p.hdr}:TroubleTicketHeader"/>`,
      `  <xs:element name="TroubleTicketHeaderResponse" type="${p.hdr}:TroubleTicketHeader"/>`,
      '  <xs:complexType name="TroubleTicketHeader"><xs:sequence><xs:element name="LoginName" type="xs:string"/><xs:element name="Password" type="xs:string"/></xs:sequence></xs:complexType>',
    ],
    options,
  );
  return [tt, cbe, co, bi, ftth, hdr];
}

/** Request, response and exception elements of an operation in the tt namespace. */
function ttElements(profile: Profile, op: OperationDef): string[] {
  const p = profile.prefixes;
  const ticketResponse = `<xs:element name="troubleTicketResponse" type="${p.cbe}:TroubleTicketResponse"/>`;
  const ticketValue = `<xs:element name="troubleTicketValue" type="${p.cbe}:TroubleTicketValue"/>`;
  switch (op.kind) {
    case 'create':
    case 'set': {
      const resync =
        op.kind === 'set' ? '<xs:element name="resyncRequired" type="xs:boolean" minOccurs="0"/>' : '';
      return [
        `  <xs:element name="${op.request}"><xs:complexType><xs:sequence>${ticketValue}${resync}</xs:sequence></xs:complexType></xs:element>`,
        `  <xs:element name="${op.response}"><xs:complexType><xs:sequence>${ticketResponse}</xs:sequence></xs:complexType></xs:element>`,
        exceptionElement(profile, op),
      ];
    }
    case 'get':
      return [
        `  <xs:element name="${op.request}"><xs:complexType><xs:sequence><xs:element name="troubleTicketKey" type="xs:string" nillable="true" minOccurs="0"/><xs:element name="attrNames" type="${p.co}:ArrayOfString" minOccurs="0"/>${getRequestFtthRefs(profile)}</xs:sequence></xs:complexType></xs:element>`,
        `  <xs:element name="${op.response}"><xs:complexType><xs:sequence>${ticketResponse}${ticketValue}</xs:sequence></xs:complexType></xs:element>`,
        exceptionElement(profile, op),
      ];
    default:
      return metaElements(profile, op);
  }
}

/**
 * The ftth elements of the get request (R9, §3 [decision]): the alternatives first (optional, e.g.
 * technicalId beside tt:troubleTicketKey), then the mandatory ones, in the profile's order.
 */
function getRequestFtthRefs(profile: Profile): string {
  const { oneOf, mandatory } = profile.getRequest;
  const ftth = (name: string) => profile.fields.find((f) => f.name === name && f.group === 'ftth');
  const alternatives = oneOf.flat().filter((n) => !mandatory.includes(n));
  return [
    ...alternatives.map((n) => [ftth(n), true] as const),
    ...mandatory.map((n) => [ftth(n), false] as const),
  ]
    .filter((e): e is readonly [FieldDef, boolean] => e[0] !== undefined)
    .map(([f, optional]) => fieldRef(profile, f, optional))
    .join('');
}
