/**
 * The rules a conformance run can exercise, derived from the profile: the universe that coverage
 * counts against and the source of every check's basis and clause. Ids are stable strings:
 *
 * - `T1`…`T11`                          a transition performed on its happy path
 * - `MANDATORY:<action>:<field>`        omission of a mandatory field (returnCode 1)
 * - `ONEOF:<action>:<a|b>`              omission of every field of a one-of group (returnCode 1)
 * - `CONDITION:<condition>:<field>`     omission of a conditionally mandatory field (returnCode 1)
 * - `FORMAT:<field>`                    type, length or SIREN shape violation (returnCode 2)
 * - `LIST:<field>`                      value outside the field's (strict) value list (returnCode 2)
 * - `ALLOWED:<action>:<field>`          value outside the action's allowed subset (returnCode 2)
 * - `ILLEGAL:<action>@<state>`          the action attempted from a state it is not allowed in
 * - `CLOSURE:<transition>`              closure code of the transition's family, label `CODE#TEXT`
 * - `META:<operation>`                  a meta operation answered with the profile's values
 * - `META.ANSWER`                       a meta operation of the WSDL answers (not a fault)
 * - protocol, SOAP, push and hostile-input rules with fixed names (see {@link fixedRules}).
 *
 * Each rule says which harness role can exercise it: `oc` (the harness is the OC and certifies an
 * OI: R6 requests are validated by the OI, R7 pushes are judged by the harness) or `oi` (the harness
 * is the OI and certifies an OC: R6 requests are judged by the harness, R7 pushes validated by the OC).
 */
import {
  type ActionDef,
  type Basis,
  type BasisKind,
  formatBasis,
  type ProfileIndex,
} from '../profile/index.ts';
import { closureCodesOf } from '../rules/index.ts';
import { HARNESS_RULE } from './result.ts';

export type HarnessRole = 'oc' | 'oi';

export type RuleKind =
  | 'transition'
  | 'mandatory'
  | 'format'
  | 'list'
  | 'illegal'
  | 'closure'
  | 'meta'
  | 'protocol'
  | 'soap'
  | 'push'
  | 'hostile'
  /** The harness itself (a scenario that could not run): never counted in coverage. */
  | 'harness';

export interface RuleEntry extends Basis {
  id: string;
  title: string;
  kind: RuleKind;
  /** Harness roles in which a run can exercise the rule (coverage counts it there). */
  roles: HarnessRole[];
  /**
   * Basis of the check that the returnLabel names a field, when naming that field rests on another
   * clause than the rule (an illegal transition is §7's table, naming troubleTicketState a [decision]).
   */
  label?: Basis;
}

export interface Rulebook {
  rules: Map<string, RuleEntry>;
  get(id: string): RuleEntry | undefined;
  /** Rules a run in this role can exercise, transitions excluded (they have their own coverage). */
  coverable(role: HarnessRole): RuleEntry[];
}

const BOTH: HarnessRole[] = ['oc', 'oi'];

/** Short action name used in scenario files: `oc.create` → `create`, `oi.takeInCharge` → `takeInCharge`. */
export function shortActionName(a: ActionDef): string {
  const prefix = `${a.actor.toLowerCase()}.`;
  return a.id.startsWith(prefix) ? a.id.slice(prefix.length) : a.id;
}

/** The role that sends an action's requests to the implementation under test. */
export const roleTestingAction = (a: ActionDef): HarnessRole => (a.actor === 'OC' ? 'oc' : 'oi');

/** Fields an action carries in any way (mandatory, optional, one-of, conditional, fixed, allowed). */
export function actionFields(a: ActionDef): string[] {
  return [
    ...new Set([
      ...a.mandatory,
      ...(a.oneOf ?? []).flat(),
      ...a.optional,
      ...(a.conditions ?? []).flatMap((c) => [c.when.field, ...c.require]),
      ...Object.keys(a.fixed ?? {}),
      ...Object.keys(a.allowed ?? {}),
    ]),
  ];
}

/**
 * States a set action is not allowed from (final and non-legacy states included), except those
 * where the same message is another action's legal one: the action code and requested state of a
 * take in charge (T5) sent on an OPENACTIVE ticket are those of a planning (T7), so a receiver
 * rightly judges it as a T7 (missing its fields), not as an illegal T5.
 */
