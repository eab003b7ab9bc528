/**
 * Structured JSON logs (pino). Secrets never reach a log line: known secret-bearing keys are redacted by
 * path, and any string that looks like a bearer token or JWT is masked by the serializer hook, wherever it
 * appears.
 */
import pino from 'pino';
import { scrubSecrets } from '../util/secrets';

export type Logger = pino.Logger;
export type LogLevel = pino.LevelWithSilent;

/** Keys whose values are always secret, at any of the first few levels of a log object. */
const SECRET_KEYS = [
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
];
const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.headers.${k}`]);


function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { type: value.name, message: scrubSecrets(value.message), ...(scrubDeep({ ...value }, depth + 1) as object) };
  }
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1);
  return out;
}

export function createLogger(options: { level: LogLevel; destination?: pino.DestinationStream; name?: string }): Logger {
  return pino(
    {
      name: options.name ?? 'partner-ops',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => scrubDeep(a)) as Parameters<typeof method>;
          return method.apply(this, scrubbed);
        },
      },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

const templates = new WeakMap<Logger, Logger>();

/**
 * `logger.child(bindings)` for bindings that are ids (strings): the same logger, the same lines, at a
 * fraction of the cost. pino runs every binding through the redaction stringifier (the wildcard paths make
 * it run for every key), about 30 µs each, which a child per turn pays on every activity; a string has
 * no nested keys to redact, so its JSON is what that stringifier produces. Any other value takes pino's path.
 */
export function childLogger(logger: Logger, bindings: Readonly<Record<string, string | undefined>>): Logger {
  let template = templates.get(logger);
  if (!template) templates.set(logger, (template = logger.child({})));
  const chindings = pino.symbols.chindingsSym;
  let data = (template as unknown as Record<symbol, string>)[chindings];
  for (const key in bindings) {
    const value = bindings[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || key === 'level' || key === 'serializers' || key === 'formatters' || key === 'customLevels') return logger.child(bindings);
    data += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  const child = Object.create(template) as Logger;
  (child as unknown as Record<symbol, string>)[chindings] = data;
  return child;
}

/** A logger that writes nowhere, for library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
