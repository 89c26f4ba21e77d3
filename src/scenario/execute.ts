/**
 * Runs one scenario in one role. Each step yields a StepResult holding its checks: the automatic
 * ones on every message of the implementation under test (judge.ts) and one per expectation
 * (expect.ts), each carrying its rule's basis and clause from the rulebook.
 *
 * Role oc (the harness is the OC, certifying an OI): OC steps are sent to the OI and its answers
 * judged; OI steps are triggered through the mock's control API (or performed by the operator of a
 * real OI) and the push the harness OC endpoint receives is judged.
 * Role oi (the harness is the OI, certifying an OC): the OC performs the OC steps and each request
 * it sends is judged; OI steps are performed by the mock and the OC's answer to each push judged.
 */
import { type ActionDef, closureLabel, type OperationDef } from '../profile/index.ts';
import { checkMessage, closureCodesOf, rolesOf } from '../rules/index.ts';
import type { Credentials, DecodedMessage, GetRequest, TicketValue } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import { accessFor } from './access-pool.ts';
import { actionData, type KnownTicket, makeFaker, seedOf } from './data.ts';
import { NoOperatorError, type OcAccount, type RunEnv } from './environment.ts';
import { checkExpectations, flatten, type Observed, observedFrom } from './expect.ts';
import { controlCall, type Exchange } from './http.ts';
import { CheckSink, judgeAnswer, judgeMessage, lenientIndex } from './judge.ts';
import type { PushWait } from './oc-endpoint.ts';
import { HARNESS_RULE, type ScenarioResult, type StepResult, type Verdict, verdictOf } from './result.ts';
import { shortActionName } from './rulebook.ts';
import type { CredentialChoice, Expect, FieldValues, Scenario, Step } from './schema.ts';
import { type ConfigScope, interpolateDeep, type Scope, VariableError } from './vars.ts';

/** A ticket as the harness follows it during a scenario. */
interface Track {
  name?: string;
  key?: string;
  state?: string;
  version?: number;
  /** What the create sent. */
  data: TicketValue;
  account: OcAccount;
  /** The OI may have updated the version behind our back (it closed the ticket with a code). */
  uncertain?: boolean;
  /** Role oc: the last push of the ticket the harness learnt from (its seq at the OC endpoint). */
  learnt?: number;
  /** Role oc: the ticket as the harness knew it before each push it learnt, by push seq. */
  beforePush?: Map<number, { state: string; lastUpdateVersionNumber: number }>;
  /** Role oc: OI actions triggered without awaiting their push (`await: false`), not received yet. */
  pending?: Trigger[];
}

/**
 * Role oc: an OI action the harness had the OI perform. Its push came after `afterSeq` (the last push
 * of the ticket the endpoint had acknowledged then) and, when the control API told the version the
 * action gave the ticket, is not a push carrying a version between the one known before and that.
 */
interface Trigger {
  action: string;
  afterSeq: number;
  knownBefore: number;
  version?: number;
}

class StepError extends Error {}

/** How long a set refused as stale waits for the push that made it stale (role oc). */
const STALE_PUSH_WAIT_MS = 2_000;

interface StepMeta {
  kind: string;
  title: string;
  actor: StepResult['actor'];
  action?: string;
  transition?: string;
}

type Capability = RunEnv['capabilities'] extends Set<infer C> ? C : never;

/** What gives the harness each capability a scenario may require (scenarios/README.md), by role. */
const CAPABILITY_SOURCE: Record<RunEnv['role'], Record<Capability, string>> = {
  oc: {
    control: 'the control API of the OI (embedded mock, or --control-url)',
    'other-oc': 'a second OC account (--other-login, --other-password, --other-oc-siren)',
    'business-refusals':
      'an OI under test whose inventory is known (--target with --inventory or --control-url)',
  },
  // Role oi certifies one OC: no option gives it a second OC, nor an OI under test that refuses.
  oi: {
    control: 'the control API of the mock OI',
    'other-oc': 'a second OC account, which role oi never has (it certifies one OC): runs in role oc only',
    'business-refusals': 'an OI under test that refuses creates (ERR01/ERR04): runs in role oc only',
  },
};

/** `needs business-refusals — an OI under test whose …`: the same text for the same need, so reports group them. */
const skipReason = (missing: Capability[], role: RunEnv['role']) =>
  `needs ${missing.join(', ')} — ${missing.map((c) => CAPABILITY_SOURCE[role][c]).join('; ')}`;

const ms = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/**
 * What the OC under test is asked to do in role oi, in the form the OI-side prompt of role oc uses:
 * the values the scenario sets (and later checks) and the fields it leaves out are part of the step.
 */
function ocStepText(what: string, set: Record<string, unknown>, remove: string[]): string {
  const withSet = Object.keys(set).length ? ` with ${JSON.stringify(set)}` : '';
  const without = remove.length ? ` without ${remove.join(', ')}` : '';
  return `${what}${withSet}${without}`;
}

function stringValues(v: FieldValues | undefined): TicketValue {
  const out: TicketValue = {};
  for (const [k, x] of Object.entries(v ?? {})) out[k] = x === null ? null : String(x);
  return out;
}

export async function executeScenario(s: Scenario, env: RunEnv): Promise<ScenarioResult> {
  const started = performance.now();
  const base: Omit<ScenarioResult, 'verdict' | 'durationMs' | 'steps'> = {
    id: s.id,
    title: s.title,
    file: s.file,
    tags: s.tags,
    clauses: s.clauses,
  };
  const missing = (s.requires ?? []).filter((r) => !env.capabilities.has(r));
  if (missing.length > 0) {
    return { ...base, verdict: 'skip', durationMs: 0, steps: [], skipReason: skipReason(missing, env.role) };
  }
  const run = new ScenarioRun(s, env);
  const steps: StepResult[] = [];
  let error: string | undefined;
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i]!;
    const t0 = performance.now();
    const sink = new CheckSink(
      env.book,
      ('mandatory' in step ? step.mandatory : undefined) ?? s.mandatory ?? true,
    );
    let meta: StepMeta = { kind: 'step', title: step.title ?? `step ${i + 1}`, actor: 'harness' };
    try {
      meta = await run.step(step, sink);
    } catch (e) {
      const why =
        e instanceof StepError || e instanceof VariableError || e instanceof NoOperatorError
          ? e.message
          : `internal error: ${(e as Error)?.stack ?? e}`;
      error = `step ${i + 1}${s.stepLines?.[i] ? ` (${s.file}:${s.stepLines[i]})` : ''}: ${why}`;
      try {
        meta = { ...meta, ...run.describe(step) };
      } catch {
        /* keep the generic description */
      }
      sink.add({ rule: HARNESS_RULE, title: 'le scénario s exécute', verdict: 'error', message: error });
    }
    const result: StepResult = {
      index: i,
      kind: meta.kind,
      title: step.title ?? meta.title,
      actor: meta.actor,
      ...(meta.transition ? { transition: meta.transition } : {}),
      ...(meta.action ? { action: meta.action } : {}),
      verdict: error ? 'error' : verdictOf(sink.checks),
      durationMs: ms(t0),
      checks: sink.checks,
    };
    steps.push(result);
    if (error) break;
  }
  const verdict: Verdict = error ? 'error' : verdictOf(steps);
  return { ...base, verdict, durationMs: ms(started), steps, ...(error ? { error } : {}) };
}

