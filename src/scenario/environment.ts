/**
 * What a scenario runs against: the role the harness plays and the pieces of each side. Built once
 * per run by targets.ts, shared by every scenario of the run (tickets keep them apart).
 */
import type { MockEngine } from '../../mock-server/engine/types.ts';
import type { ProfileIndex } from '../profile/index.ts';
import type { Credentials } from '../soap/model.ts';
import type { MessageWriter } from '../soap/write.ts';
import type { AccessPool } from './access-pool.ts';
import type { Exchange, TlsOptions } from './http.ts';
import type { HarnessOcEndpoint } from './oc-endpoint.ts';
import type { OiFront } from './oi-front.ts';
import type { HarnessRole, Rulebook } from './rulebook.ts';

export interface OcAccount extends Credentials {
  siren: string;
}

/** The OC under test in role oi: where it listens, and how to make it perform an OC step. */
export interface OcUnderTest {
  /** Its endpoint, where the OI's pushes go. */
  endpointUrl: string;
  /**
   * Makes the OC send this request (the reference OC sends `xml` as is; a real OC is asked to
   * perform `describe` by the operator, or is simply waited for). False: the operator skipped it.
   */
  perform(req: { xml: string; operation: string; describe: string }): Promise<boolean>;
  /** The OC sends exactly the XML it is given (the reference OC): its requests are matched on it. */
  sendsExactly: boolean;
}

export interface Prompt {
  /**
   * Asks the operator to do something; resolves when they confirm, false when they skip; rejects
   * with a {@link NoOperatorError} when no operator can answer (standard input closed).
   */
  ask(text: string): Promise<boolean>;
}

/** No operator can answer a prompt: the step that asked cannot run (its message says why). */
export class NoOperatorError extends Error {}

export interface RunEnv {
  role: HarnessRole;
  index: ProfileIndex;
  book: Rulebook;
  writer: MessageWriter;
  /** SIRENs used in generated data. */
  oiSiren: string;
  /** OC accounts on the OI: `default` always, `other` (a second OC) when known. */
  accounts: { default: OcAccount; other?: OcAccount };
  /** Credentials carried by the OI's pushes. */
  pushCredentials: Credentials;
  timeouts: { requestMs: number; pushMs: number };
  /** Values every create carries unless the scenario sets them (e.g. a PTO of the real OI's inventory). */
  createData?: Record<string, string>;
  /** Role oc against a real OI: the OI's accesses, one per create (see access-pool.ts). */
  accessPool?: AccessPool;
  tls?: TlsOptions;
  prompt?: Prompt;
  /** Things some scenarios need (`requires:`). */
  capabilities: Set<'control' | 'other-oc' | 'business-refusals'>;
  /** Role oc: the OI under test. */
  oi?: {
    serviceUrl: string;
    control?: { url: string; token?: string };
    endpoint: HarnessOcEndpoint;
    /** Sends a request to the OI. */
    send(xml: string, opts: { soapAction?: string; contentType?: string }): Promise<Exchange>;
  };
  /** Role oi: the OC under test and the OI we serve it. */
  oc?: {
    under: OcUnderTest;
    front: OiFront;
    engine: MockEngine;
    /** Sends a request straight to the OC's endpoint (hand-made pushes, raw inputs). */
    send(
      xml: string,
      opts: { soapAction?: string; contentType?: string; credentials?: Credentials },
    ): Promise<Exchange>;
  };
  /** Description of the implementation under test, for the result. */
  implementation: { name: string; endpoint: string; kind: 'embedded' | 'url'; version?: string };
  close(): Promise<void>;
}
