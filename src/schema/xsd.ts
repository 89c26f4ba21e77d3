/**
 * Generates the profile's XML Schemas, one document per namespace, from the profile alone: element
 * names, order, lengths and value lists cannot drift from what the rule engine checks.
 */
import type { FieldDef, NsKey, OperationDef, Profile } from '../profile/index.ts';

export interface SchemaFile {
  /** File name, also used as schemaLocation between the documents. */
  name: string;
  ns: NsKey;
  text: string;
}

const XS = 'http://www.w3.org/2001/XMLSchema';

export const schemaFileName = (profile: Profile, ns: NsKey) => `${profile.id}-${ns}.xsd`;

/** Escapes text for an XML attribute or text node. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const xsType: Record<FieldDef['type'], string> = {
  string: 'xs:string',
  dateTime: 'xs:dateTime',
  duration: 'xs:duration',
  boolean: 'xs:boolean',
  integer: 'xs:integer',
  long: 'xs:long',
};

function schemaDoc(profile: Profile, ns: NsKey, imports: NsKey[], body: string[]): SchemaFile {
  const uris = profile.namespaces;
  const decls = [ns, ...imports].map((k) => `xmlns:${k}="${uris[k]}"`).join(' ');
  const importLines = imports.map(
    (k) => `  <xs:import namespace="${uris[k]}" schemaLocation="${schemaFileName(profile, k)}"/>`,
  );
  const text = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- Generated from protocol profile ${profile.id} (${profile.source}). Do not edit: run \`sav-ftth schema\`. -->`,
    `<xs:schema xmlns:xs="${XS}" ${decls} targetNamespace="${uris[ns]}" elementFormDefault="qualified">`,
    ...importLines,
    ...body,
    '</xs:schema>',
    '',
  ].join('\n');
  return { name: schemaFileName(profile, ns), ns, text };
}

function simpleTypeOf(profile: Profile, f: FieldDef): string {
  const list = f.list ? profile.valueLists.find((l) => l.id === f.list) : undefined;
  const facets: string[] = [];
  if (list?.mode === 'strict') {
    const legacy = f.name === 'troubleTicketState' && profile.settings.legacyStatesReadable ? (list.legacy ?? []) : [];
    for (const v of [...list.values, ...legacy]) facets.push(`<xs:enumeration value="${escapeXml(v)}"/>`);
  }
  if (f.exactLength !== undefined) {
    facets.push(`<xs:length value="${f.exactLength}"/>`);
    if (f.siren) facets.push('<xs:pattern value="[0-9]{9}"/>');
  }
  if (f.maxLength !== undefined) facets.push(`<xs:maxLength value="${f.maxLength}"/>`);
  if (facets.length === 0) return `type="${xsType[f.type]}"`;
  return `__inline__<xs:simpleType><xs:restriction base="${xsType[f.type]}">${facets.join('')}</xs:restriction></xs:simpleType>`;
}

/** A global element declaration for a field. */
function fieldElement(profile: Profile, f: FieldDef): string {
  const t = simpleTypeOf(profile, f);
  const nil = f.nillable ? ' nillable="true"' : '';
  if (t.startsWith('__inline__')) {
    return `  <xs:element name="${f.name}"${nil}>${t.slice('__inline__'.length)}</xs:element>`;
  }
  return `  <xs:element name="${f.name}" ${t}${nil}/>`;
}

const fieldRef = (f: FieldDef) => `<xs:element ref="${f.ns}:${f.name}"${f.required ? '' : ' minOccurs="0"'}/>`;

const exceptionTypes = [
  'OssIllegalArgumentException',
  'RemoteException',
  'DuplicateKeyException',
  'CreateException',
  'ObjectNotFoundException',
  'OssSetException',
  'OssResyncRequiredException',
];

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1);

function exceptionElement(op: OperationDef): string {
  const choices = op.faultChoices.map((c) => `<xs:element name="${c}" type="co:${capitalize(c)}"/>`).join('');
  return `  <xs:element name="${op.exception}"><xs:complexType><xs:choice>${choices}</xs:choice></xs:complexType></xs:element>`;
}

function metaElements(op: OperationDef): string[] {
  const m = op.meta!;
  const request = m.requestChild
    ? `<xs:sequence><xs:element name="${m.requestChild}" type="xs:string"/></xs:sequence>`
    : '<xs:sequence/>';
  const responseType = m.responseChild === 'eventPropertyDescriptor' ? 'co:EventPropertyDescriptor' : 'co:ArrayOfString';
  return [
    `  <xs:element name="${op.request}"><xs:complexType>${request}</xs:complexType></xs:element>`,
    `  <xs:element name="${op.response}"><xs:complexType><xs:sequence><xs:element name="${m.responseChild}" type="${responseType}"/></xs:sequence></xs:complexType></xs:element>`,
    exceptionElement(op),
  ];
}

