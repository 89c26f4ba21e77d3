/** Typed values of SAV FTTH messages, as the codec reads and writes them. */
import type { OperationDef } from '../profile/index.ts';

/**
 * A TroubleTicketValue as a flat map: field name → text as received (dates stay ISO strings),
 * `null` for xsi:nil, absent when the element is absent.
 */
export type TicketValue = Record<string, string | null>;

export interface Credentials {
  login: string;
  password: string;
}

export interface TicketResponse {
  troubleTicketKey: string | null;
  returnCode?: string | null;
  returnLabel?: string | null;
}

/** getTroubleTicketByKey request (R9). */
export interface GetRequest {
  troubleTicketKey?: string | null;
  attrNames?: string[];
  /** Text found in attrNames outside its items (a schema error): kept so that the answer can quote it. */
  attrNamesText?: string;
  technicalId?: string | null;
  supplierID?: string | null;
  serviceProviderID?: string | null;
}

export interface SoapFault {
  faultcode: string;
  faultstring: string;
  /** Local name of the `tt:<operation>Exception` (or co:…) element in detail. */
  exception?: string;
  /** The chosen exception, e.g. ossIllegalArgumentException. */
  choice?: string;
  message?: string;
}

export type MessageBody =
  | { kind: 'createRequest'; ticket: TicketValue }
  | { kind: 'setRequest'; ticket: TicketValue; resyncRequired?: string | null }
  | { kind: 'getRequest'; get: GetRequest }
  | { kind: 'metaRequest'; eventType?: string }
  | { kind: 'ticketResponse'; response: TicketResponse; ticket?: TicketValue }
  /** `values`: the strings returned; for an event descriptor, its propertyNames (and its eventType). */
  | { kind: 'metaResponse'; values: string[]; eventType?: string }
  | { kind: 'fault'; fault: SoapFault };

/** Something the reader noticed about the structure; the rule engine turns it into a finding. */
export interface ReadIssue {
  kind:
    | 'unknown-element'
    | 'wrong-namespace'
    | 'out-of-order'
    | 'duplicate'
    | 'ignored'
    | 'not-simple'
    /** The summary of the issues counted but not detailed (a message holding thousands of them). */
    | 'more';
  /** Field (or element) local name. */
  field: string;
  line: number;
  detail: string;
}

export interface DecodedMessage {
  direction: 'request' | 'response' | 'fault';
  /** Undefined only for a fault whose operation cannot be told. */
  operation?: OperationDef;
  /** Present when the header carried both LoginName and Password. */
  credentials?: Credentials;
  body: MessageBody;
  issues: ReadIssue[];
  /** Line of each field read, for `file:line` output. */
  lines: Record<string, number>;
  /** Schema errors on the body (when a validator was given). */
  schemaErrors: SchemaError[];
}

export interface SchemaError {
  message: string;
  line: number;
  /** Local name of the element the error is about, when the message names one. */
  element?: string;
  /** A summary, not an error: how many further errors were counted but not detailed. */
  more?: number;
}
