/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: scenario variables are written ${…} in plain strings */
/**
 * Variables a scenario cannot have at run time (unknown namespace, config key or setting, a step id
 * not defined before, a capture not made before) are file errors found at load, before any request:
 * `file:line`, the variable and the names known, and `run` exits 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';
import { defaultIndex } from '../../src/profile/index.ts';
import { formatProblem } from '../../src/scenario/index.ts';
import { parseScenarioText } from '../../src/scenario/load.ts';

const index = defaultIndex();
const head = 'id: t.vars\ntitle: variables\nclauses: ["§7 T1"]\nroles: [oc]\nsteps:\n';
const problems = (steps: string) =>
  parseScenarioText(head + steps, 'f.yaml', index).problems.map(formatProblem);

describe('variables are checked at load', () => {
  it('refuses an unknown namespace, naming the known ones and the line', () => {
    const p = problems('  - oc: create\n  - oc: get\n    expect: { key: "${tiket.key}" }\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^f\.yaml:8:\d+: steps\[1\]\.expect: unknown variable \$\{tiket\.key\}/);
    expect(p[0]).toContain('known: ticket, steps, data, vars, config, settings');
  });

  it('refuses an unknown config key and an unknown setting', () => {
    const p = problems(
      '  - oc: create\n    set: { serviceProviderID: "${config.sirenOC}" }\n' +
        '  - oc: information\n    set: { lastUpdateVersionNumber: "${settings.initialVersion}" }\n',
    );
    expect(p).toHaveLength(2);
    expect(p[0]).toContain(
      'config has no "sirenOC" (known: ocSiren, oiSiren, otherOcSiren, login, password)',
    );
    expect(p[1]).toContain('settings has no "initialVersion"');
    expect(p[1]).toContain('initialVersionNumber');
  });

  it('refuses a step id used before (or by) its step, and a capture used before it is made', () => {
    const p = problems(
      '  - oc: create\n  - oc: get\n    expect: { key: "${steps.later.troubleTicketKey}" }\n' +
        '  - id: later\n    oc: create\n    expect: { key: "${steps.later.troubleTicketKey}" }\n' +
        '  - oc: get\n    expect: { key: "${vars.k}" }\n',
    );
    expect(p).toHaveLength(3);
    expect(p[0]).toContain('steps has no "later"');
    expect(p[1]).toContain('steps has no "later"');
    expect(p[2]).toContain('vars has no "k"');
  });

  it('refuses ticket.* and data.* before any create', () => {
    const p = problems('  - oc: create\n    set: { technicalId: "${data.technicalId}" }\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('unknown variable ${data.technicalId}');
  });

  it('accepts every name the run will have, and $${ as a literal', () => {
    const p = problems(
      '  - id: c\n    oc: create\n    capture: { k: troubleTicketKey }\n' +
        '  - oc: create\n    set: { technicalId: "${data.technicalId}" }\n' +
        '  - oc: get\n    get: { key: "${steps.c.troubleTicketKey}" }\n' +
        '    expect: { key: "${vars.k}", fields: { description: "$${x} ${config.ocSiren} ${settings.staleVersionField} ${ticket.version}" } }\n',
    );
    expect(p).toEqual([]);
  });

  it('sav-ftth run exits 2 on such a file, before any request', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sav-vars-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, `${head}  - oc: create\n  - oc: get\n    expect: { key: "\${tiket.key}" }\n`);
    const err: string[] = [];
    const code = await runCommand(
      [file, '--role', 'oc', '--no-report'],
      { out: () => {}, err: (l) => err.push(l) },
      { tty: false },
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('unknown variable ${tiket.key}');
  });
});
