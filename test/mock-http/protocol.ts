/**
 * Protocol helpers of the socket tests: node-soap clients built from the served WSDL, ticket values
 * from the rules' examples, R7 actions through the control API, and a path of actions to any state
 * derived from the profile's transitions.
 */
import soap from 'soap';
import type { LocalMockEngine, RunningMock } from '../../mock-server/index.ts';
import type { ActionDef, ProfileIndex, TransitionDef } from '../../src/profile/index.ts';
import { exampleTicket } from '../../src/rules/examples.ts';
import type { TicketValue } from '../../src/soap/model.ts';

export interface Account {
  login: string;
  password: string;
  siren: string;
}

export type Mock = RunningMock<LocalMockEngine>;

/** The credentials header as node-soap adds it (hdr:TroubleTicketHeaderRequest). */
export function headerXml(index: ProfileIndex, a: Pick<Account, 'login' | 'password'>): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<hdr:TroubleTicketHeaderRequest xmlns:hdr="${index.ns.hdr}"><hdr:LoginName>${esc(a.login)}</hdr:LoginName><hdr:Password>${esc(a.password)}</hdr:Password></hdr:TroubleTicketHeaderRequest>`;
}

// biome-ignore lint/suspicious/noExplicitAny: node-soap clients are dynamically typed from the WSDL.
export type SoapClient = any;

/** A node-soap client created from the mock's served WSDL, with an OC's credentials. */
export async function soapClient(
  wsdlUrl: string,
  index: ProfileIndex,
  account?: Pick<Account, 'login' | 'password'>,
  options: object = {},
): Promise<SoapClient> {
  const client = await soap.createClientAsync(wsdlUrl, options);
  if (account) client.addSoapHeader(headerXml(index, account));
  return client;
}

/** A TicketValue as node-soap input: schema order, ftth fields inside FTTHMUTTroubleTicket. */
export function soapValue(ticket: TicketValue, index: ProfileIndex): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  const ftth: Record<string, unknown> = {};
  for (const f of index.profile.fields) {
    const v = ticket[f.name];
    if (v === undefined && !f.required) continue;
    (f.group === 'ftth' ? ftth : value)[f.name] = v ?? null;
  }
  if (Object.keys(ftth).length > 0) value.FTTHMUTTroubleTicket = ftth;
  return value;
}

/** A node-soap troubleTicketValue result flattened back to field → text. */
export function flatValue(value: Record<string, unknown> | undefined): TicketValue {
  const out: TicketValue = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    if (k === 'FTTHMUTTroubleTicket') Object.assign(out, flatValue(v as Record<string, unknown>));
    else if (k !== 'attributes') out[k] = v === null || typeof v === 'object' ? null : String(v);
  }
  return out;
}

export interface TicketAnswer {
  key?: string;
  returnCode?: string;
  returnLabel?: string;
  ticket?: TicketValue;
}

function answerOf(result: {
  troubleTicketResponse?: Record<string, unknown>;
  troubleTicketValue?: Record<string, unknown>;
}): TicketAnswer {
  const r = result.troubleTicketResponse ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    ...(text(r.troubleTicketKey) ? { key: text(r.troubleTicketKey) } : {}),
    ...(text(r.returnCode) !== undefined ? { returnCode: text(r.returnCode) } : {}),
    ...(text(r.returnLabel) !== undefined ? { returnLabel: text(r.returnLabel) } : {}),
    ...(result.troubleTicketValue ? { ticket: flatValue(result.troubleTicketValue) } : {}),
  };
}

/** The OC's side of the protocol, through node-soap. */
export class OcClient {
  constructor(
    readonly client: SoapClient,
    readonly index: ProfileIndex,
    readonly account: Account,
    readonly oiSiren: string,
  ) {}

  async create(ticket: TicketValue): Promise<TicketAnswer> {
    const [result] = await this.client.createTroubleTicketByValueAsync({
      troubleTicketValue: soapValue(ticket, this.index),
    });
    return answerOf(result);
  }

  async set(ticket: TicketValue): Promise<TicketAnswer> {
    const [result] = await this.client.setTroubleTicketByValueAsync({
      troubleTicketValue: soapValue(ticket, this.index),
    });
    return answerOf(result);
  }

  async get(by: { troubleTicketKey?: string; technicalId?: string }): Promise<TicketAnswer> {
    const [result] = await this.client.getTroubleTicketByKeyAsync({
      ...(by.troubleTicketKey !== undefined ? { troubleTicketKey: by.troubleTicketKey } : {}),
      ...(by.technicalId !== undefined ? { technicalId: by.technicalId } : {}),
      supplierID: this.oiSiren,
      serviceProviderID: this.account.siren,
    });
    return answerOf(result);
  }

  /** A valid example of an OC action on a ticket as the OC knows it. */
  actionValue(
    actionId: string,
    key: string | null,
    version: number,
    overrides: TicketValue = {},
  ): TicketValue {
    const v = exampleTicket(actionId, this.index);
    return {
      ...v,
      ...(key !== null ? { troubleTicketKey: key, lastUpdateVersionNumber: String(version) } : {}),
      serviceProviderID: this.account.siren,
      supplierID: this.oiSiren,
      ...overrides,
    };
  }
}

/** An OI action (R7) through the control API; returns the HTTP status and the engine's result. */
export async function oiAction(
  mock: Pick<Mock, 'controlUrl'>,
  key: string,
  action: string,
  fields: TicketValue = {},
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  body: {
    returnCode?: string;
    returnLabel?: string;
    ticket?: { state: string; lastUpdateVersionNumber: number; fields: TicketValue };
    error?: string;
  };
}> {
  const r = await fetch(`${mock.controlUrl}/tickets/${encodeURIComponent(key)}/actions/${action}`, {
    method: 'POST',
    body: JSON.stringify(fields),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: r.status, body: (await r.json()) as never };
}

export async function controlTicket(mock: Pick<Mock, 'controlUrl'>, key: string) {
  const r = await fetch(`${mock.controlUrl}/tickets/${encodeURIComponent(key)}`);
  return (await r.json()) as {
    ticket: { state: string; lastUpdateVersionNumber: number; fields: TicketValue };
    history: {
      direction: string;
      operation: string;
      action?: string;
      transition?: string;
      requestXml: string;
      responseXml?: string;
      stateAfter?: string;
    }[];
    deliveries: { status: string; attempts: number }[];
  };
}

export interface Step {
  action: ActionDef;
  transition: TransitionDef;
}

/**
 * For every state reachable from a creation, the shortest path of actions (after the create) that
 * leads there, from the profile's active transitions. Actions that close with a family of codes
 * or keep the state count as edges like any other.
 */
export function pathsToStates(index: ProfileIndex): Map<string, Step[]> {
  const create = index.activeTransitions.find((t) => t.from === null)!;
  const paths = new Map<string, Step[]>([[create.to, []]]);
  const queue = [create.to];
  while (queue.length > 0) {
    const state = queue.shift()!;
    for (const action of index.activeActions) {
      for (const tid of action.transitions) {
        const t = index.transition.get(tid)!;
        if (!index.activeTransitions.includes(t) || !t.from?.includes(state)) continue;
        const to = t.to === 'unchanged' ? state : t.to;
        if (paths.has(to)) continue;
        paths.set(to, [...paths.get(state)!, { action, transition: t }]);
        queue.push(to);
      }
    }
  }
  return paths;
}

/** The transition `action` performs from `state`, if any (among the active ones). */
export function transitionFrom(
  index: ProfileIndex,
  action: ActionDef,
  state: string,
): TransitionDef | undefined {
  for (const tid of action.transitions) {
    const t = index.transition.get(tid)!;
    if (index.activeTransitions.includes(t) && t.from?.includes(state)) return t;
  }
  return undefined;
}

/** An OC client on the mock's served WSDL, for one of its accounts (the first by default). */
export async function ocClientFor(mock: Mock, account: Account = mock.accounts[0]!): Promise<OcClient> {
  return new OcClient(
    await soapClient(mock.wsdlUrl, mock.index, account),
    mock.index,
    account,
    mock.config.oiSiren,
  );
}

/** The access (technicalId, commercialId) of the n-th inventory entry: a create the OI's intake accepts. */
export function inventoryAccess(mock: Pick<Mock, 'engine'>, n: number): TicketValue {
  const e = mock.engine.inventory()[n]!;
  return { technicalId: e.technicalId, commercialId: e.commercialId };
}
