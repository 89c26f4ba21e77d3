/** What a ticket's history keeps of a request: the text as sent, the header password replaced by ***. */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { storedRequest } from '../../mock-server/engine/history.ts';
import { type LocalMockEngine, redactPassword } from '../../mock-server/engine/index.ts';
import { call, cred, engine, getByKey, newTicket, OC1, OI_SIREN, set, setValue, writer } from './helpers.ts';

let e: LocalMockEngine | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

describe('stored requests', () => {
  it('keep every request as sent, accents included, with the password replaced', async () => {
    e = engine();
    const key = await newTicket(e, { troubleDescription: 'Fibre coupée près du PBO — « urgent »' });
    const info = setValue(key, 'SP CASE INFORMATION NOTIFICATION', 'QUEUED', 1, {
      messageType: 'INFO',
      messageContent: 'Client joignable après 18 h, côté cour',
    });
    await set(e, info);
    await getByKey(e, key);
    const sentSet = writer.setRequest(info, cred(OC1));
    const sentGet = writer.getRequest(
      { troubleTicketKey: key, supplierID: OI_SIREN, serviceProviderID: OC1.siren },
      cred(OC1),
    );
    const history = e.getTicket(key)!.history;
    expect(history.map((h) => h.operation)).toEqual([
      'createTroubleTicketByValue',
      'setTroubleTicketByValue',
      'getTroubleTicketByKey',
    ]);
    expect(history[0]!.requestXml).toContain('Fibre coupée près du PBO — « urgent »');
    expect(history[1]!.requestXml).toBe(redactPassword(sentSet));
    expect(history[2]!.requestXml).toBe(redactPassword(sentGet));
    for (const h of history) {
      expect(h.requestXml).not.toContain(OC1.password);
      expect(h.requestXml).toContain('Password>***</');
    }
  });

  it('hide a password sent in CDATA or split by a comment, which the OI still accepts', async () => {
    e = engine();
    const key = await newTicket(e);
    const sent = writer.getRequest(
      { troubleTicketKey: key, supplierID: OI_SIREN, serviceProviderID: OC1.siren },
      cred(OC1),
    );
    const half = OC1.password.length / 2;
    for (const hidden of [
      `<![CDATA[${OC1.password}]]>`,
      `${OC1.password.slice(0, half)}<!-- -->${OC1.password.slice(half)}`,
    ]) {
      const x = await call(e, sent.replace(`>${OC1.password}<`, `>${hidden}<`));
      expect(x.msg.body.kind === 'ticketResponse' && x.msg.body.ticket?.troubleTicketKey).toBe(key);
    }
    const stored = e.getTicket(key)!.history.map((h) => h.requestXml);
    expect(stored).toHaveLength(3);
    for (const xml of stored) expect(xml).not.toContain(OC1.password.slice(0, half));
    expect(stored[2]).toContain('Password>***</');
  });

  it('redact exactly what the text pattern redacts, on any bytes', () => {
    const token = fc.constantFrom(
      '<hdr:Password>',
      '</hdr:Password>',
      '<Password a="1">',
      '</Password>',
      '<a.b-c:Password >',
      '</a.b-c:Password>',
      '<Passwords>',
      'Password',
      '<',
      '>',
      ':',
      'secret',
      'é',
      '€',
      '😀',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        const stored = Buffer.from(storedRequest(Buffer.from(text, 'utf8'))).toString('utf8');
        expect(stored).toBe(redactPassword(text));
      }),
      { numRuns: 2000 },
    );
  });
});
