/** The mock's pino loggers: JSON lines on stdout (or a given stream), one per exchange plus startup lines. */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { LogLevel } from '../config/schema.ts';

const baseOptions = (level: LogLevel): LoggerOptions => ({
  level,
  base: { service: 'sav-ftth-mock' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

const destinations = new WeakMap<Logger, DestinationStream>();

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  // A silent logger needs no stream (in-process mocks create one per start).
  const stream = destination ?? (level === 'silent' ? undefined : pino.destination({ dest: 1, sync: true }));
  if (!stream) return pino(baseOptions(level));
  const logger = pino(baseOptions(level), stream);
  destinations.set(logger, stream);
  return logger;
}

/**
 * The logger handed to the engine: same level and stream, minus its own line per SOAP exchange,
 * which the transport writes from SoapAnswer.log with the HTTP status and client address added.
 * Push lines, warnings and internal errors pass through.
 */
export function engineLogger(logger: Logger): Logger {
  const destination = destinations.get(logger);
  if (!destination) return logger;
  return pino(
    {
      ...baseOptions(logger.level as LogLevel),
      hooks: {
        logMethod(args, method) {
          if (args[1] === 'exchange' && (args[0] as { direction?: string })?.direction !== 'push') return;
          method.apply(this, args);
        },
      },
    },
    destination,
  ).child({ component: 'engine' });
}