export function illegalStates(a: ActionDef, index: ProfileIndex): string[] {
  const own = a.transitions.map((t) => index.transition.get(t)!).filter(Boolean);
  if (own.some((t) => t.from === null)) return [];
  const from = new Set(own.flatMap((t) => t.from ?? []));
  const active = new Set(index.activeTransitions.map((t) => t.id));
  const lookalike = (state: string) =>
    index.activeActions.some(
      (b) =>
        b !== a &&
        b.operation === a.operation &&
        b.transitions.some((id) => {
          const tb = index.transition.get(id);
          if (!tb || !active.has(id) || !tb.from?.includes(state)) return false;
          return own.some((ta) => {
            const sent = ta.to === 'unchanged' ? state : ta.to;
            const reached = tb.to === 'unchanged' ? state : tb.to;
            return ta.description === tb.description && sent === reached;
          });
        }),
    );
  return index.profile.states
    .filter((s) => !s.legacy && !from.has(s.name) && !lookalike(s.name))
    .map((s) => s.name);
}

/** Whether a field has a format constraint a value can violate (type, length, SIREN shape). */
export function hasFormat(index: ProfileIndex, field: string): boolean {
  const f = index.field.get(field);
  return !!f && (f.type !== 'string' || f.maxLength !== undefined || f.exactLength !== undefined);
}

/** Whether a field has a strict value list. */
export function hasStrictList(index: ProfileIndex, field: string): boolean {
  const f = index.field.get(field);
  const l = f?.list ? index.list.get(f.list) : undefined;
  return l?.mode === 'strict';
}

