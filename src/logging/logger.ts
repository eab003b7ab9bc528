/**
 * Structured JSON logs (pino). Secrets never reach a log line: known secret-bearing keys are redacted by
 * path, and any string that looks like a bearer token or JWT is masked by the serializer hook, wherever it
 * appears. Partner Center's own words (error descriptions) are cut above debug and masked at debug. A line
 * never repeats a key: a field its logger's bindings already carry is not written twice.
 */
import pino from 'pino';
import { scrubSecrets } from '../util/secrets';
import { maskText } from './mask';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

/** Keys whose values are always secret, at any depth of a log line's objects. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'clientSecret',
  'client_secret',
  'password',
  'assertion',
  'BOT_PASSWORD',
  'AAD_APP_CLIENT_SECRET',
  'connectionString',
]);
const REDACTED = '[redacted]';
/** Whether a string may hold what scrubSecrets masks (a JWT, a bearer token, a storage key): one test. */
const MAYBE_SECRET = /eyJ|bearer|accountkey=/i;

/**
 * An error carrying Partner Center's own words (its `description`, which PartnerCenterError also puts in
 * its message): they echo what it holds, customer names included. Above debug they are cut from the
 * message and the stack ("Partner Center answered 400 (600031): …") and the description is dropped; at
 * debug they are kept masked (mask.ts). Whoever logs such an error, at whatever level, the rule holds.
 */
function withoutOwnWords(err: Error, level: number): Error {
  const words = (err as { description?: unknown }).description;
  if (typeof words !== 'string' || words === '') return err;
  const instead = level > DEBUG ? '…' : maskText(words);
  const replace = (v: unknown) => (typeof v === 'string' ? v.split(words).join(instead) : v);
  for (const k of ['message', 'stack'] as const) Object.defineProperty(err, k, { value: replace(err[k]), enumerable: false, writable: true, configurable: true });
  if (level > DEBUG) delete (err as { description?: unknown }).description;
  else (err as { description?: unknown }).description = instead;
  return err;
}
const DEBUG = 20;

/**
 * A log line's value with secrets masked: a secret key's value at any depth (to 6 levels), and tokens or
 * keys inside any string. Copy-on-write: a line with nothing to mask (nearly all of them) is passed on as
 * it is, with nothing allocated. This replaces pino's path-based `redact`, which cost about 100 µs a line
 * (most of a command's CPU when logging at info) and saw only the paths listed.
 */
function censor(value: unknown, depth = 0, level = 30): unknown {
  if (typeof value === 'string') return MAYBE_SECRET.test(value) ? scrubSecrets(value) : value;
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Still an error of its class (pino's err serializer names it and keeps the stack), masked like the rest.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, censor({ ...value }, depth + 1, level));
    for (const k of ['name', 'message', 'stack'] as const) {
      if (typeof value[k] === 'string') Object.defineProperty(copy, k, { value: censor(value[k]), enumerable: false, writable: true, configurable: true });
    }
    if ('cause' in value) Object.defineProperty(copy, 'cause', { value: censor(value.cause, depth + 1, level), enumerable: false, writable: true, configurable: true });
    return withoutOwnWords(copy, level);
  }
  // A Date, URL or Buffer is written as its toJSON(): that is what is checked.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return censor((value as { toJSON(): unknown }).toJSON(), depth, level);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = censor(value[i], depth + 1, level);
      if (v !== value[i] && !out) out = value.slice(0, i);
      if (out) out.push(v);
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const before = (value as Record<string, unknown>)[k];
    const v = SECRET_KEYS.has(k) && before !== undefined ? REDACTED : censor(before, depth + 1, level);
    if (v !== before && !out) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = (value as Record<string, unknown>)[keys[j]!];
    }
    if (out) out[k] = v;
  }
  return out ?? value;
}

/** Keys pino writes on every line itself: a field of the same name would repeat them. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'msg']);
/** Per logger (a child is its own object): the fields its bindings put on each line, read when first needed. */
const boundFields = new WeakMap<object, Readonly<Record<string, unknown>>>();
/** Stands for a value pino writes itself (level, time, msg): no field's value equals it. */
const WRITTEN_BY_PINO = Symbol('written by pino');
const NOT_BOUND = Symbol('not bound');

function boundValue(logger: Logger, chindings: string, key: string): unknown {
  if (RESERVED_KEYS.has(key)) return WRITTEN_BY_PINO;
  // A cheap look first: most lines share no key with their bindings, and then nothing is parsed.
  if (!chindings.includes(`"${key}":`)) return NOT_BOUND;
  let fields = boundFields.get(logger);
  if (!fields) {
    try {
      fields = JSON.parse(`{${chindings.slice(1)}}`) as Record<string, unknown>;
    } catch {
      fields = {}; // bindings pino could not have written as JSON: nothing to compare against
    }
    boundFields.set(logger, fields);
  }
  return Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : NOT_BOUND;
}

