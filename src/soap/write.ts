/**
 * Builds SOAP 1.1 messages in schema order with the profile's namespaces. Plain string building:
 * it is on the mock's hot path and the output is fully determined by the profile.
 */
import type { NsKey, OperationDef, ProfileIndex } from '../profile/index.ts';
import { escapeXml, isDescriptorResponse } from '../schema/xsd.ts';
import type { Credentials, GetRequest, SoapFault, TicketResponse, TicketValue } from './model.ts';

const NS_KEYS: NsKey[] = ['soapenv', 'tt', 'cbe', 'co', 'bi', 'hdr', 'ftth', 'xsi'];

export class MessageWriter {
  private readonly p: Record<NsKey, string>;
  private readonly envelopeOpen: string;

  constructor(private readonly index: ProfileIndex) {
    this.p = index.profile.prefixes;
    const decls = NS_KEYS.map((k) => `xmlns:${this.p[k]}="${index.ns[k]}"`).join(' ');
    this.envelopeOpen = `<?xml version="1.0" encoding="UTF-8"?><${this.p.soapenv}:Envelope ${decls}>`;
  }

  private el(ns: NsKey, name: string, value: string | null | undefined): string {
    const q = `${this.p[ns]}:${name}`;
    if (value === undefined) return '';
    if (value === null) return `<${q} ${this.p.xsi}:nil="true"/>`;
    return `<${q}>${escapeXml(value)}</${q}>`;
  }

  private envelope(body: string, credentials?: Credentials): string {
    const s = this.p.soapenv;
    const h = this.p.hdr;
    const header = credentials
      ? `<${s}:Header><${h}:TroubleTicketHeaderRequest>${this.el('hdr', 'LoginName', credentials.login)}${this.el('hdr', 'Password', credentials.password)}</${h}:TroubleTicketHeaderRequest></${s}:Header>`
      : '';
    return `${this.envelopeOpen}${header}<${s}:Body>${body}</${s}:Body></${s}:Envelope>`;
  }

  private op(name: string): OperationDef {
    const op = this.index.operation.get(name);
    if (!op) throw new Error(`operation ${name} is not in profile ${this.index.profile.id}`);
    return op;
  }

  private wrap(op: OperationDef, element: string, inner: string): string {
    const q = `${this.p[op.ns]}:${element}`;
    return `<${q}>${inner}</${q}>`;
  }

  /** A TroubleTicketValue in schema order; ftth fields go inside cbe:FTTHMUTTroubleTicket. */
  ticket(element: string, ticket: TicketValue): string {
    let value = '';
    let ftth = '';
    for (const f of this.index.profile.fields) {
      let v = ticket[f.name];
      if (v === undefined && f.aliases) for (const a of f.aliases) v ??= ticket[a];
      if (v === undefined && f.required) v = null;
      if (f.group === 'ftth') ftth += this.el(f.ns, f.name, v);
      else value += this.el(f.ns, f.name, v);
    }
    if (ftth) value += `<${this.p.cbe}:FTTHMUTTroubleTicket>${ftth}</${this.p.cbe}:FTTHMUTTroubleTicket>`;
    return `<${this.p.tt}:${element}>${value}</${this.p.tt}:${element}>`;
  }

  createRequest(ticket: TicketValue, credentials?: Credentials): string {
    const op = this.op('createTroubleTicketByValue');
    return this.envelope(this.wrap(op, op.request, this.ticket('troubleTicketValue', ticket)), credentials);
  }

  setRequest(ticket: TicketValue, credentials?: Credentials, resyncRequired?: boolean): string {
    const op = this.op('setTroubleTicketByValue');
    const resync =
      resyncRequired === undefined ? '' : this.el('tt', 'resyncRequired', String(resyncRequired));
    return this.envelope(
      this.wrap(op, op.request, this.ticket('troubleTicketValue', ticket) + resync),
      credentials,
    );
  }

  getRequest(get: GetRequest, credentials?: Credentials): string {
    const op = this.op('getTroubleTicketByKey');
    const attrs =
      get.attrNames === undefined
        ? ''
        : `<${this.p.tt}:attrNames>${get.attrNames.map((a) => this.el('co', 'item', a)).join('')}</${this.p.tt}:attrNames>`;
    const inner =
      this.el('tt', 'troubleTicketKey', get.troubleTicketKey) +
      attrs +
      this.el('ftth', 'technicalId', get.technicalId) +
      this.el('ftth', 'supplierID', get.supplierID) +
      this.el('ftth', 'serviceProviderID', get.serviceProviderID);
    return this.envelope(this.wrap(op, op.request, inner), credentials);
  }

  metaRequest(operation: string, credentials?: Credentials, eventType?: string): string {
    const op = this.op(operation);
    const inner = op.meta?.requestChild ? this.el(op.ns, op.meta.requestChild, eventType ?? '') : '';
    return this.envelope(this.wrap(op, op.request, inner), credentials);
  }

  private ticketResponse(r: TicketResponse): string {
    const inner =
      this.el('cbe', 'troubleTicketKey', r.troubleTicketKey) +
      this.el('cbe', 'returnCode', r.returnCode) +
      this.el('cbe', 'returnLabel', r.returnLabel);
    return `<${this.p.tt}:troubleTicketResponse>${inner}</${this.p.tt}:troubleTicketResponse>`;
  }

  /** create or set response. */
  response(operation: string, r: TicketResponse): string {
    const op = this.op(operation);
    return this.envelope(this.wrap(op, op.response, this.ticketResponse(r)));
  }

  /** getTroubleTicketByKey response; on an error the value carries nil key and state (§3). */
  getResponse(r: TicketResponse, ticket?: TicketValue): string {
    const op = this.op('getTroubleTicketByKey');
    const value = ticket ?? { troubleTicketKey: null, troubleTicketState: null };
    return this.envelope(
      this.wrap(op, op.response, this.ticketResponse(r) + this.ticket('troubleTicketValue', value)),
    );
  }

  /**
   * A meta response: `values` as an array of strings; for an event descriptor (getEventDescriptor),
   * `eventType` and `values` as its propertyNames.
   */
  metaResponse(operation: string, values: string[], eventType?: string): string {
    const op = this.op(operation);
    const child = `${this.p[op.ns]}:${op.meta!.responseChild}`;
    const items = values.map((v) => this.el('co', 'item', v)).join('');
    const inner = isDescriptorResponse(op)
      ? `${this.el('co', 'eventType', eventType ?? '')}<${this.p.co}:propertyNames>${items}</${this.p.co}:propertyNames>`
      : items;
    return this.envelope(this.wrap(op, op.response, `<${child}>${inner}</${child}>`));
  }

  /** A SOAP 1.1 fault; with an operation and a choice, detail holds `<operation>Exception`. */
  fault(fault: SoapFault): string {
    const s = this.p.soapenv;
    const op = fault.exception
      ? this.index.operation.get(fault.exception.replace(/Exception$/, ''))
      : undefined;
    let detail = '';
    if (op && fault.choice) {
      const q = `${this.p[op.ns]}:${op.exception}`;
      const choice = `${this.p[op.ns]}:${fault.choice}`;
      detail = `<detail><${q}><${choice}>${this.el('co', 'message', fault.message ?? fault.faultstring)}</${choice}></${q}></detail>`;
    }
    const code = fault.faultcode.includes(':') ? fault.faultcode : `${s}:${fault.faultcode}`;
    return this.envelope(
      `<${s}:Fault><faultcode>${escapeXml(code)}</faultcode><faultstring>${escapeXml(fault.faultstring)}</faultstring>${detail}</${s}:Fault>`,
    );
  }
}
