/**
 * Field overrides of the OI actions (R7) through the control API: only the fields §8 lists for the
 * action, with values XML can carry; identity, state, version, action code and dates stay the
 * mock's; a wrong closure code is blamed on the code. And the automatic behaviour's long delays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../mock-server/engine/automation.ts';
import { type ManualClock, manualClock } from '../../mock-server/engine/clock.ts';
import { startMock } from '../../mock-server/index.ts';
import { engine, newTicket } from '../mock-engine/helpers.ts';
import {
  controlTicket,
  inventoryAccess,
  type Mock,
  type OcClient,
  ocClientFor,
  oiAction,
} from './protocol.ts';

let mock: Mock;
let oc: OcClient;
let n = 0;

beforeAll(async () => {
  mock = await startMock();
  oc = await ocClientFor(mock);
});
afterAll(() => mock.stop());

/** A new QUEUED ticket of the first OC, on its own inventory access. */
async function queued(): Promise<string> {
  const r = await oc.create(oc.actionValue('oc.create', null, 0, inventoryAccess(mock, n++)));
  expect(r.returnCode).toBe('0');
  await mock.engine.settle();
  return r.key!;
}

const TAKE_IN_CHARGE = [
  'supplierName',
  'supplierResolutionState',
  'supplierUnit',
  'supplierPhoneNumber',
  'supplierResolutionAction',
];

describe('R7 field overrides', () => {
  it.each([
    [
      'serviceProviderID',
      '421938861',
      'identity field: the mock sets it to the SIREN of the OC that owns the ticket',
    ],
    ['supplierID', '397480930', "identity field: the mock sets it to the OI's own SIREN"],
    ['troubleTicketKey', 'TT-777777', 'identity field: the ticket is the one named in the URL'],
    ['troubleTicketState', 'CLOSED', 'set by the transition of oi.takeInCharge (T5 → OPENACTIVE, §7)'],
    ['lastUpdateVersionNumber', '42', 'the OI increments it at each of its updates (§7)'],
    [
      'description',
      'CASE SOLVED NOTIFICATION',
      'the action code, set by oi.takeInCharge (CASE SOLVING NOTIFICATION, §6)',
    ],
    [
      'interactionDate',
      '2024-01-01T00:00:00Z',
      'the date of the OI update, set by the mock when it applies the action',
    ],
    ['interactionDateComplete', '2024-01-01T00:00:00Z', 'set by the OI when the ticket closes (§7)'],
    [
      'troubleTicketClosureCode',
      'ERR01',
      'a field of oi.rejection (R7), oi.resolution (R7), oi.cancellationAgreement (R7), not of oi.takeInCharge (§8)',
    ],
    ['technicalId', 'FI-0000-0002', 'a field of oc.create (R6), not of oi.takeInCharge (§8)'],
  ])(
    'refuses %s on oi.takeInCharge with 400 naming the field, its value and why',
    async (field, value, why) => {
      const key = await queued();
      const r = await oiAction(mock, key, 'oi.takeInCharge', { [field]: value });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        error: `invalid field overrides for oi.takeInCharge: ${field}: "${value}" cannot be overridden: ${why}; oi.takeInCharge accepts: ${TAKE_IN_CHARGE.join(', ')}`,
        accepted: TAKE_IN_CHARGE,
      });
      const t = await controlTicket(mock, key);
      expect(t.ticket).toMatchObject({ state: 'QUEUED', lastUpdateVersionNumber: 1 });
      expect(t.history.map((h) => h.direction)).not.toContain('push');
    },
  );

  it('keeps the owning OC identity: its get shows its own SIREN after an OI action', async () => {
    const key = await queued();
    expect((await oiAction(mock, key, 'oi.takeInCharge', { supplierUnit: 'Plateau SAV' })).status).toBe(200);
    const got = await oc.get({ troubleTicketKey: key });
    expect(got.returnCode).toBe('0');
    expect(got.ticket).toMatchObject({
      serviceProviderID: oc.account.siren,
      supplierID: mock.config.oiSiren,
      supplierUnit: 'Plateau SAV',
    });
  });

  it('lists every refused field at once, and the accepted ones of the action', async () => {
    const key = await queued();
    const r = await oiAction(mock, key, 'oi.rejection', {
      troubleTicketClosureComment: 'ok',
      supplierName: 'X',
      nonsense: 'y',
    });
    expect(r.status).toBe(400);
    expect((r.body as { problems?: string[] }).problems).toEqual([
      'supplierName: "X" cannot be overridden: a field of oi.takeInCharge (R7), not of oi.rejection (§8)',
      'nonsense: is not a field of profile sav-ftth-2.1',
    ]);
    expect((r.body as { accepted?: string[] }).accepted).toEqual([
      'troubleTicketClosureCode',
      'troubleTicketClosureLabel',
      'troubleTicketClosureComment',
    ]);
  });

  it('refuses a value holding characters XML cannot carry, naming the field and the character', async () => {
    const key = await queued();
    await oiAction(mock, key, 'oi.takeInCharge');
    for (const [content, char, at] of [
      ['a\u0001b', 'U+0001', 2],
      ['ab\u0000c', 'U+0000', 3],
      ['\uFFFEd', 'U+FFFE', 1],
      ['e\ud800e', 'U+D800', 2],
      ['😀\u0007', 'U+0007', 2],
    ] as const) {
      const r = await oiAction(mock, key, 'oi.information', { messageType: 'INFO', messageContent: content });
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(
        `messageContent: ${JSON.stringify(content)} holds ${char} at character ${at}, a character XML 1.0 cannot carry`,
      );
    }
    // What is stored is what the OC is served: tab, line feeds, CR and astral characters go through.
    const text = 'ligne 1\r\nligne\t2 😀';
    expect(
      (await oiAction(mock, key, 'oi.information', { messageType: 'INFO', messageContent: text })).status,
    ).toBe(200);
    expect((await oc.get({ troubleTicketKey: key })).ticket?.messageContent).toBe(text);
  });

  it('accepts an alias of a listed field', async () => {
    const key = await queued();
    await oiAction(mock, key, 'oi.takeInCharge');
    const r = await oiAction(mock, key, 'oi.resolution', {
      troubleTicketClosureCode: 'RET01',
      reprovisioningId: 'R1',
    });
    expect(r.status).toBe(200);
    expect(r.body.ticket?.fields.reprovisionningId).toBe('R1');
  });

  it('refuses the same overrides from the in-process engine', async () => {
    const key = await queued();
    await expect(
      mock.engine.triggerOiAction(key, 'oi.takeInCharge', { serviceProviderID: '421938861' }),
    ).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(
        /^invalid field overrides for oi\.takeInCharge: serviceProviderID: "421938861" cannot be overridden/,
      ),
    });
  });
});

