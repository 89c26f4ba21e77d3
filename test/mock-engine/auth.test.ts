/** Authentication (header credentials, constant-time check, per-login rate limit) and OC isolation (§3). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../mock-server/engine/auth.ts';
import { type LocalMockEngine, type ManualClock, manualClock } from '../../mock-server/engine/index.ts';
import {
  call,
  create,
  createValue,
  cred,
  engine,
  fault,
  getByKey,
  newTicket,
  OC1,
  OC2,
  OI_SIREN,
  set,
  setValue,
  writer,
} from './helpers.ts';

let e: LocalMockEngine;
let clock: ManualClock;
beforeEach(() => {
  clock = manualClock();
  e = engine({ clock, loginRateLimit: { maxFailures: 5, windowMs: 60_000 } });
});
afterEach(() => e.close());

describe('authentication', () => {
  it('a request without the header gets a Client fault and creates nothing', async () => {
    const r = await call(e, writer.createRequest(createValue()));
    expect(r.answer.status).toBe(500);
    const f = fault(r)!;
    expect(f.faultcode).toMatch(/:Client$/);
    expect(f.faultstring).toMatch(/LoginName and Password/);
    expect(f.exception).toBe('createTroubleTicketByValueException');
    expect(f.choice).toBe('ossIllegalArgumentException');
    expect(e.counters().tickets).toBe(0);
  });

  it('an unknown login and a wrong password get the same fault', async () => {
    const unknown = await call(e, writer.createRequest(createValue(), { login: 'nobody', password: 'x' }));
    const wrong = await call(
      e,
      writer.createRequest(createValue(), { login: OC1.login, password: 'not-the-password' }),
    );
    expect(fault(unknown)!.faultcode).toMatch(/:Client$/);
    expect(fault(unknown)).toEqual(fault(wrong));
    expect(e.counters().tickets).toBe(0);
  });

  it('every operation is authenticated, meta operations included', async () => {
    const r = await call(
      e,
      writer.metaRequest('getManagedEntityTypes', { login: OC1.login, password: 'bad' }),
    );
    expect(fault(r)!.faultcode).toMatch(/:Client$/);
    expect(fault(r)!.exception).toBe('getManagedEntityTypesException');
  });

  it('after 5 failures within a minute even the right password is refused, until the window passes', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call(
        e,
        writer.createRequest(createValue(), { login: OC1.login, password: `bad-${i}` }),
      );
      expect(fault(r)!.faultstring).toMatch(/authentication failed/);
    }
    const locked = await create(e);
    expect(fault(locked)!.faultstring).toMatch(/too many failed logins/);
    // Another account is not affected.
    expect((await create(e, createValue({}, OC2.siren), OC2)).returnCode).toBe('0');
    clock.advance(60_001);
    const after = await create(e);
    expect(after.returnCode).toBe('0');
  });

  it('a login as long as the header allows is locked out like any other, and named shortened in the fault', async () => {
    const login = `x${'é'.repeat(200_000)}`;
    const attempt = () => call(e, writer.metaRequest('getEventTypes', { login, password: 'bad' }));
    for (let i = 0; i < 5; i++) expect(fault(await attempt())!.faultstring).toMatch(/authentication failed/);
    const locked = fault(await attempt())!.faultstring;
    expect(locked).toMatch(/too many failed logins for "xé{59}…"/);
    expect(locked.length).toBeLessThan(200);
    // A login differing only past the shortened part is another login: not locked.
    const other = await call(e, writer.metaRequest('getEventTypes', { login: `${login}2`, password: 'bad' }));
    expect(fault(other)!.faultstring).toMatch(/authentication failed/);
  });

  it('a success clears the failures of a login', async () => {
    for (let i = 0; i < 4; i++)
      await call(e, writer.createRequest(createValue(), { login: OC1.login, password: 'bad' }));
    expect((await create(e)).returnCode).toBe('0');
    for (let i = 0; i < 4; i++)
      await call(e, writer.createRequest(createValue(), { login: OC1.login, password: 'bad' }));
    expect((await create(e, createValue({ technicalId: 'FI-1111-0002' }))).returnCode).toBe('0');
  });
});

describe('the login failure table', () => {
  const failing = (auth: Authenticator, login: string) =>
    expect(auth.authenticate({ login, password: 'wrong' })).toMatchObject({ ok: false });

  it('a flood of failures on random logins never lifts the lock of an account', () => {
    const auth = new Authenticator([OC1, OC2], clock, { maxFailures: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) failing(auth, OC1.login);
    for (let i = 0; i < 25_000; i++) failing(auth, `random-${i}`);
    expect(auth.authenticate({ login: OC1.login, password: OC1.password })).toMatchObject({
      ok: false,
      reason: 'locked',
    });
    expect(auth.authenticate({ login: OC2.login, password: OC2.password })).toMatchObject({ ok: true });
    clock.advance(60_001);
    expect(auth.authenticate({ login: OC1.login, password: OC1.password })).toMatchObject({ ok: true });
  });

  it('the most recently failing unknown logins stay locked while older ones are dropped', () => {
    const auth = new Authenticator([OC1], clock, { maxFailures: 2, windowMs: 60_000 });
    for (let i = 0; i < 12_000; i++) {
      failing(auth, `random-${i}`);
      failing(auth, `random-${i}`);
    }
    expect(auth.authenticate({ login: 'random-11999', password: 'x' })).toMatchObject({ reason: 'locked' });
    expect(auth.authenticate({ login: 'random-0', password: 'x' })).toMatchObject({ reason: 'invalid' });
  });

  it('maxFailures 0 never locks', () => {
    const auth = new Authenticator([OC1], clock, { maxFailures: 0, windowMs: 60_000 });
    for (let i = 0; i < 50; i++) failing(auth, OC1.login);
    expect(auth.authenticate({ login: OC1.login, password: OC1.password })).toMatchObject({ ok: true });
  });
});

describe('isolation between OCs', () => {
  it('another OC’s key answers exactly like an unknown key, on set and on get', async () => {
    const key = await newTicket(e);
    const unknownKey = `TT-${'9'.repeat(6)}`;
    const foreignSet = await set(
      e,
      setValue(
        key,
        'SP CASE INFORMATION NOTIFICATION',
        'QUEUED',
        1,
        { messageType: 'INFO', messageContent: 'x' },
        OC2.siren,
      ),
      OC2,
    );
    const unknownSet = await set(
      e,
      setValue(
        unknownKey,
        'SP CASE INFORMATION NOTIFICATION',
        'QUEUED',
        1,
        { messageType: 'INFO', messageContent: 'x' },
        OC2.siren,
      ),
      OC2,
    );
    expect(foreignSet.returnCode).toBe('2');
    expect(foreignSet.returnLabel).toMatch(/^troubleTicketKey\b/);
    expect(foreignSet.answer.body.replaceAll(key, 'K')).toBe(
      unknownSet.answer.body.replaceAll(unknownKey, 'K'),
    );

    const foreignGet = await getByKey(e, key, OC2);
    const unknownGet = await getByKey(e, unknownKey, OC2);
    expect(foreignGet.returnCode).toBe('2');
    expect(foreignGet.ticket).toEqual({ troubleTicketKey: null, troubleTicketState: null });
    expect(foreignGet.answer.body.replaceAll(key, 'K')).toBe(
      unknownGet.answer.body.replaceAll(unknownKey, 'K'),
    );
    // The owner's ticket is untouched and its history does not hold the other OC's attempt.
    expect(e.getTicket(key)!.history).toHaveLength(1);
  });

  it('serviceProviderID must be the authenticated OC’s SIREN, supplierID the OI’s (code 2 naming the field)', async () => {
    const asOther = await create(e, createValue({ serviceProviderID: OC2.siren }));
    expect(asOther.returnCode).toBe('2');
    expect(asOther.returnLabel).toMatch(/^serviceProviderID\b/);
    const otherOi = await create(e, createValue({ supplierID: '421938861' }));
    expect(otherOi.returnCode).toBe('2');
    expect(otherOi.returnLabel).toMatch(/^supplierID\b/);
    const get = await call(
      e,
      writer.getRequest(
        { technicalId: 'FI-1111-0001', supplierID: OI_SIREN, serviceProviderID: OC2.siren },
        cred(OC1),
      ),
    );
    expect(get.returnCode).toBe('2');
    expect(get.returnLabel).toMatch(/^serviceProviderID\b/);
    expect(e.counters().tickets).toBe(0);
  });

  it('get by technicalId sees only the calling OC’s tickets', async () => {
    await newTicket(e, { technicalId: 'FI-1111-0003' }, OC2);
    const r = await call(
      e,
      writer.getRequest(
        { technicalId: 'FI-1111-0003', supplierID: OI_SIREN, serviceProviderID: OC1.siren },
        cred(OC1),
      ),
    );
    expect(r.returnCode).toBe('2');
    expect(r.returnLabel).toMatch(/^technicalId\b/);
  });
});
