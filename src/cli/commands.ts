/**
 * The `sav-ftth` subcommands. To add one, add ONE entry to `commands` whose `load` imports the module
 * lazily (so `--help` and other commands never pay for it) and adapts it to {@link CommandModule}.
 */

/** Line-oriented output, injectable so that tests run commands in-process. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface CommandModule {
  /** Full help text, printed by `sav-ftth <cmd> --help`. */
  usage: string;
  /** Runs the command on its own arguments; resolves to the exit code. */
  run: (args: string[], io: CliIo) => Promise<number>;
}

export interface CommandEntry {
  name: string;
  /** One line for `sav-ftth --help`. */
  summary: string;
  load: () => Promise<CommandModule>;
}

export const commands: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check SOAP messages (XSD + protocol rules), print findings, exit 1 on errors',
    load: async () => {
      const m = await import('./validate.ts');
      return { usage: m.VALIDATE_USAGE, run: m.validateCommand };
    },
  },
  {
    name: 'schema',
    summary: 'write (or --check) the WSDL and XSD files generated from the profile',
    load: async () => {
      const m = await import('./schema.ts');
      return { usage: m.SCHEMA_USAGE, run: m.schemaCommand };
    },
  },
  {
    name: 'report',
    summary: 're-render a run.json as html, junit, md or json',
    load: async () => {
      const m = await import('./report.ts');
      return { usage: m.REPORT_USAGE, run: m.reportCommand };
    },
  },
  {
    name: 'mock',
    summary: 'run the stateful mock OI (SOAP endpoint, WSDL, control API, SQLite, HTTPS)',
    load: async () => {
      const m = await import('./mock.ts');
      return { usage: m.MOCK_USAGE, run: (args, io) => m.mockCommand(args, io) };
    },
  },
  {
    name: 'run',
    summary:
      'run the conformance scenarios (both roles, embedded, by default); exit 1 when a mandatory check fails',
    load: async () => {
      const m = await import('./run.ts');
      return { usage: m.RUN_USAGE, run: (args, io) => m.runCommand(args, io) };
    },
  },
  // run, report: one entry each, same shape.
];