/**
 * A line's own fields without the keys its logger's bindings (or pino itself) already write: pino would
 * write both, and most JSON readers keep only one of them. The same value is dropped; a different one is
 * kept under `shadowed`, so nothing is lost and no key repeats.
 */
function withoutBoundKeys(logger: Logger, fields: Record<string, unknown>): Record<string, unknown> {
  const chindings = (logger as unknown as Record<symbol, string | undefined>)[pino.symbols.chindingsSym] ?? '';
  let out: Record<string, unknown> | undefined;
  for (const k in fields) {
    if (fields[k] === undefined) continue;
    const bound = boundValue(logger, chindings, k);
    if (bound === NOT_BOUND) continue;
    out ??= { ...fields };
    const value = out[k];
    delete out[k];
    if (value !== bound) out.shadowed = { ...(out.shadowed as Record<string, unknown> | undefined), [k]: value };
  }
  return out ?? fields;
}

/**
 * Where every line is also written, at every level, when PARTNER_OPS_LOG_TEE names a directory (one file
 * per process): the test run sets it so that one check can read every line every suite and every child
 * process wrote (test/support/log-tee.ts). Read here, not in the configuration, because tests build
 * loggers without any configuration; production never sets it.
 */
function teeStream(): pino.DestinationStream | undefined {
  const dir = process.env.PARTNER_OPS_LOG_TEE;
  if (!dir) return undefined;
  return pino.destination({ dest: `${dir.replace(/\/+$/, '')}/${process.pid}.log`, sync: true, append: true, mkdir: true });
}
let tee: pino.DestinationStream | undefined | null = null;

export function createLogger(options: { level: LogLevel; destination?: pino.DestinationStream; name?: string }): Logger {
  if (tee === null) tee = teeStream();
  const destination = options.destination ?? pino.destination(1);
  const stream = tee
    ? pino.multistream([...(options.level === 'silent' ? [] : [{ level: options.level, stream: destination }]), { level: 'trace', stream: tee }])
    : destination;
  return pino(
    {
      name: options.name ?? 'partner-ops',
      level: tee ? 'trace' : options.level,
      hooks: {
        logMethod(args, method, level) {
          for (let i = 0; i < args.length; i++) {
            const v = censor(args[i], 0, level);
            if (v !== args[i]) args[i] = v as never;
          }
          const first = args[0] as unknown;
          if (first !== null && typeof first === 'object' && !(first instanceof Error)) args[0] = withoutBoundKeys(this, first as Record<string, unknown>) as never;
          return method.apply(this, args);
        },
      },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

const templates = new WeakMap<Logger, Logger>();

/**
 * `logger.child(bindings)` for bindings that are ids (strings): the same logger, the same lines, without
 * pino's child machinery per turn (bindings are serialised once here). Any other value takes pino's path.
 */
export function childLogger(logger: Logger, bindings: Readonly<Record<string, string | undefined>>): Logger {
  let template = templates.get(logger);
  if (!template) templates.set(logger, (template = logger.child({})));
  const chindings = pino.symbols.chindingsSym;
  const bound = (template as unknown as Record<symbol, string>)[chindings];
  let data = bound;
  for (const key in bindings) {
    const value = bindings[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || key === 'level' || key === 'serializers' || key === 'formatters' || key === 'customLevels') return logger.child(bindings);
    // A key the parent binds already is replaced, not written twice (pino's own child would repeat it).
    if (bound.includes(`${JSON.stringify(key)}:`)) return rebound(template, bound, bindings);
    data += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  const child = Object.create(template) as Logger;
  (child as unknown as Record<symbol, string>)[chindings] = data;
  return child;
}

/** A child of `template` whose bindings are its parent's with `bindings` replacing the same keys. */
function rebound(template: Logger, bound: string, bindings: Readonly<Record<string, string | undefined>>): Logger {
  const merged: Record<string, unknown> = JSON.parse(`{${bound.slice(1)}}`) as Record<string, unknown>;
  for (const key in bindings) if (bindings[key] !== undefined) merged[key] = bindings[key];
  const child = Object.create(template) as Logger;
  (child as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] = `,${JSON.stringify(merged).slice(1, -1)}`;
  return child;
}

/** A logger that writes nowhere, for library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