class ScenarioRun {
  private readonly tracks = new Map<string, Track>();
  private current?: Track;
  private readonly stepVars: Record<string, Record<string, unknown>> = {};
  private readonly vars: Record<string, unknown> = {};
  private readonly faker;
  private readonly roles;
  /** Role oi: the OI front's mark when the previous step ended (or the scenario started). */
  private previousStepEnd: number;

  constructor(
    private readonly s: Scenario,
    private readonly env: RunEnv,
  ) {
    this.faker = makeFaker(s.seed ?? seedOf(s.id));
    this.roles = rolesOf(env.index);
    this.previousStepEnd = env.oc?.front.mark() ?? 0;
  }

  // ------------------------------------------------------------------ helpers

  private scope(track?: Track): Scope {
    const { env } = this;
    const t = track ?? this.current;
    const config: ConfigScope =
      env.role === 'oc'
        ? {
            ocSiren: env.accounts.default.siren,
            oiSiren: env.oiSiren,
            otherOcSiren: env.accounts.other?.siren ?? null,
            login: env.accounts.default.login,
            password: env.accounts.default.password,
          }
        : {
            ocSiren: env.accounts.default.siren,
            oiSiren: env.oiSiren,
            otherOcSiren: env.accounts.other?.siren ?? null,
            login: env.pushCredentials.login,
            password: env.pushCredentials.password,
          };
    return {
      ticket: t ? { key: t.key, state: t.state, version: t.version } : {},
      steps: this.stepVars,
      data: t?.data ?? {},
      vars: this.vars,
      config,
      settings: env.index.settings,
    };
  }

  private action(actor: 'OC' | 'OI', name: string): ActionDef {
    const a = this.env.index.activeActions.find((x) => x.actor === actor && shortActionName(x) === name);
    if (!a)
      throw new StepError(`no active ${actor} action "${name}" in profile ${this.env.index.profile.id}`);
    return a;
  }

  private op(name: string): OperationDef {
    return this.env.index.operation.get(name)!;
  }

  private track(step: { ticket?: string | undefined }, needKey = true): Track {
    const t = step.ticket ? this.tracks.get(step.ticket) : this.current;
    if (!t)
      throw new StepError(
        step.ticket ? `no ticket created by step "${step.ticket}"` : 'no ticket: no create step before',
      );
    if (needKey && !t.key) throw new StepError('the ticket has no key: its create step failed');
    this.learnPushes(t);
    return t;
  }

  /**
   * Role oc: what the OC knows of a ticket includes every push it acknowledged, asked for or not
   * (§7: the OC sends back the last lastUpdateVersionNumber it knows on every set). Pushes are
   * learnt in order of arrival; a push older than what a read back taught is not learnt backwards.
   */
  private learnPushes(t: Track): void {
    const endpoint = this.env.oi?.endpoint;
    if (!endpoint || !t.key) return;
    const { index } = this.env;
    for (const p of endpoint.accepted(t.key)) {
      if (p.seq <= (t.learnt ?? 0)) continue;
      t.learnt = p.seq;
      t.beforePush ??= new Map();
      t.beforePush.set(p.seq, {
        state: t.state!,
        lastUpdateVersionNumber: t.version ?? index.settings.initialVersionNumber,
      });
      if (!p.ticket) continue;
      const version = Number(p.ticket[index.settings.staleVersionField]);
      if (Number.isFinite(version) && t.version !== undefined && version < t.version) continue;
      this.learnFromTicket(t, p.ticket);
    }
  }

  private account(c: CredentialChoice | undefined): {
    credentials?: Credentials;
    siren: string;
  } {
    const { accounts } = this.env;
    switch (c) {
      case 'other':
        if (!accounts.other) throw new StepError('no second OC account (needs other-oc)');
        return { credentials: accounts.other, siren: accounts.other.siren };
      case 'wrong-password':
        return {
          credentials: { login: accounts.default.login, password: `${accounts.default.password}-faux` },
          siren: accounts.default.siren,
        };
      case 'unknown-login':
        return {
          credentials: { login: `inconnu-${seedOf(this.s.id)}`, password: 'mot-de-passe' },
          siren: accounts.default.siren,
        };
      case 'none':
        return { siren: accounts.default.siren };
      default:
        return { credentials: accounts.default, siren: accounts.default.siren };
    }
  }

  private known(t: Track): KnownTicket | undefined {
    return t.key !== undefined && t.state !== undefined && t.version !== undefined
      ? { key: t.key, state: t.state, version: t.version }
      : undefined;
  }

  private record(
    step: { id?: string | undefined; capture?: Record<string, string> | undefined },
    o: Observed,
  ): void {
    const flat = flatten(o, this.env.index);
    if (step.id) this.stepVars[step.id] = flat;
    for (const [name, item] of Object.entries(step.capture ?? {})) {
      if (!(item in flat))
        throw new StepError(
          `capture ${name}: the answer has no "${item}" (has: ${Object.keys(flat).join(', ')})`,
        );
      this.vars[name] = flat[item];
    }
  }