function fixedRules(index: ProfileIndex): RuleEntry[] {
  const { settingsBasis: sb, returnCodes, getResponse } = index.profile;
  const fault: Basis = { basis: 'spec', clause: '§9' };
  // SOAP 1.1 over HTTP is [spec] (§1): what SOAP 1.1's HTTP binding (its §6) states rests on it.
  const soapHttp: Basis = { basis: 'spec', clause: '§1' };
  const ns: Basis = { basis: 'interop', clause: '§2' };
  const push: Basis = { basis: 'decision', clause: '§1' };
  const rule = (
    id: string,
    title: string,
    kind: RuleKind,
    basis: Basis,
    roles: HarnessRole[] = BOTH,
  ): RuleEntry => ({
    id,
    title,
    kind,
    roles,
    basis: basis.basis,
    clause: basis.clause,
  });
  return [
    rule(
      'AUTH',
      'Authentification : identifiants absents ou faux refusés par une faute SOAP',
      'protocol',
      fault,
    ),
    rule(
      'OC_ISOLATION',
      'Un OC ne voit ni ne modifie les tickets d un autre OC',
      'protocol',
      sb.ocIsolation,
      ['oc'],
    ),
    rule(
      'UNKNOWN_KEY',
      'Clé de ticket inconnue : returnCode 2 nommant la clé',
      'protocol',
      sb.unknownKeyField,
    ),
    rule('STALE_VERSION', 'lastUpdateVersionNumber périmé refusé', 'protocol', sb.rejectStaleVersion, ['oc']),
    rule(
      'UNISSUED_VERSION',
      'lastUpdateVersionNumber jamais émis par l OI refusé',
      'protocol',
      sb.rejectUnissuedVersion,
      ['oc'],
    ),
    // The checks read the answer (spec 3.3.2: the ticket's latest state and fields), not the request.
    rule('GET_BY_KEY', 'Lecture d un ticket par sa clé', 'protocol', getResponse),
    // §3: a get by technicalId is [spec]; which ticket answers when the PTO has several is a [decision].
    rule('GET_BY_TECHNICALID', 'Lecture par technicalId (PTO)', 'protocol', { basis: 'spec', clause: '§3' }, [
      'oc',
    ]),
    rule(
      'GET_BY_TECHNICALID.OPEN_FIRST',
      'Lecture par technicalId : le ticket le plus récent, ouverts d abord',
      'protocol',
      sb.getByTechnicalIdOpenFirst,
      ['oc'],
    ),
    rule('CREATE_KEY', 'La création renvoie la clé du nouveau ticket', 'protocol', returnCodes),
    rule(
      'VERSION_INITIAL',
      'lastUpdateVersionNumber vaut la valeur initiale à la création',
      'protocol',
      sb.initialVersionNumber,
      ['oc'],
    ),
    rule(
      'VERSION_INCREMENT',
      'L OI incrémente lastUpdateVersionNumber à chacune de ses mises à jour',
      'protocol',
      { basis: 'spec', clause: '§7' },
      ['oc'],
    ),
    rule(
      'CLOSURE_DATE',
      'interactionDateComplete renseignée à la clôture',
      'protocol',
      { basis: 'spec', clause: '§7' },
      ['oc'],
    ),
    rule(
      'CLOSURE_PAIR',
      'Un ticket clos porte son code et son libellé de clôture (paire CODE#TEXTE)',
      'protocol',
      { basis: 'interop', clause: '§6' },
      ['oc'],
    ),
    rule(
      'SOAP.ANSWER',
      'Une réponse HTTP arrive dans le délai (SOAP 1.1 §6.2 : le modèle requête/réponse de HTTP)',
      'soap',
      soapHttp,
    ),
    // SOAP 1.1 over HTTP is [spec] (§1); SOAP 1.1 §6.1 and WS-I SSBP 1.0 R9702/R9703 make its
    // media type text/xml, and the exchanges are UTF-8 end to end (§6).
    rule(
      'SOAP.MEDIA-TYPE',
      'La réponse est envoyée en Content-Type text/xml (SOAP 1.1 §6.1, WS-I SSBP R9702/R9703), charset UTF-8',
      'soap',
      { basis: 'spec', clause: '§1' },
    ),
    rule('SOAP.ENVELOPE', 'La réponse est une enveloppe SOAP 1.1 lisible de la bonne opération', 'soap', {
      basis: 'interop',
      clause: '§3',
    }),
    rule('SOAP.NAMESPACE', 'Espaces de noms du protocole respectés', 'soap', ns),
    rule('SOAP.SCHEMA', 'Le message est valide selon le schéma XSD du profil', 'soap', {
      basis: 'interop',
      clause: '§4',
    }),
    rule(
      'SOAP.HTTP-STATUS',
      'Faute SOAP 1.1 avec HTTP 500, réponse normale avec HTTP 200 (SOAP 1.1 §6.2, WS-I BP R1126/R1124)',
      'soap',
      soapHttp,
    ),
    rule(
      'SOAP.FAULT',
      'Faute SOAP 1.1 : faultcode soapenv:Client/Server/VersionMismatch, faultstring, détail',
      'soap',
      { basis: 'interop', clause: '§3' },
    ),
    // The umbrella of every rule of the engine (§5 formats, §6 lists, §7 transitions, §8 R6/R7, §9),
    // [spec] ones among them: it passes at the strictest level it covers; each broken rule is a check
    // of its own, with its finding's clause and basis.
    rule('RULES', 'Le message respecte les règles du protocole (§5 à §9 : R5, R6/R7)', 'soap', {
      basis: 'spec',
      clause: '§5–§9',
    }),
    rule('PUSH.DELIVERY', 'Chaque action de l OI est poussée à l OC, qui y répond', 'push', push),
    rule('PUSH.HEADER', 'Les actions poussées portent l en-tête d authentification', 'push', push, ['oc']),
    rule('PUSH.ORDER', 'Les actions sont poussées dans l ordre, par ticket', 'push', push, ['oc']),
    rule('PUSH.RETRY', 'Une action refusée par l OC est poussée à nouveau', 'push', push, ['oc']),
    rule('HOSTILE.MALFORMED', 'XML mal formé : faute Client', 'hostile', fault),
    rule('HOSTILE.DTD', 'DTD et entités (billion laughs) refusées : faute Client', 'hostile', fault),
    rule('HOSTILE.SOAP12', 'Enveloppe SOAP 1.2 : faute VersionMismatch', 'hostile', fault),
    rule('HOSTILE.UNKNOWN_OPERATION', 'Opération inconnue : faute Client', 'hostile', fault),
    rule(
      'HOSTILE.WRONG_NAMESPACE',
      'Opération dans un mauvais espace de noms : faute Client',
      'hostile',
      fault,
    ),
    rule(
      HARNESS_RULE,
      'Le scénario a pu s exécuter jusqu au bout',
      'harness',
      { basis: 'decision', clause: '§9' },
      [],
    ),
    rule('HOSTILE.RECOVERY', 'Après une entrée hostile, le service répond normalement', 'hostile', fault),
  ];
}

const cache = new WeakMap<ProfileIndex, Rulebook>();