describe('closure codes of an OI action', () => {
  it.each([
    [
      'ERR02',
      /^troubleTicketClosureCode : la valeur « ERR02 » n'est pas dans la liste troubleTicketClosureCode/,
    ],
    [
      'RET01',
      /^troubleTicketClosureCode : le code de clôture « RET01 » n'est pas permis pour la transition T6/,
    ],
    [
      'ERR07',
      /^troubleTicketClosureCode : le code de clôture « ERR07 » n'est pas permis pour la transition T6/,
    ],
  ])(
    'blames troubleTicketClosureCode, not the label the mock derives, for %s on oi.rejection',
    async (code, label) => {
      const key = await queued();
      const r = await oiAction(mock, key, 'oi.rejection', { troubleTicketClosureCode: code });
      expect(r.status).toBe(422);
      expect(r.body.returnCode).toBe('2');
      expect(r.body.returnLabel).toMatch(label);
      expect(r.body.ticket?.state).toBe('QUEUED');
    },
  );

  it('still blames a label the caller gave that does not match its code', async () => {
    const key = await queued();
    const r = await oiAction(mock, key, 'oi.rejection', {
      troubleTicketClosureCode: 'ERR03',
      troubleTicketClosureLabel: 'ERR05#CLOTURE DU TICKET DE MAINTENANCE PROGRAMMEE',
    });
    expect(r.body.returnCode).toBe('2');
    expect(r.body.returnLabel).toMatch(/^troubleTicketClosureLabel : /);
  });
});

describe('automatic behaviour with a delay longer than a Node timer', () => {
  /** A manual clock that, like Node, fires at once a timer longer than 2^31 − 1 ms. */
  function nodeLikeClock(): ManualClock {
    const c = manualClock();
    return { ...c, setTimeout: (fn, ms) => c.setTimeout(fn, ms > MAX_TIMER_MS ? 1 : ms) };
  }

  it('takes in charge when the delay is due, not at once', async () => {
    const clock = nodeLikeClock();
    const e = engine({ clock, behaviour: { takeInChargeAfterMs: 3_000_000_000 } });
    try {
      const key = await newTicket(e);
      clock.advance(1_000);
      expect(e.getTicket(key)!.ticket.state).toBe('QUEUED');
      clock.advance(3_000_000_000 - 1_001);
      expect(e.getTicket(key)!.ticket.state).toBe('QUEUED');
      clock.advance(1);
      expect(e.getTicket(key)!.ticket.state).toBe('OPENACTIVE');
    } finally {
      e.close();
    }
  });
});
