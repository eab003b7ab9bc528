/**
 * Every log line of a test run, in one place: the run's global set-up points PARTNER_OPS_LOG_TEE at a
 * fresh directory, every logger the suites build (src/logging/logger.ts), and every bot process they start,
 * also writes each line there at every level (one file per process), and the global teardown reads them
 * all with lineProblem: one line that is not a JSON object, or that repeats a key, fails the run.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineProblem } from './json-keys';

export const TEE_VARIABLE = 'PARTNER_OPS_LOG_TEE';

export function startTee(): string {
  const dir = mkdtempSync(join(tmpdir(), 'partner-ops-log-lines-'));
  // Like /tmp: a bot the tests start as another user (test/storage/faults.test.ts) writes its lines here too.
  chmodSync(dir, 0o1777);
  process.env[TEE_VARIABLE] = dir;
  return dir;
}

export interface TeeReport {
  files: number;
  lines: number;
  problems: string[];
}

/** Reads every line written under `dir`: how many, and each problem with its file and line number. */
export function checkTee(dir: string): TeeReport {
  const report: TeeReport = { files: 0, lines: 0, problems: [] };
  for (const name of readdirSync(dir)) {
    report.files++;
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, n) => {
      if (line === '') return;
      report.lines++;
      const problem = lineProblem(line);
      if (problem) report.problems.push(`${name}:${n + 1}: ${problem}: ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
    });
  }
  return report;
}

/** Ends the run's tee: the directory is removed when every line passed, kept (and named) when one did not. */
export function endTee(dir: string): TeeReport {
  const report = checkTee(dir);
  if (report.problems.length === 0) rmSync(dir, { recursive: true, force: true });
  return report;
}
