/**
 * The refusals only the OI can decide, answered as returnCode 1/2 with a label naming the field
 * (§9): a key it does not know (or another OC's), a SIREN that is not the caller's or its own, an
 * R7 action its ticket's state does not allow. Every protocol rule on the message itself is the
 * rule engine's (src/rules): its answer comes first, these only after it accepted the message.
 */
import type { ActionDef, ProfileIndex } from '../../src/profile/index.ts';
import type { Answer } from '../../src/rules/index.ts';
import { q } from '../../src/rules/text.ts';
import type { TicketValue } from '../../src/soap/model.ts';
import { type EngineFields, engineFields } from './fields.ts';
import type { OcAccount } from './types.ts';

/** A refusal answered as a normal response: returnCode 1/2 and a label naming the field. */
export interface Refusal {
  code: string;
  label: string;
}

export const refusalOf = (a: Answer): Refusal | undefined =>
  a.kind === 'returnCode' ? { code: a.code, label: a.label } : undefined;

export class Refusals {
  private readonly f: EngineFields;
  private readonly codes: ProfileIndex['profile']['returnCodes'];

  constructor(
    private readonly index: ProfileIndex,
    private readonly oiSiren: string,
  ) {
    this.f = engineFields(index);
    this.codes = index.profile.returnCodes;
  }

  /** `field : explication (règle R, clause [basis])`, returnCode 2 unless told otherwise. */
  refuse(
    field: string,
    explanation: string,
    rule: string,
    clause: string,
    basis: string,
    code = this.codes.invalid,
  ): Refusal {
    return { code, label: `${field} : ${explanation} (règle ${rule}, ${clause} [${basis}])` };
  }

  /** A refusal resting on one of the profile's [decision] settings, labelled with that setting's basis. */
  bySetting(
    setting: keyof ProfileIndex['settings'],
    field: string,
    explanation: string,
    rule: string,
  ): Refusal {
    const b = this.index.profile.settingsBasis[setting];
    return this.refuse(field, explanation, rule, b.clause, b.basis);
  }

  /** Same answer for an unknown key and another OC's key (isolation, §3). */
  unknownKey(key: string | null | undefined): Refusal {
    return this.bySetting('unknownKeyField', this.f.key, `aucun ticket ${q(key)} pour cet OC`, 'KEY.UNKNOWN');
  }

  /** A get by technicalId that finds no ticket of this OC on that PTO. */
  unknownTechnicalId(technicalId: string): Refusal {
    return this.refuse(
      this.f.technicalId,
      `aucun ticket de cet OC sur la PTO ${q(technicalId)}`,
      'KEY.UNKNOWN',
      '§3',
      'spec',
    );
  }

  /** A get naming neither a key nor a technicalId. */
  missingKey(): Refusal {
    return {
      code: this.codes.missing,
      label: `${this.f.key} : troubleTicketKey ou technicalId est obligatoire (règle MANDATORY, spec 3.3.1 [spec])`,
    };
  }

  /** An R7 action triggered on a ticket whose state does not allow it (control API, automation). */
  illegalOiAction(action: ActionDef, state: string): Refusal {
    return this.bySetting(
      'illegalTransitionField',
      this.f.state,
      `l'action ${action.id} (${action.title}) n'est pas permise dans l'état « ${state} »`,
      'TRANSITION',
    );
  }

  /** serviceProviderID must be the authenticated OC's SIREN, supplierID this OI's (§3). */
  identity(ticket: TicketValue, account: OcAccount): Refusal | undefined {
    const sp = ticket[this.f.serviceProviderID];
    if (this.index.settings.ocIsolation && typeof sp === 'string' && sp !== account.siren) {
      return this.bySetting(
        'ocIsolation',
        this.f.serviceProviderID,
        `${q(sp)} n'est pas le SIREN de l'OC authentifié (${q(account.login)})`,
        'OC.IDENTITY',
      );
    }
    const su = ticket[this.f.supplierID];
    if (typeof su === 'string' && su !== this.oiSiren) {
      return this.refuse(
        this.f.supplierID,
        `${q(su)} n'est pas le SIREN de cet OI (${this.oiSiren})`,
        'OI.IDENTITY',
        '§3',
        'decision',
      );
    }
    return undefined;
  }
}