  /** Role oi: the OI (our mock) knows the ticket; the harness reads it from there. */
  private syncFromEngine(t: Track): void {
    const engine = this.env.oc?.engine;
    if (!engine || !t.key) return;
    const stored = engine.getTicket(t.key)?.ticket;
    if (stored) {
      t.state = stored.state;
      t.version = stored.lastUpdateVersionNumber;
      t.uncertain = false;
    }
  }

  private engineTicket(t: Track): TicketValue | undefined {
    const stored = t.key ? this.env.oc?.engine.getTicket(t.key)?.ticket : undefined;
    if (!stored) return undefined;
    const { index } = this.env;
    const value: TicketValue = { ...stored.fields };
    value[index.settings.unknownKeyField] = stored.troubleTicketKey;
    value[index.settings.staleVersionField] = String(stored.lastUpdateVersionNumber);
    if (this.roles.state) value[this.roles.state.name] = stored.state;
    return value;
  }

  private decodeLenient(text: string | undefined): DecodedMessage | undefined {
    if (text === undefined) return undefined;
    try {
      return readMessage(text, lenientIndex(this.env.index));
    } catch {
      return undefined;
    }
  }

  /** Role oc: reads the ticket back with a get (its answer judged like any other). */
  private async readBackOc(t: Track, sink: CheckSink, why: string): Promise<Observed> {
    const { env } = this;
    const acc = this.account(t.account === env.accounts.other ? 'other' : 'default');
    const xml = env.writer.getRequest(
      {
        troubleTicketKey: t.key ?? null,
        supplierID: env.oiSiren,
        serviceProviderID: acc.siren,
      },
      acc.credentials,
    );
    const op = this.op('getTroubleTicketByKey');
    const x = await env.oi!.send(xml, { soapAction: op.name });
    const { answer } = judgeAnswer(sink, x, env.index, {
      operation: op,
      who: 'OI',
      about: `à la relecture (${why})`,
    });
    const o = observedFrom(answer, x);
    if (o.returnCode === env.index.profile.returnCodes.success && o.ticket) this.learnFromTicket(t, o.ticket);
    sink.add({
      rule: 'GET_BY_KEY',
      title: `relecture du ticket (${why})`,
      verdict: o.returnCode === env.index.profile.returnCodes.success && o.ticket ? 'pass' : 'fail',
      message: o.ticket
        ? `read back in state ${o.ticket[this.roles.state?.name ?? ''] ?? '?'}`
        : 'the ticket could not be read back',
      exchange: x,
    });
    return o;
  }

  private learnFromTicket(t: Track, ticket: TicketValue): void {
    const state = this.roles.state ? ticket[this.roles.state.name] : undefined;
    const version = Number(ticket[this.env.index.settings.staleVersionField]);
    if (state) t.state = state;
    if (Number.isFinite(version)) t.version = version;
    t.uncertain = false;
  }

  describe(step: Step): StepMeta {
    if ('oc' in step) {
      if (step.oc === 'get')
        return { kind: 'get', title: 'OC : lecture du ticket (getTroubleTicketByKey)', actor: 'OC' };
      const a = this.action('OC', step.oc);
      return { kind: a.id, title: `OC : ${a.title}`, actor: 'OC', action: a.id };
    }
    if ('oi' in step) {
      const a = this.action('OI', step.oi);
      return { kind: a.id, title: `OI : ${a.title}`, actor: 'OI', action: a.id };
    }
    if ('receive' in step) {
      const a = this.action('OI', step.receive);
      return { kind: a.id, title: `réception de l action poussée : ${a.title}`, actor: 'OI', action: a.id };
    }
    if ('push' in step) {
      const a = this.action('OI', step.push);
      return { kind: a.id, title: `OI (harnais) : ${a.title}, message forgé`, actor: 'OI', action: a.id };
    }
    if ('raw' in step) return { kind: 'raw', title: 'XML brut', actor: this.env.role === 'oc' ? 'OC' : 'OI' };
    if ('meta' in step) return { kind: 'meta', title: `opération méta ${step.meta}`, actor: 'OC' };
    if ('wait' in step) return { kind: 'wait', title: `attente ${step.wait} ms`, actor: 'harness' };
    return {
      kind: 'endpoint',
      title: 'point d accès OC du harnais : refus des prochaines actions poussées',
      actor: 'harness',
    };
  }

  async step(step: Step, sink: CheckSink): Promise<StepMeta> {
    try {
      return await this.perform(step, sink);
    } finally {
      this.previousStepEnd = this.env.oc?.front.mark() ?? 0;
    }
  }

  private async perform(step: Step, sink: CheckSink): Promise<StepMeta> {
    const meta = this.describe(step);
    if ('oc' in step) return step.oc === 'get' ? this.get(step, sink, meta) : this.ocAction(step, sink, meta);
    if ('oi' in step) return this.oiAction(step, sink, meta);
    if ('receive' in step) return this.receive(step, sink, meta);
    if ('push' in step) return this.craftedPush(step, sink, meta);
    if ('raw' in step) return this.raw(step, sink, meta);
    if ('meta' in step) return this.meta(step, sink, meta);
    if ('wait' in step) {
      await new Promise((r) => setTimeout(r, step.wait));
      return meta;
    }
    if ('endpoint' in step) {
      const t = this.track(step);
      if (!this.env.oi) throw new StepError('endpoint steps need role oc');
      this.env.oi.endpoint.failNext(t.key!, step.endpoint.fail, step.endpoint.status ?? 503);
      return meta;
    }
    return meta;
  }

  // ------------------------------------------------------------------ OC steps

  /** Sends (role oc) or has the OC under test send (role oi) one OC request; judges it. */
  private async ocExchange(
    xml: string,
    op: OperationDef,
    sink: CheckSink,
    match: (r: { key?: string | null; technicalId?: string | null }) => boolean,
    describe: string,
  ): Promise<{ x?: Exchange; answer?: DecodedMessage; skipped?: true }> {
    const { env } = this;
    if (env.role === 'oc') {
      const x = await env.oi!.send(xml, { soapAction: op.name });
      const { answer } = judgeAnswer(sink, x, env.index, { operation: op, who: 'OI' });
      return { x, ...(answer ? { answer } : {}) };
    }
    const oc = env.oc!;
    if (!(await oc.under.perform({ xml, operation: op.name, describe }))) return { skipped: true };
    // The request sent for this step came after the previous step ended: an older one (a read the
    // OC made on its own) is not this step's.
    const seen = await oc.front.waitRequest(
      (r) => r.operation === op.name && (oc.under.sendsExactly ? r.exchange.request === xml : match(r)),
      env.timeouts.requestMs,
      this.previousStepEnd,
    );
    if (!seen) {
      sink.add({
        rule: 'SOAP.ANSWER',
        title: `requête ${op.name} de l OC`,
        verdict: 'fail',
        message: `the OC under test sent no ${op.name} within ${env.timeouts.requestMs} ms (${describe})`,
      });
      return {};
    }
    judgeMessage(sink, seen.exchange, env.index, env.book, {
      sender: 'OC',
      ...(seen.current ? { current: seen.current } : {}),
      who: 'OC',
    });
    const answer = this.decodeLenient(seen.exchange.response);
    return { x: seen.exchange, ...(answer ? { answer } : {}) };
  }

