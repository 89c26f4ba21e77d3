/** Errors the engine's control methods throw (the transport maps them to HTTP statuses). */
import type { EngineErrorCode } from './types.ts';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isEngineError = (e: unknown): e is EngineError => e instanceof EngineError;