export function rulebookOf(index: ProfileIndex): Rulebook {
  const cached = cache.get(index);
  if (cached) return cached;
  const rules = new Map<string, RuleEntry>();
  const add = (r: RuleEntry) => {
    const existing = rules.get(r.id);
    if (existing) {
      for (const role of r.roles) if (!existing.roles.includes(role)) existing.roles.push(role);
    } else rules.set(r.id, { ...r, roles: [...r.roles] });
  };
  const basisOf = (b: Basis) => ({ basis: b.basis as BasisKind, clause: b.clause });

  for (const t of index.activeTransitions) {
    add({ id: t.id, title: `${t.id} ${t.title}`, kind: 'transition', roles: BOTH, ...basisOf(t) });
    if (t.closureCodes && closureCodesOf(index, t.closureCodes).length > 0) {
      const role: HarnessRole = t.actor === 'OI' ? 'oi' : 'oc';
      // Closure codes of OI transitions are judged on the push in role oc and sent wrong to the OC in role oi.
      add({
        id: `CLOSURE:${t.id}`,
        title: `${t.id} : code de clôture de la bonne famille, libellé CODE#TEXTE`,
        kind: 'closure',
        roles: t.actor === 'OI' ? BOTH : [role],
        ...basisOf(t),
      });
    }
  }
  for (const a of index.activeActions) {
    const role = roleTestingAction(a);
    for (const f of a.mandatory) {
      add({
        id: `MANDATORY:${a.id}:${f}`,
        title: `${a.title} : ${f} obligatoire`,
        kind: 'mandatory',
        roles: [role],
        ...basisOf(a),
      });
    }
    for (const group of a.oneOf ?? []) {
      add({
        id: `ONEOF:${a.id}:${group.join('|')}`,
        title: `${a.title} : l un de ${group.join(', ')} obligatoire`,
        kind: 'mandatory',
        roles: [role],
        ...basisOf(a),
      });
    }
    for (const c of a.conditions ?? []) {
      for (const f of c.require) {
        add({
          id: `CONDITION:${c.id}:${f}`,
          title: `${c.title} : ${f} obligatoire`,
          kind: 'mandatory',
          roles: [role],
          ...basisOf(c),
        });
      }
    }
    for (const f of actionFields(a)) {
      const def = index.field.get(f);
      if (!def) continue;
      if (hasFormat(index, f)) {
        add({
          id: `FORMAT:${f}`,
          title: `${f} : format (${formatText(def)})`,
          kind: 'format',
          roles: [role],
          ...formatBasis(def),
        });
      }
      if (hasStrictList(index, f)) {
        const list = index.list.get(def.list!)!;
        add({
          id: `LIST:${f}`,
          title: `${f} : valeur de la liste ${list.id}`,
          kind: 'list',
          roles: [role],
          ...basisOf(list),
        });
      }
    }
    for (const f of Object.keys(a.allowed ?? {})) {
      add({
        id: `ALLOWED:${a.id}:${f}`,
        title: `${a.title} : ${f} parmi ${a.allowed![f]!.join(', ')}`,
        kind: 'list',
        roles: [role],
        ...basisOf(a),
      });
    }
    if (a.operation === 'setTroubleTicketByValue') {
      for (const state of illegalStates(a, index)) {
        const t = index.transition.get(a.transitions[0]!)!;
        // Refused because §7's table does not allow it (the transition's basis); the field the
        // returnLabel names is the setting illegalTransitionField ([decision]).
        add({
          id: `ILLEGAL:${a.id}@${state}`,
          title: `${a.title} refusée depuis l état ${state}`,
          kind: 'illegal',
          roles: [role],
          ...basisOf(t),
          label: basisOf(index.profile.settingsBasis.illegalTransitionField),
        });
      }
    }
  }
  for (const op of index.profile.operations) {
    if (op.kind !== 'meta') continue;
    add({
      id: `META:${op.name}`,
      title: `${op.name} répond les valeurs du profil`,
      kind: 'meta',
      roles: ['oc'],
      ...basisOf(op.meta?.valuesBasis ?? op),
    });
  }
  if (index.profile.operations.some((op) => op.kind === 'meta')) {
    // The values a meta operation answers are the profile's (a [decision]); that an operation of
    // the WSDL answers at all, rather than with a fault, is §3's.
    add({
      id: 'META.ANSWER',
      title: 'Une opération méta du WSDL répond (tableau de chaînes), pas par une faute',
      kind: 'meta',
      roles: ['oc'],
      basis: 'interop',
      clause: '§3',
    });
  }
  for (const r of fixedRules(index)) add(r);

  const book: Rulebook = {
    rules,
    get: (id) => rules.get(id),
    coverable: (role) => [...rules.values()].filter((r) => r.kind !== 'transition' && r.roles.includes(role)),
  };
  cache.set(index, book);
  return book;
}

function formatText(f: { type: string; maxLength?: number; exactLength?: number; siren?: boolean }): string {
  if (f.siren) return `SIREN, ${f.exactLength} chiffres`;
  if (f.exactLength !== undefined) return `exactement ${f.exactLength} caractères`;
  if (f.maxLength !== undefined && f.type === 'string') return `au plus ${f.maxLength} caractères`;
  if (f.maxLength !== undefined) return `xsd:${f.type}, au plus ${f.maxLength} caractères`;
  return `xsd:${f.type}`;
}
