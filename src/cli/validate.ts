/**
 * `sav-ftth validate <file.xml>…`: reads each SOAP message (request, response or fault, either
 * direction; the operation comes from the body), validates it against the profile's XSD, runs the
 * protocol rules and prints the findings as `file:line: severity RULE field: message [basis clause]`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_PROFILE_ID, getProfile, indexProfile, type ProfileIndex } from '../profile/index.ts';
import {
  type Answer,
  answerFor,
  type CheckOutcome,
  checkMessage,
  codecErrorAnswer,
  type Finding,
  internalErrorAnswer,
  type RuleContext,
} from '../rules/index.ts';
import { schemaValidator } from '../schema/validator.ts';
import { isCodecError } from '../soap/errors.ts';
import type { DecodedMessage } from '../soap/model.ts';
import { readMessage } from '../soap/read.ts';
import type { CliIo } from './commands.ts';

export const VALIDATE_USAGE = `Usage: sav-ftth validate [options] <file.xml>...

Checks SOAP 1.1 messages of the SAV FTTH protocol: requests, responses and faults, sent by the OC
or by the OI. The operation is detected from the body. Each message is validated against the XSD
generated from the profile, then against the protocol rules (mandatory fields per action, formats,
value lists, SIREN key, transitions, return codes).

Output: one line per finding, \`file:line: severity RULE field: message [basis clause]\`, then a
line per file with the answer the protocol requires (for requests) and a summary line.

Options:
  --json                  print a JSON array instead: one entry per file with its operation,
                          direction, action, findings and answer
  --profile <id>          protocol profile (default: ${DEFAULT_PROFILE_ID})
  --sender <OC|OI>        who sent the messages (default: inferred from the action)
  --state <state>         the ticket's current state as the receiver knows it (enables the
                          transition rules)
  --version <n>           the ticket's current lastUpdateVersionNumber (with --state; default: the
                          profile's initial version)
  --verbose               also print information findings
  -h, --help              show this help

Exit status: 0 no error finding, 1 at least one error finding or unreadable message (codec error),
2 usage error or unreadable file.
`;

interface FileReport {
  file: string;
  operation?: string;
  direction?: DecodedMessage['direction'];
  action?: string;
  transition?: string;
  sender?: 'OC' | 'OI';
  findings: Finding[];
  /** The answer the receiver of a request must give; absent for responses and faults. */
  answer?: Answer;
  /** Set when the message could not be read as an operation (codec error) or the file not read. */
  error?: { kind: string; message: string; line?: number };
}

interface Options {
  json: boolean;
  verbose: boolean;
  index: ProfileIndex;
  ctx: RuleContext;
}

const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  profile: { type: 'string' },
  sender: { type: 'string' },
  state: { type: 'string' },
  version: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[], io: CliIo): { files: string[]; options: Options } | number {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  const fail = (message: string) => {
    io.err(`sav-ftth validate: ${message}`);
    io.err(VALIDATE_USAGE);
    return 2;
  };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(VALIDATE_USAGE);
    return 0;
  }
  if (positionals.length === 0) return fail('no file given');
  let index: ProfileIndex;
  try {
    index = indexProfile(getProfile(values.profile ?? DEFAULT_PROFILE_ID));
  } catch (e) {
    return fail((e as Error).message);
  }
  const ctx: RuleContext = {};
  if (values.sender !== undefined) {
    if (values.sender !== 'OC' && values.sender !== 'OI')
      return fail(`--sender must be OC or OI, not "${values.sender}"`);
    ctx.sender = values.sender;
  }
  if (values.version !== undefined && values.state === undefined) return fail('--version needs --state');
  if (values.state !== undefined) {
    const states = index.profile.states.map((s) => s.name);
    if (!states.includes(values.state)) return fail(`--state must be one of ${states.join(', ')}`);
    const version =
      values.version === undefined ? index.settings.initialVersionNumber : Number(values.version);
    if (!Number.isSafeInteger(version)) return fail(`--version must be an integer, not "${values.version}"`);
    ctx.current = { state: values.state, lastUpdateVersionNumber: version };
  }
  return { files: positionals, options: { json: !!values.json, verbose: !!values.verbose, index, ctx } };
}

