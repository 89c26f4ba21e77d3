/**
 * The shape of a protocol profile: every fact the toolkit knows about one version of the SAV FTTH
 * protocol, as data. The mock, the rule engine, the generated schema, the scenarios and the reports
 * all read a profile; none of them hard-codes a field, a list, a state or a code.
 */

/** Where a rule comes from: the supplier spec, the public Interop schemas, or this project's choice. */
export type BasisKind = 'spec' | 'interop' | 'decision';

export interface Basis {
  basis: BasisKind;
  /** Clause of `SAV-FTTH-2.1.md` (e.g. "§5") or of the supplier spec (e.g. "spec 3.1.1"). */
  clause: string;
}

/** Namespace keys used throughout the profile; URIs live in {@link Profile.namespaces}. */
export type NsKey = 'soapenv' | 'tt' | 'cbe' | 'co' | 'bi' | 'hdr' | 'ftth' | 'wsdl' | 'xsi';

export type FieldType = 'string' | 'dateTime' | 'duration' | 'boolean' | 'integer' | 'long';

/**
 * One element of TroubleTicketValue. Field names are unique across the whole value, so a ticket
 * is a flat map from field name to value.
 */
export interface FieldDef extends Basis {
  name: string;
  ns: NsKey;
  /** `value`: direct child of troubleTicketValue; `ftth`: child of cbe:FTTHMUTTroubleTicket. */
  group: 'value' | 'ftth';
  type: FieldType;
  /** schema minOccurs=1 (troubleTicketKey, troubleTicketState). */
  required?: boolean;
  nillable: boolean;
  maxLength?: number;
  exactLength?: number;
  /** Id of a value list in {@link Profile.valueLists}. */
  list?: string;
  /** The value must be a SIREN (9 digits); the Luhn key is checked per `settings.strictSirenKey`. */
  siren?: boolean;
  /** Other spellings accepted on input; the canonical name is always emitted. */
  aliases?: string[];
  /** French description, used in generated documentation and reports. */
  label: string;
  /**
   * Basis of the field's format (type, length, SIREN shape) when it is not the field's own: the
   * §5 row that states it, for a field whose element comes from another clause (§4).
   */
  format?: Basis;
}

export interface ValueList extends Basis {
  id: string;
  values: string[];
  /** Values read but never emitted (legacy 2.0 states). */
  legacy?: string[];
  /**
   * `strict`: any other value is an error. `open`: other values are accepted with a warning
   * (defectDescription is free text in 2.1).
   */
  mode: 'strict' | 'open';
}

export interface StateDef extends Basis {
  name: string;
  final?: boolean;
  legacy?: boolean;
}

export type Actor = 'OC' | 'OI';

export interface TransitionDef extends Basis {
  id: string;
  /** null: the ticket does not exist yet (creation). */
  from: string[] | null;
  /** 'unchanged' keeps the current state. */
  to: string | 'unchanged';
  actor: Actor;
  /** The action code carried in bi:description. */
  description: string;
  title: string;
  /** Closure codes this transition sets (by code or by family). */
  closureCodes?: string[];
  /** Only present when the setting named here is true (T11 needs cancellationRefusalAllowed). */
  setting?: keyof ProfileSettings;
}

/** A conditional requirement: when `when` holds, the fields of `require` are mandatory. */
export interface Condition extends Basis {
  id: string;
  when:
    | { field: string; present: true }
    | { field: string; equals: string }
    | { field: string; in: string[] }
    | { field: string; notIn: string[] };
  require: string[];
  title: string;
}

/** One row of R6 (OC actions) or R7 (OI actions). */
export interface ActionDef extends Basis {
  id: string;
  catalogue: 'R6' | 'R7';
  actor: Actor;
  title: string;
  /** The operation that carries it. */
  operation: 'createTroubleTicketByValue' | 'setTroubleTicketByValue';
  transitions: string[];
  /** Mandatory fields (returnCode 1 when missing). */
  mandatory: string[];
  optional: string[];
  /** Each inner list: at least one of these fields is mandatory. */
  oneOf?: string[][];
  conditions?: Condition[];
  /** Fields whose value is fixed by the action (checked with returnCode 2). */
  fixed?: Record<string, string>;
  /** Fields whose value must be one of these (subset of the field's own list). */
  allowed?: Record<string, string[]>;
  /** Distinguishes actions that share a description and transition (information vs appointment). */
  discriminator?: { field: string; in?: string[]; notIn?: string[] };
}

