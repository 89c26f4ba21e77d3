/** The mock's pino loggers: JSON lines on stdout (or a given stream), one per exchange plus startup lines. */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { LogLevel } from '../config/schema.ts';
import { withoutSoapExchangeLines } from '../engine/stats.ts';

const baseOptions = (level: LogLevel): LoggerOptions => ({
  level,
  base: { service: 'sav-ftth-mock' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  // A silent logger needs no stream (in-process mocks create one per start).
  const stream = destination ?? (level === 'silent' ? undefined : pino.destination({ dest: 1, sync: true }));
  return stream ? pino(baseOptions(level), stream) : pino(baseOptions(level));
}

/**
 * The logger handed to the engine, whatever logger the transport got (createLogger's or the
 * user's own): a child of it, minus the engine's own line per SOAP exchange, which the transport
 * writes from SoapAnswer.log with the HTTP status and client address added. Push lines, warnings
 * and internal errors pass through.
 */
export function engineLogger(logger: Logger): Logger {
  return withoutSoapExchangeLines(logger.child({ component: 'engine' }));
}