  /** Role oi: the operator skipped an OC step; nothing of it is judged. */
  private skipped(sink: CheckSink, rule: string, describe: string, meta: StepMeta): StepMeta {
    sink.add({ rule, title: meta.title, verdict: 'skip', message: `skipped by the operator: ${describe}` });
    return meta;
  }

  private expectOrSuccess(e: Expect | undefined): Expect {
    const success = this.env.index.profile.returnCodes.success;
    if (!e) return { returnCode: success as '0' };
    if (e.returnCode === undefined && e.fault === undefined) return { ...e, returnCode: success as '0' };
    return e;
  }

  private ruleFor(step: { rule?: string | undefined }, a: ActionDef | undefined, e: Expect): string {
    if (step.rule) return step.rule;
    const codes = this.env.index.profile.returnCodes;
    const code = e.returnCode === undefined ? undefined : String(e.returnCode);
    if (a && code === codes.success) return a.transitions[0]!;
    if (a && code === codes.missing && typeof e.field === 'string' && a.mandatory.includes(e.field)) {
      return `MANDATORY:${a.id}:${e.field}`;
    }
    return 'RULES';
  }

  private async ocAction(
    step: Extract<Step, { oc: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const { env } = this;
    const { index } = env;
    const a = this.action('OC', step.oc);
    const op = this.op(a.operation);
    const isCreate = a.transitions.some((t) => index.transition.get(t)?.from === null);
    const acc = this.account(step.credentials);
    let t: Track;
    if (isCreate) {
      t = { data: {}, account: step.credentials === 'other' ? env.accounts.other! : env.accounts.default };
    } else {
      t = this.track(step);
      if (env.role === 'oi') this.syncFromEngine(t);
      else if (t.uncertain) await this.readBackOc(t, sink, 'version à jour avant une action de l OC');
    }
    // A create's variables refer to what exists before it (e.g. ${data.technicalId} of the previous ticket).
    const scope = this.scope(isCreate ? this.current : t);
    const given = { ...(isCreate ? env.createData : {}), ...stringValues(interpolateDeep(step.set, scope)) };
    const set = isCreate ? { ...accessFor(env.accessPool, index, given), ...given } : given;
    const ticket = actionData(
      a,
      {
        index,
        faker: this.faker,
        parties: { ocSiren: acc.siren, oiSiren: env.oiSiren },
        ...(this.known(t) ? { ticket: this.known(t)! } : {}),
      },
      { set },
    );
    const removed = (step.remove ?? []).map((f) => index.field.get(f)?.name ?? f);
    for (const f of removed) delete ticket[f];
    const xml = isCreate
      ? env.writer.createRequest(ticket, acc.credentials)
      : env.writer.setRequest(ticket, acc.credentials);
    const e = this.expectOrSuccess(interpolateDeep(step.expect, scope));
    const rule = this.ruleFor(step, a, e);
    const describe = ocStepText(
      `"${a.title}" (${a.id})${t.key ? ` on ticket ${t.key}` : ''}`,
      given,
      removed,
    );
    const builtState = t.state;
    const sent = await this.ocExchange(xml, op, sink, (r) => isCreate || r.key === t.key, describe);
    if (sent.skipped) return this.skipped(sink, rule, describe, meta);
    let { x, answer } = sent;
    if (!isCreate && !(index.settings.staleVersionField in given)) {
      ({ x, answer } = await this.resendIfOvertaken(t, ticket, builtState, acc.credentials, op, sink, {
        ...(x ? { x } : {}),
        ...(answer ? { answer } : {}),
      }));
    }
    const o = observedFrom(answer, x);
    const { ticket: _read, ...answerOnly } = o;
    void _read;
    checkExpectations(
      { ...e, state: undefined, fields: undefined, present: undefined, version: undefined },
      answerOnly,
      {
        sink,
        index,
        rule,
        ...(x ? { exchange: x } : {}),
        ticketSource: 'la réponse',
      },
    );
    const success = o.returnCode === index.profile.returnCodes.success && !o.fault;
    if (isCreate) {
      t.data = ticket;
      if (success && o.key) {
        t.key = o.key;
        const tr = index.transition.get(a.transitions[0]!)!;
        t.state = tr.to as string;
        t.version = index.settings.initialVersionNumber;
      }
      if (success && String(e.returnCode) === index.profile.returnCodes.success) {
        sink.add({
          rule: 'CREATE_KEY',
          title: 'la création renvoie la clé du ticket',
          verdict: o.key ? 'pass' : 'fail',
          message: o.key ? `troubleTicketKey ${o.key}` : 'returnCode 0 without a troubleTicketKey',
          highlight: 'troubleTicketKey',
          ...(x ? { exchange: x } : {}),
        });
      }
      if (step.id) this.tracks.set(step.id, t);
      t.name = step.id;
      this.current = t;
    } else if (success) {
      const tr = index.transition.get(a.transitions[0]!)!;
      if (tr.to !== 'unchanged') t.state = tr.to;
      if (tr.closureCodes?.length) t.uncertain = true;
    }
    if (
      e.state !== undefined ||
      e.fields !== undefined ||
      e.present !== undefined ||
      e.version !== undefined
    ) {
      const back = await this.readBack(t, sink, 'état après l action');
      checkExpectations(
        { state: e.state, fields: e.fields, present: e.present, version: e.version } as Expect,
        back,
        {
          sink,
          index,
          rule,
          ticketSource: 'le ticket relu',
        },
      );
    }
    this.record(step, o);
    const positive = String(e.returnCode) === index.profile.returnCodes.success;
    return { ...meta, ...(positive ? { transition: a.transitions[0]! } : {}) };
  }

  /**
   * Role oc: an OC set the OI refused as stale because one of its pushes overtook it (the OI updated
   * the ticket while the set was on its way) is sent again with the version that push taught: what
   * an OC does (§7: it sends back the last value it knows). Only when the push left the state as it
   * was, and never when the scenario chose the version itself.
   */
  private async resendIfOvertaken(
    t: Track,
    ticket: TicketValue,
    builtState: string | undefined,
    credentials: Credentials | undefined,
    op: OperationDef,
    sink: CheckSink,
    first: { x?: Exchange; answer?: DecodedMessage },
  ): Promise<{ x?: Exchange; answer?: DecodedMessage }> {
    const { env } = this;
    const { index } = env;
    const field = index.settings.staleVersionField;
    const endpoint = env.oi?.endpoint;
    if (env.role !== 'oc' || !endpoint || !t.key) return first;
    let current = first;
    for (let attempt = 0; attempt < 3; attempt++) {
      const o = observedFrom(current.answer, current.x);
      const named = (o.returnLabel ?? '').trim().split(/[\s:]/)[0];
      if (o.fault || o.returnCode === index.profile.returnCodes.success || named !== field) return current;
      const sent = Number(ticket[field]);
      // The push of the update that made our version stale may still be on its way.
      if (!((t.version ?? 0) > sent)) {
        await endpoint.waitAccepted(t.key, t.learnt ?? 0, Math.min(env.timeouts.pushMs, STALE_PUSH_WAIT_MS));
        this.learnPushes(t);
      }
      if (t.version === undefined || !(t.version > sent) || t.state !== builtState) return current;
      sink.add({
        rule: 'STALE_VERSION',
        title: `${field} périmé par une action poussée pendant l envoi`,
        verdict: 'pass',
        expected: String(t.version),
        actual: String(sent),
        message: `the OI refused ${field} ${sent} as stale: it pushed version ${t.version} meanwhile (§7); sent again with ${t.version}`,
        highlight: field,
        ...(current.x ? { exchange: current.x } : {}),
      });
      ticket[field] = String(t.version);
      const xml = env.writer.setRequest(ticket, credentials);
      current = await this.ocExchange(xml, op, sink, (r) => r.key === t.key, `resend on ${t.key}`);
    }
    return current;
  }

  private async readBack(t: Track, sink: CheckSink, why: string): Promise<Observed> {
    if (this.env.role === 'oc') return this.readBackOc(t, sink, why);
    this.syncFromEngine(t);
    const ticket = this.engineTicket(t);
    return ticket ? { ticket } : {};
  }

  private async get(step: Extract<Step, { oc: string }>, sink: CheckSink, meta: StepMeta): Promise<StepMeta> {
    const { env } = this;
    const { index } = env;
    const op = this.op('getTroubleTicketByKey');
    const q = step.get ?? {};
    const byQuery = q.key !== undefined || q.technicalId !== undefined;
    const t = byQuery ? (step.ticket ? this.track(step) : this.current) : this.track(step);
    const acc = this.account(step.credentials);
    const scope = this.scope(t);
    const query = interpolateDeep(q, scope);
    const get: GetRequest = {
      troubleTicketKey:
        query.key !== undefined
          ? (query.key as string | null)
          : query.technicalId !== undefined
            ? undefined
            : (t?.key ?? null),
      ...(query.technicalId !== undefined ? { technicalId: query.technicalId as string | null } : {}),
      ...(query.attrNames ? { attrNames: query.attrNames } : {}),
      supplierID: env.oiSiren,
      serviceProviderID: acc.siren,
    };
    if (get.troubleTicketKey === undefined) delete get.troubleTicketKey;
    const set = stringValues(interpolateDeep(step.set, scope));
    for (const [k, v] of Object.entries(set))
      if (k in { supplierID: 1, serviceProviderID: 1, technicalId: 1 })
        (get as Record<string, unknown>)[k] = v;
    for (const f of step.remove ?? []) delete (get as Record<string, unknown>)[f];
    const xml = env.writer.getRequest(get, acc.credentials);
    const e = this.expectOrSuccess(interpolateDeep(step.expect, scope));
    const rule =
      step.rule ??
      (get.troubleTicketKey ? 'GET_BY_KEY' : get.technicalId ? 'GET_BY_TECHNICALID' : 'GET_BY_KEY');
    const describe = ocStepText(
      `read ticket ${get.troubleTicketKey ?? get.technicalId ?? ''}`,
      { ...(query.attrNames ? { attrNames: query.attrNames } : {}), ...set },
      step.remove ?? [],
    );
    const { x, answer, skipped } = await this.ocExchange(
      xml,
      op,
      sink,
      (r) => (get.troubleTicketKey ? r.key === get.troubleTicketKey : r.technicalId === get.technicalId),
      describe,
    );
    if (skipped) return this.skipped(sink, rule, describe, meta);
    const o = observedFrom(answer, x);
    checkExpectations(e, o, {
      sink,
      index,
      rule,
      ...(x ? { exchange: x } : {}),
      ticketSource: 'le ticket lu',
    });
    if (t && o.ticket && o.returnCode === index.profile.returnCodes.success) {
      const key = o.ticket[index.settings.unknownKeyField];
      if (key && key === t.key) this.learnFromTicket(t, o.ticket);
    }
    this.record(step, o);
    return meta;
  }

  // ------------------------------------------------------------------ OI steps

  private async oiAction(
    step: Extract<Step, { oi: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const { env } = this;
    const a = this.action('OI', step.oi);
    const t = this.track(step);
    const fields = stringValues(interpolateDeep(step.set, this.scope(t)));
    const tr = a.transitions[0]!;
    let trigger: Trigger | undefined;
    if (env.role === 'oc') {
      const oi = env.oi!;
      trigger = {
        action: a.id,
        afterSeq: oi.endpoint.accepted(t.key!).at(-1)?.seq ?? 0,
        knownBefore: t.version ?? env.index.settings.initialVersionNumber,
      };
      if (oi.control) {
        const url = `${oi.control.url}/tickets/${encodeURIComponent(t.key!)}/actions/${encodeURIComponent(a.id)}`;
        let res: { status: number; json: unknown };
        try {
          res = await controlCall(url, 'POST', fields, oi.control.token);
        } catch (e) {
          throw new StepError(`control API unreachable (${url}): ${(e as Error).message}`);
        }
        if (res.status !== 200) {
          const body = res.json as { error?: string; returnLabel?: string };
          sink.add({
            rule: tr,
            title: `l OI effectue ${a.id}`,
            verdict: 'fail',
            message: `the OI refused to perform ${a.id} (HTTP ${res.status}): ${body?.returnLabel ?? body?.error ?? JSON.stringify(res.json)}`,
            notes: [`POST ${url} ${JSON.stringify(fields)}`],
          });
          return meta;
        }
        const version = Number(
          (res.json as { ticket?: { lastUpdateVersionNumber?: unknown } })?.ticket?.lastUpdateVersionNumber,
        );
        if (Number.isFinite(version)) trigger.version = version;
      } else if (env.prompt) {
        const ok = await env.prompt.ask(
          `In the OI under test, perform "${a.title}" (${a.id}) on ticket ${t.key}${Object.keys(fields).length ? ` with ${JSON.stringify(fields)}` : ''}.`,
        );
        if (!ok) {
          sink.add({
            rule: tr,
            title: `l OI effectue ${a.id}`,
            verdict: 'skip',
            message: 'skipped by the operator',
          });
          return meta;
        }
      }
    } else {
      const oc = env.oc!;
      let r: { returnCode: string; returnLabel?: string };
      try {
        r = await oc.engine.triggerOiAction(t.key!, a.id, fields);
      } catch (e) {
        throw new StepError(`the mock OI could not perform ${a.id}: ${(e as Error).message}`);
      }
      if (r.returnCode !== env.index.profile.returnCodes.success) {
        throw new StepError(`the mock OI refused ${a.id} on ${t.key}: ${r.returnLabel ?? r.returnCode}`);
      }
    }
    // Not awaited: a later receive step judges the push (and counts the transition as exercised).
    if (step.await === false) {
      if (trigger) t.pending = [...(t.pending ?? []), trigger];
      return meta;
    }
    const timeout = step.timeoutMs ?? env.timeouts.pushMs;
    const e = step.expect ? interpolateDeep(step.expect, this.scope(t)) : undefined;
    const positive = await this.awaitPush(a, t, sink, e, timeout, step.rule, step, trigger);
    return { ...meta, ...(positive ? { transition: tr } : {}) };
  }

  private async receive(
    step: Extract<Step, { receive: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const a = this.action('OI', step.receive);
    const t = this.track(step);
    const e = step.expect ? interpolateDeep(step.expect, this.scope(t)) : undefined;
    const positive = await this.awaitPush(
      a,
      t,
      sink,
      e,
      step.timeoutMs ?? this.env.timeouts.pushMs,
      step.rule,
      step,
      t.pending?.find((p) => p.action === a.id),
    );
    return { ...meta, ...(positive ? { transition: a.transitions[0]! } : {}) };
  }

  /** Waits for the push of an OI action and judges it (role oc) or the OC's answer to it (role oi). */
  private async awaitPush(
    a: ActionDef,
    t: Track,
    sink: CheckSink,
    e: Expect | undefined,
    timeoutMs: number,
    stepRule: string | undefined,
    step: { id?: string | undefined; capture?: Record<string, string> | undefined },
    trigger?: Trigger,
  ): Promise<boolean> {
    const { env } = this;
    const { index } = env;
    const tr = index.transition.get(a.transitions[0]!)!;
    const rule = stepRule ?? tr.id;
    if (env.role === 'oi') {
      // The front records a push once the OC answered or its own wait (timeoutMs) expired.
      const grace = 2_000;
      const got = await env.oc!.front.waitPush(t.key!, timeoutMs + grace);
      if (!got) throw new StepError(`the mock OI pushed nothing for ${t.key} within ${timeoutMs + grace} ms`);
      // The mock's own record of the push: the action it performed and its delivery attempts.
      const pushedAs = this.mockDelivery(t.key!, got.exchange.request);
      const x = got.exchange;
      const answered = x.response !== undefined && !x.error;
      sink.add({
        rule: 'PUSH.DELIVERY',
        title: `l OC répond à l action poussée ${a.id}`,
        verdict: answered ? 'pass' : 'fail',
        message: answered
          ? `HTTP ${x.httpStatus} in ${x.durationMs} ms`
          : `the OC did not answer the push: ${x.error ?? 'no answer'}`,
        exchange: x,
      });
      const pushed = this.decodeLenient(x.request);
      const identified = pushedAs.delivery()?.action ?? this.identifyPush(pushed);
      // The same check as role oc: the push the step waited for is the action it names.
      sink.add({
        rule,
        title: `action poussée ${a.id}`,
        verdict: identified === a.id ? 'pass' : 'fail',
        expected: a.id,
        actual: identified ?? 'unidentified',
        message:
          identified === a.id
            ? `${a.id} (${tr.id}) pushed`
            : `expected ${a.id}, the push is ${identified ?? 'no identifiable action'}`,
        exchange: x,
      });
      const { answer } = judgeAnswer(sink, x, index, {
        operation: this.op('setTroubleTicketByValue'),
        who: 'OC',
      });
      // Ticket expectations are about the action pushed; answer expectations about the OC's answer.
      const o: Observed = {
        ...observedFrom(answer, x),
        ...(pushed?.body.kind === 'setRequest' ? { ticket: pushed.body.ticket } : {}),
        ...(identified ? { action: identified } : {}),
        attempts: pushedAs.delivery()?.attempts ?? 1,
      };
      const want = this.expectOrSuccess(e);
      checkExpectations(want, o, { sink, index, rule, exchange: x, ticketSource: 'la réponse de l OC' });
      this.syncFromEngine(t);
      this.record(step, o);
      return String(want.returnCode) === index.profile.returnCodes.success;
    }
    const endpoint = env.oi!.endpoint;
    const deadline = Date.now() + timeoutMs;
    const others: string[] = [];
    for (;;) {
      const got = await endpoint.waitPush(t.key!, Math.max(0, deadline - Date.now()));
      if (!got) {
        const unreadable = endpoint.unreadable.length;
        sink.add({
          rule: 'PUSH.DELIVERY',
          title: `l OI pousse ${a.id} à l OC`,
          verdict: 'fail',
          message: `no push of ${a.id} for ticket ${t.key} within ${timeoutMs} ms${others.length ? ` (received only ${others.join(', ')})` : ''}${unreadable ? ` (${unreadable} unreadable pushes received by the harness)` : ''}`,
        });
        sink.add({
          rule,
          title: `action poussée ${a.id}`,
          verdict: 'fail',
          message: `${a.id} was not pushed`,
        });
        return true;
      }
      this.learnPushes(t);
      const before = t.beforePush?.get(got.push.seq) ?? {
        state: t.state!,
        lastUpdateVersionNumber: t.version ?? index.settings.initialVersionNumber,
      };
      const judged = this.judgePush(got, before, sink, a);
      const identified = judged.action;
      // A push the harness did not ask for (e.g. a spontaneous T8 information): acknowledged, judged
      // by the automatic checks, and the wait goes on, unless it ended the ticket. A push the rules
      // refuse is rather the awaited one gone wrong: it answers the step (and fails it).
      const version = Number(judged.ticket?.[index.settings.staleVersionField]);
      const answers = (g: Trigger) =>
        g.action === identified?.id &&
        got.push.seq > g.afterSeq &&
        (g.version === undefined ||
          !Number.isFinite(version) ||
          version >= g.version ||
          version <= g.knownBefore);
      const expected = trigger ?? { action: a.id, afterSeq: 0, knownBefore: 0 };
      const unasked =
        identified !== undefined &&
        judged.clean &&
        !answers(expected) &&
        !t.pending?.some(answers) &&
        !judged.final;
      if (unasked) {
        others.push(identified.id);
        // Refusals a scenario asked the endpoint for, spent on this push, go to the next one.
        if (got.refused.length > 0)
          endpoint.refuseMore(t.key!, got.refused.length, got.refused[0]!.exchange.httpStatus ?? 503);
        continue;
      }
      if (t.pending) {
        const i = t.pending.findIndex(answers);
        if (i >= 0) t.pending.splice(i, 1);
        else if (trigger) t.pending = t.pending.filter((p) => p !== trigger);
      }
      const x = got.push.exchange;
      sink.add({
        rule,
        title: `action poussée ${a.id}`,
        verdict: identified?.id === a.id ? 'pass' : 'fail',
        expected: a.id,
        actual: identified?.id ?? 'unidentified',
        message:
          identified?.id === a.id
            ? `${a.id} (${tr.id}) pushed${others.length ? ` (after ${others.join(', ')}, not asked for)` : ''}`
            : `expected ${a.id}, the push is ${identified?.id ?? 'no identifiable action'}`,
        exchange: x,
      });
      const pushed = judged.ticket;
      const o: Observed = {
        ...(pushed ? { ticket: pushed, key: pushed[index.settings.unknownKeyField] ?? null } : {}),
        ...(identified ? { action: identified.id } : {}),
        attempts: got.refused.length + 1,
      };
      if (e) checkExpectations(e, o, { sink, index, rule, exchange: x, ticketSource: 'l action poussée' });
      this.record(step, o);
      return true;
    }
  }

  /** Role oi: the mock's delivery record of the push carrying `request` (its action and attempts). */
  private mockDelivery(key: string, request: string | undefined) {
    const engine = this.env.oc!.engine;
    // The record masks the header's password: the SOAP body tells the push.
    const bodyOf = (xml: string) => xml.slice(Math.max(0, xml.search(/<(?:[\w.-]+:)?Body[\s>]/)));
    const body = request === undefined ? undefined : bodyOf(request);
    return {
      delivery: () =>
        body === undefined
          ? undefined
          : engine.getTicket(key)?.deliveries.find((d) => bodyOf(d.requestXml) === body),
    };
  }

  /** The R7 action a push carries, as the rules identify it (when the mock's record is not found). */
  private identifyPush(pushed: DecodedMessage | undefined): string | undefined {
    if (!pushed) return undefined;
    try {
      return checkMessage(pushed, this.env.index, { sender: 'OI' }).action?.id;
    } catch {
      return undefined;
    }
  }

  /**
   * Role oc: the checks every push gets, asked for or not: delivery, authentication header, the
   * automatic rules, the version increment and, when it closes the ticket, its closure code and date.
   * `expected` is the action the step waits for: its transition's closure codes apply when the push
   * is that action; any other push is judged on the transition it was identified as.
   */
  private judgePush(
    got: PushWait,
    before: { state: string; lastUpdateVersionNumber: number },
    sink: CheckSink,
    expected: ActionDef,
  ): { action?: ActionDef; ticket?: TicketValue; final: boolean; clean: boolean } {
    const { env } = this;
    const { index } = env;
    const x = got.push.exchange;
    const judged = judgeMessage(sink, x, index, env.book, { sender: 'OI', current: before, who: 'OI' });
    const pushed = judged.message?.body.kind === 'setRequest' ? judged.message.body.ticket : undefined;
    const action = judged.outcome?.action;
    const clean = !!judged.outcome && !judged.outcome.findings.some((f) => f.severity === 'error');
    const asked = !action || action.id === expected.id;
    sink.add({
      rule: 'PUSH.DELIVERY',
      title: asked
        ? `l OI pousse ${expected.id} à l OC`
        : `action poussée non demandée : ${action.id}${judged.outcome?.transition ? ` (${judged.outcome.transition.id})` : ''}, acquittée`,
      verdict: 'pass',
      message: `push received${got.refused.length ? ` after ${got.refused.length} refused attempts` : ''}${asked ? '' : `, while waiting for ${expected.id}`}`,
      exchange: x,
    });
    const creds = got.push.credentials;
    const want = env.pushCredentials;
    const headerOk =
      !!creds && (!want.login || (creds.login === want.login && creds.password === want.password));
    sink.add({
      rule: 'PUSH.HEADER',
      title: 'en-tête d authentification de l action poussée',
      verdict: headerOk ? 'pass' : 'fail',
      message: headerOk
        ? `LoginName ${creds!.login}`
        : creds
          ? `unexpected credentials (LoginName ${creds.login})`
          : 'the push carries no TroubleTicketHeaderRequest',
      exchange: x,
    });
    if (!pushed) return { ...(action ? { action } : {}), final: false, clean };
    const version = Number(pushed[index.settings.staleVersionField]);
    const okVersion = Number.isFinite(version) && version > before.lastUpdateVersionNumber;
    sink.add({
      rule: 'VERSION_INCREMENT',
      title: `${index.settings.staleVersionField} incrémenté`,
      verdict: okVersion ? 'pass' : 'fail',
      expected: `> ${before.lastUpdateVersionNumber}`,
      actual: pushed[index.settings.staleVersionField] ?? 'absent',
      message: okVersion
        ? `version ${version}`
        : `the OI must increment ${index.settings.staleVersionField} at each of its updates (§7)`,
      highlight: index.settings.staleVersionField,
      exchange: x,
    });
    const state = this.roles.state ? pushed[this.roles.state.name] : undefined;
    const final = !!index.profile.states.find((s) => s.name === state)?.final;
    // A push that ends the ticket is the step's answer (asked for or not): judged as the expected action.
    const tr = asked || final ? index.transition.get(expected.transitions[0]!) : judged.outcome?.transition;
    const codeField = this.roles.closureCode?.name;
    const labelField = this.roles.closureLabel?.name;
    if (tr?.closureCodes?.length && codeField && labelField) {
      const code = pushed[codeField];
      const allowed = closureCodesOf(index, tr.closureCodes);
      const c = code ? index.closure.get(code) : undefined;
      const ok = !!c && allowed.includes(c.code) && pushed[labelField] === closureLabel(c);
      sink.add({
        rule: `CLOSURE:${tr.id}`,
        title: `code de clôture de ${tr.id}`,
        verdict: ok ? 'pass' : 'fail',
        expected: `${allowed.join('|')} with label CODE#TEXT`,
        actual: `${code ?? 'absent'} / ${pushed[labelField] ?? 'absent'}`,
        message: ok ? `${code}` : `${tr.id} needs a closure code among ${allowed.join(', ')} and its label`,
        highlight: codeField,
        exchange: x,
      });
    }
    if (final) {
      const dateField = index.profile.fields.find((f) => f.name === 'interactionDateComplete')?.name;
      if (dateField) {
        const ok = !!pushed[dateField];
        sink.add({
          rule: 'CLOSURE_DATE',
          title: `${dateField} à la clôture`,
          verdict: ok ? 'pass' : 'fail',
          message: ok ? `${pushed[dateField]}` : `${dateField} must be set when the ticket closes (§7)`,
          highlight: dateField,
          exchange: x,
        });
      }
    }
    return { ...(action ? { action } : {}), ticket: pushed, final, clean };
  }

  /** Role oi: the harness pushes a hand-made R7 message to the OC under test. */
  private async craftedPush(
    step: Extract<Step, { push: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const { env } = this;
    const { index } = env;
    if (!env.oc) throw new StepError('push steps need role oi');
    const a = this.action('OI', step.push);
    const t = this.track(step);
    this.syncFromEngine(t);
    const scope = this.scope(t);
    const set = stringValues(interpolateDeep(step.set, scope));
    const ticket = actionData(
      a,
      {
        index,
        faker: this.faker,
        parties: { ocSiren: t.account.siren, oiSiren: env.oiSiren },
        ...(this.known(t) ? { ticket: this.known(t)! } : {}),
      },
      { set },
    );
    for (const f of step.remove ?? []) delete ticket[index.field.get(f)?.name ?? f];
    const creds: Credentials | undefined =
      step.credentials === 'none'
        ? undefined
        : step.credentials === 'wrong-password'
          ? { login: env.pushCredentials.login, password: `${env.pushCredentials.password}-faux` }
          : step.credentials === 'unknown-login'
            ? { login: `inconnu-${seedOf(this.s.id)}`, password: 'mot-de-passe' }
            : env.pushCredentials;
    const op = this.op('setTroubleTicketByValue');
    const xml = env.writer.setRequest(ticket, creds);
    const x = await env.oc.send(xml, { soapAction: op.name });
    const { answer } = judgeAnswer(sink, x, index, { operation: op, who: 'OC' });
    const o = observedFrom(answer, x);
    const e = interpolateDeep(step.expect, scope);
    if (e)
      checkExpectations(e, o, {
        sink,
        index,
        rule: this.ruleFor(step, a, e),
        exchange: x,
        ticketSource: 'la réponse de l OC',
      });
    this.record(step, o);
    return meta;
  }

  // ------------------------------------------------------------------ raw and meta

  private async raw(
    step: Extract<Step, { raw: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const { env } = this;
    const scope = this.scope();
    const body = String(interpolateDeep(step.raw, scope));
    const opts = {
      ...(step.soapAction !== undefined ? { soapAction: step.soapAction } : {}),
      ...(step.contentType !== undefined ? { contentType: step.contentType } : {}),
    };
    const x = env.role === 'oc' ? await env.oi!.send(body, opts) : await env.oc!.send(body, opts);
    const who = env.role === 'oc' ? 'OI' : 'OC';
    const { answer } = judgeAnswer(sink, x, env.index, { who });
    const o = observedFrom(answer, x);
    const e = interpolateDeep(step.expect, scope);
    if (e)
      checkExpectations(e, o, {
        sink,
        index: env.index,
        rule: step.rule ?? 'RULES',
        exchange: x,
        ticketSource: 'la réponse',
      });
    this.record(step, o);
    return meta;
  }

  private async meta(
    step: Extract<Step, { meta: string }>,
    sink: CheckSink,
    meta: StepMeta,
  ): Promise<StepMeta> {
    const { env } = this;
    if (!env.oi) throw new StepError('meta steps need role oc');
    const op = this.op(step.meta);
    const acc = this.account(step.credentials);
    const xml = env.writer.metaRequest(op.name, acc.credentials, step.eventType);
    const x = await env.oi.send(xml, { soapAction: op.name });
    const { answer } = judgeAnswer(sink, x, env.index, { operation: op, who: 'OI' });
    const o = observedFrom(answer, x);
    const e = interpolateDeep(step.expect, this.scope()) ?? { values: op.meta?.values ?? [] };
    checkExpectations(e, o, {
      sink,
      index: env.index,
      rule: step.rule ?? `META:${op.name}`,
      exchange: x,
      ticketSource: 'la réponse',
    });
    this.record(step, o);
    return meta;
  }
}
