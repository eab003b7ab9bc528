/**
 * Silences exactly the process warnings the project knows to be harmless, and nothing else.
 *
 * restify 11 (the newest that runs on Node 20) calls `process.binding('http_parser')` when it is loaded,
 * which makes Node print the deprecation warning DEP0111 ("Access to process.binding('http_parser') is
 * deprecated") twice at every start. It says nothing an operator can act on. Every other warning, and
 * every other deprecation, is still printed as Node prints it.
 *
 * Importing this module installs the filter, so it must be the first import of an entry point (src/main.ts,
 * dev/start.ts): restify is loaded by the imports that follow. `node --disable-warning=DEP0111` does the
 * same from the command line (`npm test` runs jest that way).
 */
export const SILENCED_WARNINGS: readonly string[] = Object.freeze(['DEP0111']);

const INSTALLED = Symbol.for('partner-ops.silenced-warnings');

type EmitWarning = (warning: string | Error, ...rest: unknown[]) => void;

/** The warning code of a process.emitWarning call, whichever of its signatures was used. */
export function warningCode(warning: unknown, rest: readonly unknown[]): string | undefined {
  const [typeOrOptions, code] = rest;
  if (typeOrOptions && typeof typeOrOptions === 'object' && typeof (typeOrOptions as { code?: unknown }).code === 'string') {
    return (typeOrOptions as { code: string }).code;
  }
  if (typeof code === 'string') return code;
  const errorCode = warning instanceof Error ? (warning as Error & { code?: unknown }).code : undefined;
  if (typeof errorCode === 'string') return errorCode;
  return undefined;
}

/** Installs the filter on `proc` (once). */
export function silenceKnownWarnings(proc: NodeJS.Process = process): void {
  const p = proc as NodeJS.Process & { [INSTALLED]?: true };
  if (p[INSTALLED]) return;
  p[INSTALLED] = true;
  const original = proc.emitWarning as EmitWarning;
  const filtered: EmitWarning = function (this: unknown, warning, ...rest) {
    const code = warningCode(warning, rest);
    if (code !== undefined && SILENCED_WARNINGS.includes(code)) return;
    return original.call(proc, warning, ...rest);
  };
  proc.emitWarning = filtered as NodeJS.Process['emitWarning'];
}

silenceKnownWarnings();
