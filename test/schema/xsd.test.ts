/**
 * The generated XSD carries every fact of the profile: each field as a global element of its
 * namespace with its type, length, value list and nillability, in schema order inside
 * TroubleTicketValue / FTTHMUTTroubleTicket, and each operation's elements and fault choices.
 */
import { XmlDocument, type XmlElement } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIndex, type FieldDef, getProfile, type Profile } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { generateSchemas } from '../../src/schema/xsd.ts';
import { readMessage } from '../../src/soap/read.ts';
import { MessageWriter } from '../../src/soap/write.ts';

const XS = { xs: 'http://www.w3.org/2001/XMLSchema' };
const profile = defaultIndex().profile;
const docs = new Map<Profile, Map<string, XmlDocument>>();

function schemaOf(p: Profile, ns: string): XmlDocument {
  const ofProfile = docs.get(p) ?? new Map<string, XmlDocument>();
  docs.set(p, ofProfile);
  let doc = ofProfile.get(ns);
  if (!doc) {
    const file = generateSchemas(p).find((s) => s.ns === ns);
    if (!file) throw new Error(`no schema for ${ns}`);
    doc = XmlDocument.fromString(file.text);
    ofProfile.set(ns, doc);
  }
  return doc;
}
afterAll(() => {
  for (const m of docs.values()) for (const d of m.values()) d.dispose();
});

const attr = (el: XmlElement, name: string) => el.attr(name)?.value;
const facetValues = (el: XmlElement, facet: string) =>
  el.find(`.//xs:restriction/xs:${facet}/@value`, XS).map((a) => a.content);

describe('every profile field in the XSD', () => {
  const xsType = (f: FieldDef) => `xs:${f.type}`;

  it.each(profile.fields.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const doc = schemaOf(profile, f.ns);
    expect(doc.root.attr('targetNamespace')?.value).toBe(profile.namespaces[f.ns]);
    const el = doc.get(`/xs:schema/xs:element[@name="${f.name}"]`, XS) as XmlElement | null;
    expect(el, `${f.name} declared in ${f.ns}`).not.toBeNull();
    if (!el) return;
    expect(attr(el, 'nillable') === 'true').toBe(f.nillable);
    const restriction = el.get('.//xs:restriction', XS) as XmlElement | null;
    expect(restriction ? attr(restriction, 'base') : attr(el, 'type')).toBe(xsType(f));

    expect(facetValues(el, 'maxLength')).toEqual(f.maxLength === undefined ? [] : [String(f.maxLength)]);
    expect(facetValues(el, 'length')).toEqual(f.exactLength === undefined ? [] : [String(f.exactLength)]);
    const list = f.list ? profile.valueLists.find((l) => l.id === f.list) : undefined;
    expect(list === undefined, `list ${f.list} of ${f.name} exists`).toBe(f.list === undefined);
    const expected =
      list?.mode === 'strict'
        ? [...list.values, ...(profile.settings.legacyStatesReadable ? (list.legacy ?? []) : [])]
        : [];
    expect(facetValues(el, 'enumeration')).toEqual(expected);
    // The documentation names the basis and clause of the field.
    expect(el.get('xs:annotation/xs:documentation', XS)?.content).toContain(`[${f.basis} ${f.clause}]`);
  });

  it('TroubleTicketValue and FTTHMUTTroubleTicket list the fields in profile order, required ones mandatory', () => {
    // A field with aliases is a choice of its spellings (§4: accept both).
    const sequence = (ns: string, type: string) =>
      (
        schemaOf(profile, ns).find(
          `/xs:schema/xs:complexType[@name="${type}"]/xs:sequence/*[self::xs:element or self::xs:choice]`,
          XS,
        ) as XmlElement[]
      ).map((e) => ({
        ref:
          e.name === 'choice'
            ? (e.find('xs:element', XS) as XmlElement[]).map((c) => attr(c, 'ref'))
            : (attr(e, 'ref') ?? attr(e, 'name')),
        optional: attr(e, 'minOccurs') === '0',
      }));
    const refOf = (f: FieldDef) => {
      const prefixed = (n: string) => `${profile.prefixes[f.ns]}:${n}`;
      return {
        ref: f.aliases?.length ? [f.name, ...f.aliases].map(prefixed) : prefixed(f.name),
        optional: !f.required,
      };
    };
    const value = profile.fields.filter((f) => f.group === 'value').map(refOf);
    expect(sequence('cbe', 'TroubleTicketValue')).toEqual([
      ...value,
      { ref: 'FTTHMUTTroubleTicket', optional: true },
    ]);
    expect(sequence('ftth', 'FTTHMUTTroubleTicket')).toEqual(
      profile.fields.filter((f) => f.group === 'ftth').map(refOf),
    );
  });

  it('each operation has its request, response and exception elements with its fault choices in order', () => {
    for (const op of profile.operations) {
      const doc = schemaOf(profile, op.ns);
      for (const name of [op.request, op.response]) {
        expect(doc.get(`/xs:schema/xs:element[@name="${name}"]`, XS), name).not.toBeNull();
      }
      const choices = doc
        .find(`/xs:schema/xs:element[@name="${op.exception}"]//xs:choice/xs:element/@name`, XS)
        .map((a) => a.content);
      expect(choices, op.exception).toEqual(op.faultChoices);
    }
  });

  it('follows a change of the profile: a new field, a longer limit, another list value', () => {
    const base = getProfile();
    const changed: Profile = {
      ...base,
      fields: [
        ...base.fields.map((f) => (f.name === 'offerId' ? { ...f, maxLength: 80 } : f)),
        {
          ...base.fields.find((f) => f.name === 'closureDuration')!,
          name: 'PRDMId',
          maxLength: 20,
          type: 'string',
        },
      ],
      valueLists: base.valueLists.map((l) =>
        l.id === 'defectResponsibility' ? { ...l, values: [...l.values, 'INCONNU'] } : l,
      ),
    };
    const ftth = schemaOf(changed, 'ftth');
    expect(
      facetValues(ftth.get('/xs:schema/xs:element[@name="offerId"]', XS) as XmlElement, 'maxLength'),
    ).toEqual(['80']);
    expect(
      facetValues(ftth.get('/xs:schema/xs:element[@name="PRDMId"]', XS) as XmlElement, 'maxLength'),
    ).toEqual(['20']);
    expect(
      facetValues(
        ftth.get('/xs:schema/xs:element[@name="defectResponsibility"]', XS) as XmlElement,
        'enumeration',
      ),
    ).toContain('INCONNU');
    const last = ftth
      .find('/xs:schema/xs:complexType[@name="FTTHMUTTroubleTicket"]/xs:sequence/xs:element', XS)
      .at(-1);
    expect(last && attr(last as XmlElement, 'ref')).toBe('ftth:PRDMId');
  });
});