export interface OperationDef extends Basis {
  name: string;
  kind: 'create' | 'set' | 'get' | 'meta';
  /** Namespace of the request/response/exception elements. */
  ns: NsKey;
  request: string;
  response: string;
  exception: string;
  /** Fault detail choices, in schema order. */
  faultChoices: string[];
  /** For meta operations: the child element of the response and the strings it returns. */
  meta?: {
    responseChild: string;
    values: string[];
    requestChild?: string;
    /** Basis of `values` when it differs from the operation's (§3 fixes only arrays of strings). */
    valuesBasis?: Basis;
  };
}

export interface ClosureCode extends Basis {
  code: string;
  text: string;
  family:
    | 'rejection'
    | 'oc-cancel-queued'
    | 'resolved'
    | 'no-oi-fault'
    | 'oc-cancel-open'
    | 'oc-fault'
    | 'customer-absent'
    | 'joint-expertise';
}

export interface ReturnCodes extends Basis {
  success: string;
  missing: string;
  invalid: string;
}

/** Every [decision] of the protocol model, as a setting a user holding the real workbook can change. */
export interface ProfileSettings {
  /** ftth namespace URI (the 2.1 value is not published; 3.0 uses …/v3-0). */
  ftthNamespace: string;
  /** A wrong SIREN Luhn key is an error (true) or a warning (false). */
  strictSirenKey: boolean;
  /** Legacy 2.0 states (DEFERRED, CLEARED, CLOSE.CANCELLED) are readable. */
  legacyStatesReadable: boolean;
  /** T11: the OI may refuse a cancellation request. */
  cancellationRefusalAllowed: boolean;
  /** ftth children in any namespace are accepted (with a warning). */
  lenientFtthNamespace: boolean;
  /** lastUpdateVersionNumber of a new ticket. */
  initialVersionNumber: number;
  /** A set whose lastUpdateVersionNumber is lower than the ticket's is refused. */
  rejectStaleVersion: boolean;
  /** An OC set whose lastUpdateVersionNumber is higher than the ticket's (a version the OI never issued) is refused. */
  rejectUnissuedVersion: boolean;
  /** Field named in the returnLabel for an illegal transition. */
  illegalTransitionField: string;
  /** Field named in the returnLabel for a stale version. */
  staleVersionField: string;
  /** Field named in the returnLabel for an unknown or foreign troubleTicketKey. */
  unknownKeyField: string;
  /** Maximum request size in bytes before the codec refuses it. */
  maxMessageBytes: number;
  /** Each login belongs to one OC SIREN; an OC sees only its own tickets. */
  ocIsolation: boolean;
  /** Get by technicalId returns the newest ticket of that PTO, open ones first. */
  getByTechnicalIdOpenFirst: boolean;
  /**
   * defectResponsibility (a value of its list) that an OI action closing with a closure code
   * carries unless told otherwise, per closure code (§6 gives the codes' meanings, not this
   * mapping). An override sets only the codes it names.
   */
  defectResponsibilityByClosureCode: Readonly<Record<string, string>>;
}

export interface Profile {
  id: string;
  title: string;
  version: string;
  /** The protocol model this profile transcribes. */
  source: string;
  namespaces: Record<NsKey, string>;
  /** Prefixes used when we emit XML; readers never depend on them. */
  prefixes: Record<NsKey, string>;
  service: { portType: string; binding: string; service: string; port: string; path: string };
  operations: OperationDef[];
  /** TroubleTicketValue fields in schema order (value group first, then ftth). */
  fields: FieldDef[];
  /** JSR 91 elements that the spec says are ignored (spec 2.3.1). */
  ignoredElements: string[];
  valueLists: ValueList[];
  states: StateDef[];
  transitions: TransitionDef[];
  actions: ActionDef[];
  /** Fields every OC set carries (§8). */
  commonSet: { mandatory: string[] } & Basis;
  /** getTroubleTicketByKey request (R9). */
  getRequest: { mandatory: string[]; oneOf: string[][] } & Basis;
  /** What a getTroubleTicketByKey answers: the ticket's latest state and every populated field (R9). */
  getResponse: Basis;
  returnCodes: ReturnCodes;
  /**
   * Refusals that need the OI's knowledge: not synchronous errors but a T6 closure with these
   * codes once the ticket is created (§9).
   */
  businessRefusals: { unknownProduct: string; otherTicketOpen: string; termination: string } & Basis;
  closureCodes: ClosureCode[];
  settings: ProfileSettings;
  /** Basis of each setting, so reports can say which checks rest on a decision. */
  settingsBasis: Record<keyof ProfileSettings, Basis>;
}
