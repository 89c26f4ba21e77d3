/**
 * Generates the profile's WSDL 1.1 (SOAP 1.1, document/literal) from the profile alone: every
 * operation (meta included), the TroubleTicketHeaderRequest header on every input, one fault per
 * operation, soapAction = operation name (§1, §3).
 */
import type { NsKey, OperationDef, Profile } from '../profile/index.ts';
import { escapeXml, type SchemaOptions, schemaFileName } from './xsd.ts';

export interface WsdlOptions extends SchemaOptions {
  /** The service endpoint written in soap:address. */
  address: string;
}

const WSDL = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP = 'http://schemas.xmlsoap.org/wsdl/soap/';
const XS = 'http://www.w3.org/2001/XMLSchema';
const HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';

/** The WSDL message carrying the credentials header. */
export const HEADER_MESSAGE = 'TroubleTicketHeaderRequest';

export const wsdlFileName = (profile: Profile) => `${profile.id}.wsdl`;

/** Namespaces whose schema the WSDL imports: those of the operation elements, and the header's. */
export function wsdlImports(profile: Profile): NsKey[] {
  return [...new Set<NsKey>([...profile.operations.map((o) => o.ns), 'hdr'])];
}

export function generateWsdl(profile: Profile, options: WsdlOptions): string {
  const uris = profile.namespaces;
  const p = profile.prefixes;
  const tns = p.wsdl;
  const svc = profile.service;
  const location = options.schemaLocation ?? ((name: string) => name);
  const imports = wsdlImports(profile);
  const ops = profile.operations;

  const message = (name: string, ns: NsKey, element: string) =>
    `  <wsdl:message name="${name}"><wsdl:part name="parameters" element="${p[ns]}:${element}"/></wsdl:message>`;
  const messages = [
    message(HEADER_MESSAGE, 'hdr', 'TroubleTicketHeaderRequest'),
    ...ops.flatMap((o) => [
      message(o.request, o.ns, o.request),
      message(o.response, o.ns, o.response),
      message(o.exception, o.ns, o.exception),
    ]),
  ];
  const portOperation = (o: OperationDef) =>
    [
      `    <wsdl:operation name="${o.name}">`,
      `      <wsdl:input name="${o.request}" message="${tns}:${o.request}"/>`,
      `      <wsdl:output name="${o.response}" message="${tns}:${o.response}"/>`,
      `      <wsdl:fault name="${o.exception}" message="${tns}:${o.exception}"/>`,
      '    </wsdl:operation>',
    ].join('\n');
  const bindingOperation = (o: OperationDef) =>
    [
      `    <wsdl:operation name="${o.name}">`,
      `      <soap:operation soapAction="${o.name}" style="document"/>`,
      `      <wsdl:input name="${o.request}">`,
      `        <soap:header message="${tns}:${HEADER_MESSAGE}" part="parameters" use="literal"/>`,
      '        <soap:body parts="parameters" use="literal"/>',
      '      </wsdl:input>',
      `      <wsdl:output name="${o.response}"><soap:body parts="parameters" use="literal"/></wsdl:output>`,
      `      <wsdl:fault name="${o.exception}"><soap:fault name="${o.exception}" use="literal"/></wsdl:fault>`,
      '    </wsdl:operation>',
    ].join('\n');
  const decls = [...imports]
    .sort()
    .map((k) => `xmlns:${p[k]}="${escapeXml(uris[k])}"`)
    .join(' ');

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- Generated from protocol profile ${profile.id} (${profile.source}). Do not edit: run \`sav-ftth schema\`. -->`,
    `<wsdl:definitions name="${svc.service}" targetNamespace="${escapeXml(uris.wsdl)}" xmlns:wsdl="${WSDL}" xmlns:soap="${WSDL_SOAP}" xmlns:xs="${XS}" xmlns:${tns}="${escapeXml(uris.wsdl)}" ${decls}>`,
    `  <wsdl:documentation>${escapeXml(`${profile.title} (profile ${profile.id})`)}</wsdl:documentation>`,
    '  <wsdl:types>',
    '    <xs:schema>',
    ...imports.map(
      (k) =>
        `      <xs:import namespace="${escapeXml(uris[k])}" schemaLocation="${escapeXml(location(schemaFileName(profile, k)))}"/>`,
    ),
    '    </xs:schema>',
    '  </wsdl:types>',
    ...messages,
    `  <wsdl:portType name="${svc.portType}">`,
    ...ops.map(portOperation),
    '  </wsdl:portType>',
    `  <wsdl:binding name="${svc.binding}" type="${tns}:${svc.portType}">`,
    `    <soap:binding style="document" transport="${HTTP_TRANSPORT}"/>`,
    ...ops.map(bindingOperation),
    '  </wsdl:binding>',
    `  <wsdl:service name="${svc.service}">`,
    `    <wsdl:port name="${svc.port}" binding="${tns}:${svc.binding}">`,
    `      <soap:address location="${escapeXml(options.address)}"/>`,
    '    </wsdl:port>',
    '  </wsdl:service>',
    '</wsdl:definitions>',
    '',
  ].join('\n');
}
