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

/** A logger that writes nowhere, for library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
