/**
 * A minimal MockEngine for transport tests: it records what the transport hands it and answers a
 * fixed SOAP body, so the tests exercise sockets, limits and routing without the real engine.
 */
import { DEFAULT_BEHAVIOUR } from '../../mock-server/engine/automation.ts';
import type {
  Behaviour,
  Counters,
  Delivery,
  FaultInjection,
  HistoryEntry,
  InventoryEntry,
  MockEngine,
  SoapAnswer,
  StoredTicket,
  TicketQuery,
} from '../../mock-server/engine/types.ts';
import type { TicketValue } from '../../src/soap/model.ts';

export const FAKE_BODY =
  '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><ok/></soapenv:Body></soapenv:Envelope>';

export class FakeEngine implements MockEngine {
  calls: { raw: string; soapAction?: string; remote?: string }[] = [];
  private faultList: FaultInjection[] = [];
  private behaviourValue: Behaviour = { ...DEFAULT_BEHAVIOUR };
  tickets = new Map<string, StoredTicket>();
  actions: { key: string; action: string; fields?: TicketValue }[] = [];
  closed = false;
  resets = 0;

  async handleSoap(raw: Uint8Array, meta: { soapAction?: string; remote?: string }): Promise<SoapAnswer> {
    this.calls.push({ raw: Buffer.from(raw).toString('utf8'), ...meta });
    const f = this.faultList[0];
    if (f?.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    const inject =
      f && (f.dropConnection || f.truncateResponse)
        ? { dropConnection: f.dropConnection, truncateResponse: f.truncateResponse }
        : undefined;
    return {
      status: f?.httpStatus ?? 200,
      body: f?.httpStatus ? 'Service Unavailable' : FAKE_BODY,
      log: { operation: 'fake', durationMs: 0 },
      ...(inject ? { inject } : {}),
    };
  }
  listTickets(query: TicketQuery): StoredTicket[] {
    return [...this.tickets.values()].filter((t) => !query.state || t.state === query.state);
  }
  countTickets(query: TicketQuery): number {
    return this.listTickets(query).length;
  }
  getTicket(
    key: string,
  ): { ticket: StoredTicket; history: HistoryEntry[]; deliveries: Delivery[] } | undefined {
    const ticket = this.tickets.get(key);
    return ticket ? { ticket, history: [], deliveries: [] } : undefined;
  }
  async triggerOiAction(key: string, action: string, fields?: TicketValue) {
    this.actions.push({ key, action, ...(fields ? { fields } : {}) });
    const ticket = this.tickets.get(key)!;
    return { ticket, returnCode: '0' };
  }
  behaviour(): Behaviour {
    return this.behaviourValue;
  }
  setBehaviour(patch: Partial<Behaviour>): Behaviour {
    this.behaviourValue = { ...this.behaviourValue, ...patch };
    return this.behaviourValue;
  }
  faults(): FaultInjection[] {
    return this.faultList;
  }
  setFaults(faults: FaultInjection[]): void {
    this.faultList = faults;
  }
  inventory(): InventoryEntry[] {
    return [{ technicalId: 'FI-0001-0001', commercialId: 'ACC-1', offerId: 'FTTH' }];
  }
  deliveries(): Delivery[] {
    return [];
  }
  counters(): Counters {
    return {
      requests: this.calls.length,
      faults: 0,
      byOperation: {},
      byReturnCode: {},
      tickets: this.tickets.size,
      deliveries: { pending: 0, delivered: 0, failed: 0 },
    };
  }
  reset(): void {
    this.resets++;
    this.tickets.clear();
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export function fakeTicket(key: string, state = 'QUEUED'): StoredTicket {
  const now = new Date().toISOString();
  return {
    troubleTicketKey: key,
    ocSiren: '380129866',
    state,
    lastUpdateVersionNumber: 1,
    fields: { troubleTicketKey: key, troubleTicketState: state },
    createdAt: now,
    updatedAt: now,
  };
}