/** All schema documents of a profile; the first one imports (directly or not) every other. */
export function generateSchemas(profile: Profile): SchemaFile[] {
  const fieldsIn = (ns: NsKey) => profile.fields.filter((f) => f.ns === ns);
  const valueFields = profile.fields.filter((f) => f.group === 'value');
  const ftthFields = profile.fields.filter((f) => f.group === 'ftth');
  const ops = (ns: NsKey) => profile.operations.filter((o) => o.ns === ns);

  const co = schemaDoc(profile, 'co', [], [
    ...fieldsIn('co').map((f) => fieldElement(profile, f)),
    '  <xs:complexType name="ArrayOfString"><xs:sequence><xs:element name="item" type="xs:string" nillable="true" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>',
    '  <xs:complexType name="BaseException" abstract="true"><xs:sequence><xs:element name="message" type="xs:string"/></xs:sequence></xs:complexType>',
    ...exceptionTypes.map(
      (t) => `  <xs:complexType name="${t}"><xs:complexContent><xs:extension base="co:BaseException"><xs:sequence/></xs:extension></xs:complexContent></xs:complexType>`,
    ),
    '  <xs:complexType name="EventPropertyDescriptor"><xs:sequence><xs:element name="eventType" type="xs:string"/><xs:element name="propertyNames" type="co:ArrayOfString" minOccurs="0"/></xs:sequence></xs:complexType>',
    ...ops('co').flatMap(metaElements),
  ]);

  const bi = schemaDoc(profile, 'bi', [], fieldsIn('bi').map((f) => fieldElement(profile, f)));
  const ftth = schemaDoc(profile, 'ftth', [], [
    ...ftthFields.map((f) => fieldElement(profile, f)),
    `  <xs:complexType name="FTTHMUTTroubleTicket"><xs:sequence>${ftthFields.map(fieldRef).join('')}</xs:sequence></xs:complexType>`,
  ]);
  const cbe = schemaDoc(profile, 'cbe', ['co', 'bi', 'ftth'], [
    ...fieldsIn('cbe').map((f) => fieldElement(profile, f)),
    `  <xs:complexType name="TroubleTicketValue"><xs:sequence>${valueFields.map(fieldRef).join('')}<xs:element name="FTTHMUTTroubleTicket" type="ftth:FTTHMUTTroubleTicket" nillable="true" minOccurs="0"/></xs:sequence></xs:complexType>`,
    '  <xs:complexType name="TroubleTicketResponse"><xs:sequence><xs:element name="troubleTicketKey" type="xs:string" nillable="true"/><xs:element name="returnCode" type="xs:string" nillable="true" minOccurs="0"/><xs:element name="returnLabel" type="xs:string" nillable="true" minOccurs="0"/></xs:sequence></xs:complexType>',
  ]);
  const get = profile.operations.find((o) => o.kind === 'get')!;
  const getFtth = ['technicalId', ...profile.getRequest.mandatory.filter((f) => f !== 'troubleTicketKey')]
    .map((name) => profile.fields.find((f) => f.name === name)!)
    .map((f) => `<xs:element ref="ftth:${f.name}"${f.name === 'technicalId' ? ' minOccurs="0"' : ''}/>`)
    .join('');
  const tt = schemaDoc(profile, 'tt', ['co', 'cbe', 'ftth'], [
    ...ops('tt').flatMap((op) => {
      switch (op.kind) {
        case 'create':
        case 'set':
          return [
            `  <xs:element name="${op.request}"><xs:complexType><xs:sequence><xs:element name="troubleTicketValue" type="cbe:TroubleTicketValue"/>${op.kind === 'set' ? '<xs:element name="resyncRequired" type="xs:boolean" minOccurs="0"/>' : ''}</xs:sequence></xs:complexType></xs:element>`,
            `  <xs:element name="${op.response}"><xs:complexType><xs:sequence><xs:element name="troubleTicketResponse" type="cbe:TroubleTicketResponse"/></xs:sequence></xs:complexType></xs:element>`,
            exceptionElement(op),
          ];
        case 'get':
          return [
            `  <xs:element name="${get.request}"><xs:complexType><xs:sequence><xs:element name="troubleTicketKey" type="xs:string" nillable="true" minOccurs="0"/><xs:element name="attrNames" type="co:ArrayOfString" minOccurs="0"/>${getFtth}</xs:sequence></xs:complexType></xs:element>`,
            `  <xs:element name="${get.response}"><xs:complexType><xs:sequence><xs:element name="troubleTicketResponse" type="cbe:TroubleTicketResponse"/><xs:element name="troubleTicketValue" type="cbe:TroubleTicketValue"/></xs:sequence></xs:complexType></xs:element>`,
            exceptionElement(op),
          ];
        default:
          return metaElements(op);
      }
    }),
  ]);
  const hdr = schemaDoc(profile, 'hdr', [], [
    '  <xs:element name="TroubleTicketHeaderRequest" type="hdr:TroubleTicketHeader"/>',
    '  <xs:element name="TroubleTicketHeaderResponse" type="hdr:TroubleTicketHeader"/>',
    '  <xs:complexType name="TroubleTicketHeader"><xs:sequence><xs:element name="LoginName" type="xs:string"/><xs:element name="Password" type="xs:string"/></xs:sequence></xs:complexType>',
  ]);
  return [tt, cbe, co, bi, ftth, hdr];
}
