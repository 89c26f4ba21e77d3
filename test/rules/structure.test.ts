/** Reader issues and XSD errors: a field is blamed whenever one can be, else a fault (§9). */
import { describe, expect, it } from 'vitest';
import { answerFor, checkMessage } from '../../src/rules/index.ts';
import { MessageWriter } from '../../src/soap/write.ts';
import { decode, example, index, namesField, requestXml } from './helpers.ts';

const { missing, invalid } = index.profile.returnCodes;
const create = index.activeActions.find((a) => a.operation === 'createTroubleTicketByValue')!;
const set = index.activeActions.find((a) => a.operation === 'setTroubleTicketByValue')!;
const p = index.profile.prefixes;
const writer = new MessageWriter(index);

function createXml(): string {
  const { ticket } = example(create);
  return requestXml(ticket, create.operation);
}

function answerOf(xml: string) {
  const msg = decode(xml);
  const outcome = checkMessage(msg, index, example(create).ctx);
  return { outcome, answer: answerFor(outcome.findings, index) };
}

const ftthField = index.profile.fields.find((f) => f.group === 'ftth' && f.siren)!;
const element = (name: string, prefix: string) => new RegExp(`<${prefix}:${name}>[^<]*</${prefix}:${name}>`);

describe('structure issues', () => {
  it('an element unknown to the profile demands a fault', () => {
    const xml = createXml().replace(
      `</${p.cbe}:FTTHMUTTroubleTicket>`,
      `<${p.ftth}:PRDMId>X</${p.ftth}:PRDMId></${p.cbe}:FTTHMUTTroubleTicket>`,
    );
    const { answer, outcome } = answerOf(xml);
    expect(answer).toMatchObject({
      kind: 'fault',
      faultcode: 'Client',
      choice: 'ossIllegalArgumentException',
    });
    expect(outcome.findings.find((f) => f.rule === 'STRUCTURE.UNKNOWN')?.demand).toBe('fault');
  });

  it('a profile field in the wrong namespace gives returnCode 2 naming it', () => {
    const xml = createXml().replace(element(ftthField.name, p.ftth), (m) =>
      m.replaceAll(`${p.ftth}:`, `${p.cbe}:`),
    );
    const { answer, outcome } = answerOf(xml);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, ftthField.name)).toBe(true);
    expect(outcome.findings.map((f) => f.rule)).toContain('STRUCTURE.NAMESPACE');
  });

  it('a duplicated field gives returnCode 2 naming it', () => {
    const xml = createXml().replace(element(ftthField.name, p.ftth), (m) => m + m);
    const { answer } = answerOf(xml);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, ftthField.name)).toBe(true);
  });

  it('a field out of schema order gives returnCode 2 naming it', () => {
    const [first, second] = index.profile.fields.filter((f) => f.group === 'value' && f.ns !== 'co');
    let xml = createXml();
    const a = xml.match(element(first!.name, p[first!.ns]))![0];
    xml = xml.replace(a, '').replace(/(<\w+:troubleTicketState>[^<]*<\/\w+:troubleTicketState>)/, `$1${a}`);
    const { answer, outcome } = answerOf(xml);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    expect(outcome.findings.some((f) => f.rule === 'STRUCTURE.ORDER')).toBe(true);
    void second;
  });

  it('an element holding elements instead of text gives returnCode 2 naming it', () => {
    const xml = createXml().replace(
      element(ftthField.name, p.ftth),
      `<${p.ftth}:${ftthField.name}><${p.ftth}:x/></${p.ftth}:${ftthField.name}>`,
    );
    const { answer } = answerOf(xml);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, ftthField.name)).toBe(true);
  });

  it('an ignored JSR 91 element is information only', () => {
    const ignored = index.profile.ignoredElements[0]!;
    const xml = createXml().replace(
      `<${p.cbe}:FTTHMUTTroubleTicket>`,
      `<${p.cbe}:${ignored}/><${p.cbe}:FTTHMUTTroubleTicket>`,
    );
    const { answer, outcome } = answerOf(xml);
    expect(outcome.findings.find((f) => f.rule === 'STRUCTURE.IGNORED')?.severity).toBe('info');
    expect(answer).toEqual({ kind: 'ok' });
  });
});

