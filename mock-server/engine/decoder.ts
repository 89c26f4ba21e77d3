/**
 * Decoding a request (guards, libxml2 parse, XSD validation, typed reading) is the heaviest step of
 * an exchange and needs nothing but the bytes and the profile: a {@link DecodePool} runs it on
 * worker threads, so the event loop only sequences (auth, rules, store, answer). Until a worker is
 * ready, and should one fail, requests are decoded in the calling thread: no request depends on a
 * worker being there.
 */
import { Worker } from 'node:worker_threads';
import type { ProfileIndex } from '../../src/profile/index.ts';
import type { BodyValidator } from '../../src/schema/validator.ts';
import { CodecError, type CodecErrorKind } from '../../src/soap/errors.ts';
import type { DecodedMessage } from '../../src/soap/model.ts';
import { readMessage } from '../../src/soap/read.ts';

/** Raw request → decoded message; throws (or rejects with) a CodecError for an unreadable one. */
export type Decode = (raw: Uint8Array) => DecodedMessage | Promise<DecodedMessage>;

export const decodeInThread =
  (index: ProfileIndex, validator: BodyValidator | undefined): Decode =>
  (raw) =>
    readMessage(raw, index, validator ? { validator } : {});

export interface DecodeRequest {
  id: number;
  raw: Uint8Array;
}

export type DecodeReply =
  | { id: number; message: Omit<DecodedMessage, 'operation'>; operation?: string }
  | {
      id: number;
      codec: { kind: CodecErrorKind; message: string; line?: number; operation?: string; header?: boolean };
    }
  | { id: number; error: string };

/** The worker's entry: an ES module that loads the TypeScript one through tsx's loader. */
const bootstrap = (tsxApi: string, module: string) =>
  new URL(
    `data:text/javascript,${encodeURIComponent(
      `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(module)});`,
    )}`,
  );

const CLOSE_PATIENCE_MS = 1_000;
const WORKER_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 };

interface Slot {
  worker: Worker;
  ready: boolean;
  inFlight: number;
  /** Requests of this event-loop turn, posted together at its end (one message, one wake-up). */
  batch: DecodeRequest[];
}

interface Pending {
  raw: Uint8Array;
  slot: Slot;
  resolve: (m: DecodedMessage) => void;
  reject: (e: unknown) => void;
}

export class DecodePool {
  private slots: Slot[] = [];
  private readonly started: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly index: ProfileIndex,
    private readonly fallback: Decode,
    workers: number,
    schemaValidation: boolean,
  ) {
    const entry = bootstrap(
      import.meta.resolve('tsx/esm/api'),
      new URL('./decode-worker.ts', import.meta.url).href,
    );
    for (let i = 0; i < workers; i++) this.start(entry, { profile: index.profile, schemaValidation });
  }

  decode(raw: Uint8Array): DecodedMessage | Promise<DecodedMessage> {
    const slot = this.pick();
    if (!slot) return this.fallback(raw);
    const id = this.nextId++;
    // An exact copy: a view on the socket's (pooled, larger) buffer would clone all of it. Cloned,
    // not transferred: for a few kilobytes, detaching buffers costs more than copying them.
    const copy = new Uint8Array(raw);
    return new Promise<DecodedMessage>((resolve, reject) => {
      this.pending.set(id, { raw, slot, resolve, reject });
      // A worker with work in flight keeps the process alive; an idle one does not.
      if (slot.inFlight++ === 0) slot.worker.ref();
      if (slot.batch.push({ id, raw: copy }) === 1) setImmediate(() => this.post(slot));
    });
  }

  private post(slot: Slot): void {
    const batch = slot.batch;
    slot.batch = [];
    if (batch.length === 0 || !this.slots.includes(slot)) return;
    slot.worker.postMessage(batch);
  }

  /** Workers ready to decode (tests, diagnostics). */
  get ready(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  /** Stops every worker started, ready or not; a worker that does not stop is not waited for long. */
  async close(): Promise<void> {
    this.slots = [];
    const stopping = Promise.all(this.started.map((w) => w.terminate()));
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_PATIENCE_MS);
      timer.unref();
    });
    await Promise.race([stopping, patience]);
    clearTimeout(timer);
  }

  private start(entry: URL, workerData: Record<string, unknown>): void {
    // Bounded heap: left alone, a decoding worker's heap grows for long before V8 collects it.
    const worker = new Worker(entry, { execArgv: [], workerData, resourceLimits: WORKER_HEAP });
    worker.unref();
    this.started.push(worker);
    const slot: Slot = { worker, ready: false, inFlight: 0, batch: [] };
    worker.on('message', (m: DecodeReply[] | { ready: true }) => {
      if (Array.isArray(m)) for (const reply of m) this.receive(slot, reply);
      else slot.ready = true;
    });
    worker.on('error', () => this.lose(slot));
    worker.on('exit', () => this.lose(slot));
    this.slots.push(slot);
  }

  /** The ready worker with the least work in flight. */
  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.ready && (!best || s.inFlight < best.inFlight)) best = s;
    return best;
  }

  private receive(slot: Slot, m: DecodeReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (--slot.inFlight === 0) slot.worker.unref();
    if ('message' in m) p.resolve(this.relink(m.message, m.operation));
    else if ('codec' in m) {
      const error = new CodecError(m.codec.kind, m.codec.message, m.codec.line);
      if (m.codec.operation !== undefined) error.operation = m.codec.operation;
      if (m.codec.header) error.header = true;
      p.reject(error);
    } else p.reject(new Error(m.error));
  }

  /** The decoded message as readMessage returns it: its operation is the index's own object. */
  private relink(message: Omit<DecodedMessage, 'operation'>, operation: string | undefined): DecodedMessage {
    const out = { direction: message.direction } as DecodedMessage;
    const op = operation === undefined ? undefined : this.index.operation.get(operation);
    if (op) out.operation = op;
    out.body = message.body;
    if (message.credentials) out.credentials = message.credentials;
    out.issues = message.issues;
    out.lines = message.lines;
    out.schemaErrors = message.schemaErrors;
    return out;
  }

  /** A worker gone: its requests are decoded here instead. */
  private lose(slot: Slot): void {
    this.slots = this.slots.filter((s) => s !== slot);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      try {
        Promise.resolve(this.fallback(p.raw)).then(p.resolve, p.reject);
      } catch (e) {
        p.reject(e);
      }
    }
  }
}
