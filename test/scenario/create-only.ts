/** `sav-ftth run` of a single create, in role oc, against an OI at a URL: what a test of its answers needs. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { CheckResult, RunResult } from '../../src/scenario/result.ts';
import { cli } from '../cli.ts';

/** A scenario of a single create: its verdict is the create's (no later step errors out). */
const CREATE_ONLY = `id: hostile.create-only
title: Création seule
tags: [hostile]
clauses: ["§7 T1"]
roles: [oc]
steps:
  - id: create
    oc: create
`;

/** Runs it against `target` with the harness's demo identities; reports go to a new temporary folder. */
export async function runCreateOnly(target: string, label: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `sav-ftth-${label}-`));
  const scenario = path.join(dir, 'create-only.yaml');
  writeFileSync(scenario, CREATE_ONLY);
  const result = await cli([
    'run',
    scenario,
    '--role',
    'oc',
    '--target',
    target,
    '--login',
    'oc1',
    '--password',
    'pw1',
    '--oc-siren',
    '380129866',
    '--oi-siren',
    '343059564',
    '--push-timeout',
    '200',
    '--report-dir',
    dir,
  ]);
  const [runDir] = readdirSync(dir).filter((d) => /^\d{4}-/.test(d));
  const reports = path.join(dir, runDir ?? 'none');
  const json = (): RunResult => JSON.parse(readFileSync(path.join(reports, 'run.json'), 'utf8'));
  const checks = (): CheckResult[] => json().scenarios.flatMap((s) => s.steps.flatMap((st) => st.checks));
  return { result, reports, json, checks };
}

/**
 * An "OI" on a free port for the tests of one file or describe block, answering every request,
 * once its body is read, with `answer`; `url()` is its endpoint once started.
 */
export function targetOi(answer: (res: http.ServerResponse) => void): { url: () => string } {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: () => url };
}
