/**
 * A decoding worker (see decoder.ts): reads each request it is sent with the codec, as the event
 * loop would, and sends back the decoded message (its operation by name) or the CodecError.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { indexProfile, type Profile } from '../../src/profile/index.ts';
import { schemaValidator } from '../../src/schema/validator.ts';
import { isCodecError } from '../../src/soap/errors.ts';
import { readMessage } from '../../src/soap/read.ts';
import type { DecodeReply, DecodeRequest } from './decoder.ts';

const { profile, schemaValidation } = workerData as { profile: Profile; schemaValidation: boolean };
const index = indexProfile(profile);
const options = schemaValidation ? { validator: schemaValidator(index.profile) } : {};
const port = parentPort!;

function decode({ id, raw }: DecodeRequest): DecodeReply {
  try {
    const { operation, ...message } = readMessage(raw, index, options);
    return { id, message, ...(operation ? { operation: operation.name } : {}) };
  } catch (e) {
    return isCodecError(e)
      ? {
          id,
          codec: {
            kind: e.kind,
            message: e.message,
            ...(e.line !== undefined ? { line: e.line } : {}),
            ...(e.operation !== undefined ? { operation: e.operation } : {}),
            ...(e.header ? { header: true } : {}),
          },
        }
      : { id, error: (e as Error)?.message ?? String(e) };
  }
}

// Requests come in batches (those of one turn of the main event loop) and go back the same way.
port.on('message', (batch: DecodeRequest[]) => port.postMessage(batch.map(decode)));
port.postMessage({ ready: true });
