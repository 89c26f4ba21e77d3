/**
 * The generated WSDL: SOAP 1.1 document/literal, every profile operation in the portType and the
 * binding with soapAction = its name, the credentials header on every input, one fault each, and
 * the service address; the published set rewrites schemaLocations for `?wsdl` / `?xsd=` serving.
 */
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { getProfile } from '../../src/profile/index.ts';
import { schemaForQuery, schemaSet, servedSchemaSet } from '../../src/schema/files.ts';
import { generateWsdl, HEADER_MESSAGE } from '../../src/schema/wsdl.ts';

const profile = getProfile();
const NS = {
  wsdl: 'http://schemas.xmlsoap.org/wsdl/',
  soap: 'http://schemas.xmlsoap.org/wsdl/soap/',
  xs: 'http://www.w3.org/2001/XMLSchema',
};
const ADDRESS = 'https://oi.example.fr/interop/JVTTroubleTicketSessionWSPort';
const doc = XmlDocument.fromString(generateWsdl(profile, { address: ADDRESS }));
afterAll(() => doc.dispose());

const values = (xpath: string) => doc.find(xpath, NS).map((n) => n.content);
const tns = profile.prefixes.wsdl;
const svc = profile.service;

describe('generated WSDL', () => {
  it('targets the profile wsdl namespace and declares the port, binding and service of the profile', () => {
    expect(doc.root.attr('targetNamespace')?.value).toBe(profile.namespaces.wsdl);
    expect(values('/wsdl:definitions/wsdl:portType/@name')).toEqual([svc.portType]);
    expect(values('/wsdl:definitions/wsdl:binding/@name')).toEqual([svc.binding]);
    expect(values('/wsdl:definitions/wsdl:binding/@type')).toEqual([`${tns}:${svc.portType}`]);
    expect(values('/wsdl:definitions/wsdl:binding/soap:binding/@style')).toEqual(['document']);
    expect(values('/wsdl:definitions/wsdl:binding/soap:binding/@transport')).toEqual([
      'http://schemas.xmlsoap.org/soap/http',
    ]);
    expect(values('/wsdl:definitions/wsdl:service/@name')).toEqual([svc.service]);
    expect(values('/wsdl:definitions/wsdl:service/wsdl:port/@name')).toEqual([svc.port]);
    expect(values('/wsdl:definitions/wsdl:service/wsdl:port/soap:address/@location')).toEqual([ADDRESS]);
  });

  it('lists every profile operation, meta included, in the portType and the binding', () => {
    const names = profile.operations.map((o) => o.name);
    expect(values('/wsdl:definitions/wsdl:portType/wsdl:operation/@name')).toEqual(names);
    expect(values('/wsdl:definitions/wsdl:binding/wsdl:operation/@name')).toEqual(names);
  });

  it.each(profile.operations.map((o) => [o.name, o] as const))(
    '%s: messages, soapAction, header, fault',
    (name, op) => {
      const part = (message: string) =>
        values(`/wsdl:definitions/wsdl:message[@name="${message}"]/wsdl:part/@element`);
      const pns = profile.prefixes[op.ns];
      expect(part(op.request)).toEqual([`${pns}:${op.request}`]);
      expect(part(op.response)).toEqual([`${pns}:${op.response}`]);
      expect(part(op.exception)).toEqual([`${pns}:${op.exception}`]);
      expect(values(`/wsdl:definitions/wsdl:message[@name="${op.request}"]/wsdl:part/@name`)).toEqual([
        'parameters',
      ]);

      const port = `/wsdl:definitions/wsdl:portType/wsdl:operation[@name="${name}"]`;
      expect(values(`${port}/wsdl:input/@message`)).toEqual([`${tns}:${op.request}`]);
      expect(values(`${port}/wsdl:output/@message`)).toEqual([`${tns}:${op.response}`]);
      expect(values(`${port}/wsdl:fault/@message`)).toEqual([`${tns}:${op.exception}`]);

      const binding = `/wsdl:definitions/wsdl:binding/wsdl:operation[@name="${name}"]`;
      expect(values(`${binding}/soap:operation/@soapAction`)).toEqual([name]);
      expect(values(`${binding}/wsdl:input/soap:header/@message`)).toEqual([`${tns}:${HEADER_MESSAGE}`]);
      expect(values(`${binding}/wsdl:input/soap:body/@use`)).toEqual(['literal']);
      expect(values(`${binding}/wsdl:output/soap:body/@use`)).toEqual(['literal']);
      expect(values(`${binding}/wsdl:fault/soap:fault/@name`)).toEqual([op.exception]);
    },
  );

  it('takes the header message from hdr:TroubleTicketHeaderRequest', () => {
    expect(values(`/wsdl:definitions/wsdl:message[@name="${HEADER_MESSAGE}"]/wsdl:part/@element`)).toEqual([
      `${profile.prefixes.hdr}:TroubleTicketHeaderRequest`,
    ]);
  });

  it('imports the schemas of the operation and header namespaces', () => {
    const imported = doc.find('/wsdl:definitions/wsdl:types/xs:schema/xs:import', NS) as XmlElement[];
    const namespaces = imported.map((i) => i.attr('namespace')?.value);
    for (const ns of new Set([...profile.operations.map((o) => o.ns), 'hdr' as const])) {
      expect(namespaces).toContain(profile.namespaces[ns]);
    }
    const set = schemaSet(profile);
    for (const i of imported) expect(set.get(i.attr('schemaLocation')!.value)?.kind).toBe('xsd');
  });
});

describe('published schema set', () => {
  const endpoint = 'http://127.0.0.1:8080/interop-sav-21/services/JVTTroubleTicketSessionWSPort';
  const served = servedSchemaSet(profile, endpoint);

  it('points every import (WSDL and XSD) at <endpoint>?xsd=<name>, and each such name resolves', () => {
    const locations = served.files.flatMap((f) =>
      [...f.text.matchAll(/schemaLocation="([^"]+)"/g)].map((m) => m[1]!),
    );
    expect(locations.length).toBeGreaterThan(served.xsds.length);
    for (const loc of locations) {
      expect(loc.startsWith(`${endpoint}?xsd=`)).toBe(true);
      const file = schemaForQuery(served, new URL(loc).search);
      expect(file?.kind, loc).toBe('xsd');
    }
    expect(served.wsdl.text).toContain(`<soap:address location="${endpoint}"/>`);
  });

  it('answers ?wsdl in any case and refuses unknown queries', () => {
    expect(schemaForQuery(served, '?wsdl')).toBe(served.wsdl);
    expect(schemaForQuery(served, 'WSDL')).toBe(served.wsdl);
    expect(schemaForQuery(served, '?xsd=nope.xsd')).toBeUndefined();
    expect(schemaForQuery(served, `?xsd=${served.wsdl.name}`)).toBeUndefined();
    expect(schemaForQuery(served, '')).toBeUndefined();
  });

  it('differs from the on-disk set only by locations and address', () => {
    const disk = schemaSet(profile);
    expect(served.files.map((f) => f.name)).toEqual(disk.files.map((f) => f.name));
    const strip = (t: string) => t.replace(/schemaLocation="[^"]*"/g, '').replace(/location="[^"]*"/g, '');
    for (const f of served.files) expect(strip(f.text)).toBe(strip(disk.get(f.name)!.text));
  });
});
