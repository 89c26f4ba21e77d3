/**
 * Every fixture (each R6/R7 action, each response and fault kind) validates against our XSD under
 * libxml2-wasm and reads back, through both tree accesses of the codec, to exactly the values it
 * was written from. The Xerces half of the proof is in xerces.test.ts.
 */
import { XmlDocument } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIndex } from '../../src/profile/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { treeKind, useTree } from '../../src/soap/dom.ts';
import { readMessage } from '../../src/soap/read.ts';
import { buildFixtures } from '../fixtures/build.ts';
import { headerOf, payloadOf } from '../fixtures/payload.ts';

const index = defaultIndex();
const validator = schemaValidator(index.profile);
const fixtures = buildFixtures(index);
const initialTree = treeKind();
afterAll(() => useTree(initialTree));

describe('fixture catalogue covers the protocol', () => {
  const names = new Set(fixtures.map((f) => f.name));

  it('has a request for every active R6 and R7 action', () => {
    const actions = new Set(fixtures.map((f) => f.action));
    for (const a of index.activeActions) expect(actions.has(a.id), a.id).toBe(true);
    expect(new Set(index.activeActions.map((a) => a.catalogue))).toEqual(new Set(['R6', 'R7']));
  });

  it('has each return code for the create, set and get responses, and a response for every meta operation', () => {
    const { success, missing, invalid } = index.profile.returnCodes;
    for (const op of index.profile.operations) {
      if (op.kind === 'meta') expect(names.has(`response/meta/${op.name}`), op.name).toBe(true);
      else
        for (const code of [success, missing, invalid])
          expect(names.has(`response/${op.name}/returnCode-${code}`)).toBe(true);
    }
  });

  it('has a fault for every operation and every detail choice', () => {
    for (const op of index.profile.operations) {
      for (const choice of op.faultChoices)
        expect(names.has(`fault/${op.name}/${choice}`), `${op.name} ${choice}`).toBe(true);
    }
  });
});

describe.each(['raw', 'public'] as const)('reading every fixture (%s tree access)', (kind) => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    useTree(kind);
    const msg = readMessage(f.xml, index, { validator });
    expect(msg.direction).toBe(f.direction);
    expect(msg.operation?.name).toBe(f.operation);
    expect(msg.body).toEqual(f.body);
    expect(msg.credentials).toEqual(f.credentials);
    expect(msg.issues).toEqual([]);
    expect(msg.schemaErrors).toEqual([]);
  });
});

describe('standalone payloads validate under libxml2-wasm', () => {
  const validateText = (text: string) => {
    const doc = XmlDocument.fromString(text);
    try {
      return validator.validate(doc);
    } finally {
      doc.dispose();
    }
  };

  it.each(fixtures.filter((f) => payloadOf(f.xml)).map((f) => [f.name, payloadOf(f.xml)!] as const))(
    '%s',
    (_n, payload) => {
      expect(validateText(payload)).toEqual([]);
    },
  );

  it('the credentials header', () => {
    const withHeader = fixtures.find((f) => f.credentials)!;
    expect(validateText(headerOf(withHeader.xml)!)).toEqual([]);
  });

  it('and a broken payload is refused, naming the element', () => {
    const f = fixtures.find((x) => x.action === 'oc.create')!;
    const broken = payloadOf(f.xml)!.replace(/(<ftth:supplierID>)\d+/, '$112345678');
    expect(validateText(broken).map((e) => e.element)).toContain('supplierID');
  });
});
