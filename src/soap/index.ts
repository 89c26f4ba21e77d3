/** The SOAP codec's public surface: read any SAV FTTH message, write any of them. */
export { CodecError, type CodecErrorKind, isCodecError } from './errors.ts';
export type * from './model.ts';
export { type ReadOptions, readMessage } from './read.ts';
export { MessageWriter } from './write.ts';