describe('JSR 91 members the reference TroubleTicketValue inherits (spec 2.3.1: ignored)', () => {
  it.each([
    ['co:key (ManagedEntityValue)', `<${p.co}:key xmlns:${p.co}="${index.ns.co}" xsi:nil="true"/>`],
    [
      'describingSpecificationKey (CBECore EntityValue)',
      '<cbecore:describingSpecificationKey xmlns:cbecore="http://ossj.org/xml/Common-CBECore/v1-5" xsi:nil="true"/>',
    ],
  ])('%s, sent as nil before interactionDate, is information only', (_name, element) => {
    const xml = createXml().replace(`<${p.bi}:interactionDate>`, `${element}<${p.bi}:interactionDate>`);
    expect(xml).toContain(element);
    const { answer, outcome } = answerOf(xml);
    expect(outcome.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(outcome.findings.find((f) => f.rule === 'STRUCTURE.IGNORED')?.severity).toBe('info');
    expect(answer).toEqual({ kind: 'ok' });
  });
});

describe('XSD errors', () => {
  const required = index.profile.fields.find((f) => f.required && !create.mandatory.includes(f.name))!;

  it('a required schema element left out gives returnCode 1 naming it', () => {
    const xml = createXml().replace(new RegExp(`<${p[required.ns]}:${required.name}[^>]*/>`), '');
    const { answer } = answerOf(xml);
    expect(answer).toMatchObject({ kind: 'returnCode', code: missing });
    if (answer.kind === 'returnCode') expect(namesField(answer.label, required.name)).toBe(true);
  });

  it('a schema error no field can be blamed for demands a fault', () => {
    const { ticket, ctx } = example(set);
    const xml = requestXml(ticket, set.operation).replace(
      `<${p.tt}:troubleTicketValue>`,
      `texte libre<${p.tt}:troubleTicketValue>`,
    );
    const msg = decode(xml);
    expect(msg.schemaErrors.length).toBeGreaterThan(0);
    const outcome = checkMessage(msg, index, ctx);
    const xsd = outcome.findings.filter((f) => f.rule === 'XSD');
    expect(xsd.map((f) => f.demand)).toEqual(['fault']);
    expect(answerFor(outcome.findings, index).kind).toBe('fault');
  });

  it('a schema error no field can be blamed for names the element the schema names, not « message »', () => {
    const credentials = { login: 'oc', password: 'pw' };
    const withEventType = writer.metaRequest('getEventDescriptor', credentials, 'TT_CREATED');
    const eventType = /<(\w+):eventType>[^<]*<\/\1:eventType>/.exec(withEventType)!;
    const cases = {
      missing: withEventType.replace(eventType[0], ''),
      'in another namespace': withEventType.replace(
        eventType[0],
        '<x:eventType xmlns:x="urn:x">a</x:eventType>',
      ),
      twice: withEventType.replace(eventType[0], eventType[0].repeat(2)),
    };
    for (const [why, xml] of Object.entries(cases)) {
      const xsd = checkMessage(decode(xml), index).findings.filter((f) => f.rule === 'XSD');
      expect(xsd.length, why).toBeGreaterThan(0);
      for (const f of xsd) {
        expect(f.message, why).toMatch(/^eventType : rejeté par le schéma XSD : /);
        expect({ field: f.field, demand: f.demand }, why).toEqual({ field: undefined, demand: 'fault' });
      }
    }
  });

  it('a resyncRequired the schema rejects gives returnCode 2 naming it and its value', () => {
    const { ticket, ctx } = example(set);
    const xml = requestXml(ticket, set.operation).replace(
      `</${p.tt}:troubleTicketValue>`,
      `</${p.tt}:troubleTicketValue><${p.tt}:resyncRequired>peut-être</${p.tt}:resyncRequired>`,
    );
    const answer = answerFor(checkMessage(decode(xml), index, ctx).findings, index);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') {
      expect(namesField(answer.label, 'resyncRequired')).toBe(true);
      expect(answer.label).toContain('« peut-être »');
      expect(answer.label).toContain('xs:boolean');
    }
  });

  it('an attrNames holding text instead of items gives returnCode 2 naming it and its value', () => {
    const xml = writer
      .getRequest({
        troubleTicketKey: 'K1',
        attrNames: ['troubleTicketState'],
        supplierID: '343059564',
        serviceProviderID: '380129866',
      })
      .replace(/<(\w+):attrNames>.*<\/\1:attrNames>/, '<$1:attrNames>abc</$1:attrNames>');
    const answer = answerFor(checkMessage(decode(xml), index).findings, index);
    expect(answer).toMatchObject({ kind: 'returnCode', code: invalid });
    if (answer.kind === 'returnCode') {
      expect(namesField(answer.label, 'attrNames')).toBe(true);
      expect(answer.label).toContain('« abc »');
    }
  });

  it('an XSD error on a field already judged by a rule is not reported twice', () => {
    const xml = createXml().replace(
      element(ftthField.name, p.ftth),
      `<${p.ftth}:${ftthField.name}>12</${p.ftth}:${ftthField.name}>`,
    );
    const msg = decode(xml);
    expect(msg.schemaErrors.some((e) => e.element === ftthField.name)).toBe(true);
    const outcome = checkMessage(msg, index, {});
    expect(outcome.findings.filter((f) => f.field === ftthField.name).map((f) => f.rule)).toEqual([
      'FORMAT.LENGTH',
    ]);
  });
});
