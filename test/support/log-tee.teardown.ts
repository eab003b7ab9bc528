/**
 * Jest global teardown: every log line the run wrote (in-process loggers and bot processes) is read, and the
 * run fails when one is not a JSON object or repeats a key (see log-tee.ts).
 */
import { endTee, TEE_VARIABLE } from './log-tee';

export default function teardown(): void {
  const dir = process.env[TEE_VARIABLE];
  if (!dir) return;
  const report = endTee(dir);
  // One line, so a run shows what was checked (a run whose loggers wrote nothing would say 0).
  process.stderr.write(`log lines: ${report.lines} line(s) from ${report.files} process(es) checked for one JSON object and no repeated key\n`);
  if (report.problems.length > 0) {
    const shown = report.problems.slice(0, 20).join('\n');
    throw new Error(`${report.problems.length} of ${report.lines} log line(s) written by the run are not one JSON object each with no repeated key (all lines kept in ${dir}):\n${shown}`);
  }
}