export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { files, options } = parsed;
  const reports: FileReport[] = [];
  let unreadableFile = false;
  for (const file of files) {
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (e) {
      unreadableFile = true;
      const err = e as NodeJS.ErrnoException;
      // "ENOENT: no such file or directory, open 'x.xml'" → "ENOENT: no such file or directory"
      const message = err.code ? err.message.replace(/, [a-z]+ '.*'$/, '') : err.message;
      io.err(`${file}: cannot read file: ${message}`);
      reports.push({
        file,
        findings: [],
        error: { kind: 'UNREADABLE_FILE', message: `cannot read file: ${message}` },
      });
      continue;
    }
    reports.push(validateOne(file, raw, options));
  }
  if (options.json) io.out(JSON.stringify(reports, null, 2));
  else for (const r of reports) if (r.error?.kind !== 'UNREADABLE_FILE') printReport(r, options, io);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of reports) for (const f of r.findings) counts[f.severity]++;
  const unreadable = reports.filter((r) => r.error?.kind === 'UNREADABLE_FILE');
  const checked = reports.filter((r) => r.error?.kind !== 'UNREADABLE_FILE');
  const failed = checked.filter((r) => r.error || r.findings.some((f) => f.severity === 'error')).length;
  if (!options.json) {
    const notRead = unreadable.length
      ? `${unreadable.length} file(s) could not be read: ${unreadable.map((r) => r.file).join(', ')}`
      : '';
    io.out(
      checked.length === 0
        ? `no file checked: ${notRead}`
        : `${checked.length} file(s) checked: ${failed} with errors; ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info(s)${notRead ? `; ${notRead}` : ''}`,
    );
  }
  if (unreadableFile) return 2;
  return failed > 0 ? 1 : 0;
}

/** Reads, validates and checks one message. Never throws. */
export function validateOne(
  file: string,
  raw: Uint8Array,
  options: Pick<Options, 'index' | 'ctx'>,
): FileReport {
  const { index, ctx } = options;
  let msg: DecodedMessage;
  try {
    msg = readMessage(raw, index, { validator: schemaValidator(index.profile) });
  } catch (e) {
    const answer = isCodecError(e) ? codecErrorAnswer(e, index) : internalErrorAnswer(e, index);
    const kind = isCodecError(e) ? e.kind : 'INTERNAL';
    const line = isCodecError(e) ? e.line : undefined;
    return {
      file,
      findings: answer.finding ? [answer.finding] : [],
      answer,
      error: { kind, message: (e as Error)?.message ?? String(e), ...(line !== undefined ? { line } : {}) },
    };
  }
  let outcome: CheckOutcome;
  try {
    outcome = checkMessage(msg, index, ctx);
  } catch (e) {
    const answer = internalErrorAnswer(e, index);
    return {
      file,
      ...(msg.operation ? { operation: msg.operation.name } : {}),
      direction: msg.direction,
      findings: answer.finding ? [answer.finding] : [],
      error: { kind: 'INTERNAL', message: (e as Error)?.message ?? String(e) },
    };
  }
  const findings = outcome.findings.map((f) =>
    f.line === undefined ? { ...f, line: lineFor(f, msg, index) } : f,
  );
  return {
    file,
    ...(msg.operation ? { operation: msg.operation.name } : {}),
    direction: msg.direction,
    ...(outcome.action ? { action: outcome.action.id } : {}),
    ...(outcome.transition ? { transition: outcome.transition.id } : {}),
    ...(outcome.sender ? { sender: outcome.sender } : {}),
    findings,
    ...(msg.direction === 'request' ? { answer: answerFor(outcome.findings, index) } : {}),
  };
}

/**
 * A line for a finding on an absent field: where the field belongs, i.e. the line of the closest
 * field before it in schema order that the message holds; else the message's first field.
 */
function lineFor(f: Finding, msg: DecodedMessage, index: ProfileIndex): number {
  const def = f.field ? index.field.get(f.field) : undefined;
  const fields = index.profile.fields;
  if (def) {
    for (let i = index.position.get(def)!; i >= 0; i--) {
      const line = msg.lines[fields[i]!.name];
      if (line !== undefined) return line;
    }
  }
  const first = Math.min(...Object.values(msg.lines), Number.POSITIVE_INFINITY);
  return Number.isFinite(first) ? first : 1;
}

function describeAnswer(a: Answer): string {
  switch (a.kind) {
    case 'ok':
      return 'returnCode 0';
    case 'returnCode':
      return `returnCode ${a.code} (${a.finding.field})`;
    default:
      return `SOAP fault ${a.faultcode} ${a.choice}`;
  }
}

function printReport(r: FileReport, options: Options, io: CliIo): void {
  for (const f of r.findings) {
    if (f.severity === 'info' && !options.verbose) continue;
    const field = f.field ? ` ${f.field}` : '';
    // "[spec spec 3.1.1]" reads "[spec 3.1.1]".
    const basis = f.clause.startsWith(`${f.basis} `) ? f.clause : `${f.basis} ${f.clause}`;
    io.out(
      `${r.file}:${f.line ?? 1}: ${f.severity} ${f.rule}${field}: ${f.explanation ?? f.message} [${basis}]`,
    );
  }
  const what = r.error
    ? `unreadable (${r.error.kind})`
    : [
        `${r.operation ?? 'unknown operation'} ${r.direction}`,
        r.action ? `action ${r.action}${r.transition ? ` ${r.transition}` : ''}` : undefined,
      ]
        .filter(Boolean)
        .join(', ');
  const answer = r.answer ? ` -> ${describeAnswer(r.answer)}` : '';
  io.out(`${r.file}: ${what}${answer}`);
}