describe('the XSD validator enforces the profile', () => {
  const index = defaultIndex();
  const writer = new MessageWriter(index);
  const validator = schemaValidator(index.profile);
  const ticket = exampleTicket('oc.create', index, { full: true });
  const errorsOf = (t: Record<string, string | null>) =>
    readMessage(writer.createRequest(t), index, { validator }).schemaErrors;

  it('accepts the valid example', () => {
    expect(errorsOf(ticket)).toEqual([]);
  });

  const limited = index.profile.fields.filter(
    (f) => f.maxLength !== undefined && f.type === 'string' && !f.list,
  );
  it.each(limited.map((f) => [f.name, f.maxLength!] as const))(
    '%s: one character over %i is refused',
    (name, max) => {
      const errors = errorsOf({ ...ticket, [name]: 'x'.repeat(max + 1) });
      expect(errors.map((e) => e.element)).toContain(name);
    },
  );

  const listed = index.profile.fields.filter(
    (f) => f.list && index.list.get(f.list)?.mode === 'strict' && f.type === 'string',
  );
  it.each(listed.map((f) => [f.name] as const))('%s: a value outside its list is refused', (name) => {
    const errors = errorsOf({ ...ticket, [name]: 'HORS LISTE' });
    expect(errors.map((e) => e.element)).toContain(name);
  });

  it('accepts a field under an alias in its place, read under the schema name (§4: accept both)', () => {
    const aliased = index.profile.fields.filter((f) => f.aliases?.length);
    expect(aliased.length).toBeGreaterThan(0);
    for (const f of aliased) {
      const written = writer.createRequest({ ...ticket, [f.name]: 'ALIAS-1' });
      for (const alias of f.aliases!) {
        const xml = written.replace(new RegExp(`(</?\\w+:)${f.name}>`, 'g'), `$1${alias}>`);
        expect(xml).toContain(`${alias}>ALIAS-1<`);
        const read = readMessage(xml, index, { validator });
        expect(read.schemaErrors, alias).toEqual([]);
        expect(read.body.kind === 'createRequest' && read.body.ticket[f.name], alias).toBe('ALIAS-1');
      }
      // Emitted under the schema's spelling only.
      expect(written).toContain(`${f.name}>ALIAS-1<`);
    }
  });

  it('refuses an element out of schema order and names it', () => {
    const xml = writer
      .createRequest(ticket)
      .replace(
        /(<bi:interactionDate>[^<]*<\/bi:interactionDate>)(<bi:description>[^<]*<\/bi:description>)/,
        '$2$1',
      );
    const errors = readMessage(xml, index, { validator }).schemaErrors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.element)).toContain('interactionDate');
  });
});
