/** The engine's counters (control API `GET /counters`) and its log lines. */
import type { EngineLogger } from './options.ts';
import type { ExchangeLog } from './types.ts';

export class ExchangeCounters {
  requests = 0;
  faults = 0;
  byOperation: Record<string, number> = {};
  byReturnCode: Record<string, number> = {};

  count(log: ExchangeLog): void {
    this.requests++;
    if (log.fault) this.faults++;
    this.byOperation[log.operation] = (this.byOperation[log.operation] ?? 0) + 1;
    if (log.returnCode !== undefined)
      this.byReturnCode[log.returnCode] = (this.byReturnCode[log.returnCode] ?? 0) + 1;
  }

  snapshot() {
    return {
      requests: this.requests,
      faults: this.faults,
      byOperation: { ...this.byOperation },
      byReturnCode: { ...this.byReturnCode },
    };
  }

  reset(): void {
    this.requests = 0;
    this.faults = 0;
    this.byOperation = {};
    this.byReturnCode = {};
  }
}

const SOAP_LINES_BY_TRANSPORT = Symbol('sav-ftth-mock: SOAP exchange lines are written by the transport');

/**
 * Marks the logger of an engine behind a transport (socket server, msw), which writes each SOAP
 * exchange line itself with the HTTP status added: the engine writes to it its push lines,
 * warnings and internal errors only, so that each exchange is logged once.
 */
export function withoutSoapExchangeLines<L extends object>(logger: L): L {
  Object.defineProperty(logger, SOAP_LINES_BY_TRANSPORT, { value: true });
  return logger;
}

/** One structured line per exchange and push attempt (pino or a function), warnings, internal errors. */
export class EngineLog {
  private readonly soapLinesByTransport: boolean;

  constructor(private readonly logger: EngineLogger | undefined) {
    this.soapLinesByTransport = logger !== undefined && SOAP_LINES_BY_TRANSPORT in logger;
  }

  exchange(line: ExchangeLog): void {
    const logger = this.logger;
    if (!logger) return;
    if (this.soapLinesByTransport && line.direction !== 'push') return;
    if (typeof logger === 'function') logger(line);
    else if (line.error) logger.warn(line, line.direction === 'push' ? 'push attempt failed' : 'exchange');
    else logger.info(line, line.direction === 'push' ? 'push' : 'exchange');
  }

  warn(message: string): void {
    const logger = this.logger;
    if (logger && typeof logger !== 'function') logger.warn(message);
  }

  internal(e: unknown): void {
    const logger = this.logger;
    if (logger && typeof logger !== 'function') logger.error({ err: e }, 'internal error');
  }
}
