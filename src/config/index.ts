/**
 * Configuration, read once.
 *
 * The only place that reads `process.env`. Every setting is validated with zod; every problem is listed in
 * one start-up error that says what to set. The result is frozen and passed down explicitly.
 *
 * Names follow the Teams / Microsoft 365 Agents Toolkit conventions (BOT_ID, AAD_APP_CLIENT_ID, ...), so the
 * toolkit's generated `.env` files work as they are.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { GUID } from '../partner-center/schemas';
import { productionProblems } from './production';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Empty strings in a .env file mean "not set". */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().min(1).optional());

const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : typeof v === 'string' ? Number(v.trim()) : v),
    z
      .number({ error: (i) => (i.input === undefined ? 'is required' : 'must be a whole number') })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );

const httpsUrl = (fallback: string) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : v),
    z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => u.replace(/\/+$/, '')),
  );

const guid = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .regex(GUID, 'must be a GUID')
    .optional(),
);

/**
 * The tenant part of the authority URL: a tenant id (GUID), a domain name of the tenant
 * (contoso.onmicrosoft.com, contoso.com), or one of Entra ID's names for a group of tenants
 * (`organizations`, `common`, `consumers`; production refuses the last two). Anything else would be pasted
 * into the authority URL as it is (`../../x?y`).
 */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const tenant = z.preprocess(
  (v) => (v === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  z
    .string()
    .refine((t) => GUID.test(t) || DOMAIN.test(t) || ['organizations', 'common', 'consumers'].includes(t.toLowerCase()), {
      error: 'must be the tenant id (a GUID), a domain name of the tenant (contoso.onmicrosoft.com) or "organizations"',
    })
    .optional(),
);

/** Environment variables, with their defaults. Keep in step with `.env.example` (a test checks it). */
export const envSchema = z.object({
  PORT: int(3978, 0, 65535),
  HOST: optionalString,
  BOT_ID: guid,
  BOT_PASSWORD: optionalString,
  BOT_TYPE: z.preprocess(
    (v) => (v === '' || v === undefined ? 'MultiTenant' : v),
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']),
  ),
  BOT_TENANT_ID: guid,
  AAD_APP_CLIENT_ID: guid,
  AAD_APP_CLIENT_SECRET: optionalString,
  AAD_APP_TENANT_ID: tenant,
  AAD_APP_OAUTH_AUTHORITY_HOST: httpsUrl('https://login.microsoftonline.com'),
  AAD_APP_ID_URI: optionalString,
  BOT_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).transform((u) => u.replace(/\/+$/, '')).optional()),
  TOKEN_CACHE_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  PARTNER_CENTER_BASE_URL: httpsUrl('https://api.partnercenter.microsoft.com'),
  PARTNER_CENTER_SCOPE: z.preprocess(
    (v) => (v === '' || v === undefined ? 'https://api.partnercenter.microsoft.com/user_impersonation' : v),
    z.string().min(1),
  ),
  PARTNER_CENTER_APPLICATION: z.preprocess(
    (v) => (v === '' || v === undefined ? 'Partner Ops' : v),
    z.string().min(1).max(100),
  ),
  PARTNER_CENTER_TIMEOUT_MS: int(30_000, 1_000, 300_000),
  PARTNER_CENTER_MAX_RETRIES: int(4, 0, 10),
  PARTNER_CENTER_CONCURRENCY: int(8, 1, 100),
  PARTNER_CENTER_POLL_WAIT_MS: int(20_000, 0, 600_000),
  PARTNER_CENTER_VERIFY_WAIT_MS: int(30_000, 0, 600_000),
  // Partner Center allows 500 requests a minute per partner tenant, shared with the partner's other tools
  // (https://learn.microsoft.com/partner-center/developer/api-throttling-guidance): bulk reads take 40% by default.
  PARTNER_CENTER_BUDGET_PER_MINUTE: int(200, 1, 500),
  PARTNER_CENTER_BUDGET_CONCURRENCY: int(4, 1, 50),
  RENEWALS_CACHE_MS: int(300_000, 0, 3_600_000),
  // The hour (UTC) `watch deadlines` digests post at, every day.
  DIGEST_HOUR_UTC: int(7, 0, 23),
  SUPPORT_TOPICS_FALLBACK: optionalString,
  AZURE_STORAGE_CONNECTION_STRING: optionalString,
  AZURE_STORAGE_CONTAINER: z.preprocess(
    (v) => (v === '' || v === undefined ? 'partner-ops' : v),
    z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a valid Azure container name'),
  ),
  NOTIFY_INTERVAL_MS: int(60_000, 1_000, 3_600_000),
  NOTIFY_LEASE_MS: int(90_000, 1_000, 3_600_000),
  // Reminders (src/notifications/reminders.ts): how long before a seat window closes, and before a term ends.
  REMINDER_WINDOW_LEAD_HOURS: int(24, 1, 24 * 6),
  REMINDER_RENEWAL_LEAD_DAYS: int(7, 1, 60),
  // 0: every watched customer is listed every cycle (no activity log). A day at most: the log keeps 90.
  NOTIFY_SWEEP_MINUTES: int(30, 0, 1_440),
  INSTANCE_ID: optionalString,
  CARD_SIGNING_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, 'must be at least 32 characters').optional()),
  DATA_DIR: z.preprocess((v) => (v === '' || v === undefined ? '.data' : v), z.string().min(1)),
  LOG_LEVEL: z.preprocess((v) => (v === '' || v === undefined ? 'info' : v), z.enum(LOG_LEVELS)),
  // What unauthenticated requests may hold (src/http/limits.ts); the byte cap fits at least one 256 KB body.
  HTTP_MAX_REQUESTS_IN_FLIGHT: int(256, 1, 100_000),
  HTTP_MAX_BYTES_IN_FLIGHT: int(16 * 1024 * 1024, 256 * 1024, 1024 * 1024 * 1024),
  HTTP_BODY_TIMEOUT_MS: int(5_000, 500, 60_000),
  // Partner Center webhooks (src/webhooks/verify.ts): where the signing certificate may be fetched from, and
  // roots trusted besides Microsoft's built-in ones (tests and sovereign clouds only).
  WEBHOOK_CERTIFICATE_HOSTS: z.preprocess(
    (v) => (v === '' || v === undefined ? '3psostorageacct.blob.core.windows.net' : v),
    z.string().regex(/^[a-z0-9.-]+(,[a-z0-9.-]+)*$/i, 'must be host names separated by commas'),
  ),
  WEBHOOK_EXTRA_ROOTS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM certificates' }).optional(),
  ),
});

export type Env = z.infer<typeof envSchema>;

/** Settings that only a real deployment sets: with any of them, the app identity becomes required. */
export const DEPLOYMENT_SETTINGS = [
  'BOT_ID',
  'BOT_PASSWORD',
  'BOT_TENANT_ID',
  'AAD_APP_CLIENT_ID',
  'AAD_APP_CLIENT_SECRET',
  'AAD_APP_TENANT_ID',
  'AAD_APP_ID_URI',
  'AAD_APP_OAUTH_AUTHORITY_HOST',
  'TOKEN_CACHE_KEY',
  'PARTNER_CENTER_BASE_URL',
  'PARTNER_CENTER_SCOPE',
] as const;

/**
 * botbuilder's own settings for Bot Framework authentication (ConfigurationBotFrameworkAuthentication),
 * read under their own names: how sovereign clouds are configured, and how tests stand up a local issuer.
 * botbuilder takes all of them literally once one is set, so the unset ones get the public-cloud values.
 */
export const BOT_FRAMEWORK_AUTH_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
});

function botFrameworkAuth(env: NodeJS.ProcessEnv, problems: string[]): Readonly<Record<string, string>> | undefined {
  const set = Object.keys(BOT_FRAMEWORK_AUTH_DEFAULTS).filter((k) => env[k]);
  if (set.length === 0) return undefined;
  const out: Record<string, string> = { ...BOT_FRAMEWORK_AUTH_DEFAULTS };
  for (const k of set) {
    const v = env[k]!.trim();
    if (k !== 'CallerId' && !/^https?:\/\//.test(v)) problems.push(`${k}: must be an http(s) URL`);
    out[k] = v;
  }
  return Object.freeze(out);
}

export interface SupportTopicSetting {
  id: string;
  name: string;
  description: string;
}

export interface Config {
  /** Where the bot listens. */
  readonly port: number;
  readonly host: string;
  /** `local` when BOT_ID is unset: unauthenticated Bot Framework traffic, loopback only. */
  readonly mode: 'local' | 'teams';
  readonly bot: Readonly<{ id?: string; password?: string; type: Env['BOT_TYPE']; tenantId?: string }>;
  readonly aad: Readonly<{
    clientId?: string;
    clientSecret?: string;
    tenantId?: string;
    authorityHost: string;
    /** The Application ID URI Teams SSO tokens are issued for (the OAuthCard's token exchange resource). */
    appIdUri: string;
    /** Secret the token cache is encrypted with; unset without an app identity. */
    tokenCacheKey?: string;
  }>;
  /** Public base URL of the bot (sign-in pages are served under it). */
  readonly publicUrl: string;
  readonly partnerCenter: Readonly<{
    baseUrl: string;
    scope: string;
    applicationName: string;
    timeoutMs: number;
    maxRetries: number;
    concurrencyPerTenant: number;
    pollWaitMs: number;
    /** How long a write whose answer was lost is read back before the user is told its outcome is unknown. */
    verifyWaitMs: number;
    /** The share of Partner Center's per-tenant limit bulk reads (renewals, windows) may use. */
    budget: Readonly<{ perMinute: number; concurrency: number }>;
    supportTopicsFallback: readonly SupportTopicSetting[];
  }>;
  /** How long a `renewals` or `windows` read across every customer answers a repeated ask, per user. */
  readonly deadlines: Readonly<{ cacheMs: number; /** The hour (0-23, UTC) the daily deadlines digests post at. */ digestHourUtc: number }>;
  readonly storage: Readonly<{ connectionString?: string; container: string; dataDir: string }>;
  /** Watches: how often Partner Center is polled (jittered), how long a shard lease lasts, who this instance is. */
  /**
   * `sweepMs`: how often every watched customer's subscriptions are listed in full (the sweep); between
   * sweeps the activity log says which to read. 0: listed every cycle, the log is not read.
   */
  readonly notifications: Readonly<{ intervalMs: number; leaseMs: number; sweepMs: number; instanceId: string }>;
  /** Reminders: how long before a seat window closes, and before a renewal, the conversation hears of it. */
  readonly reminders: Readonly<{ windowLeadMs: number; renewalLeadMs: number }>;
  /** Bot Framework authentication endpoints, when not the public cloud's (botbuilder's setting names). */
  readonly botFrameworkAuth?: Readonly<Record<string, string>>;
  /**
   * The secret the confirmation and sign-in ticket keys are derived from (one key per purpose, see
   * deriveKey in src/util/secrets.ts); the same on every instance. CARD_SIGNING_KEY, else BOT_PASSWORD,
   * else AAD_APP_CLIENT_SECRET; unset (local mode): a random key per process.
   */
  readonly cardSigningKey?: string;
  readonly logLevel: Env['LOG_LEVEL'];
  /** Caps on inbound POST bodies across the process: requests and bytes in flight, and how long a body may take. */
  readonly http: Readonly<{ maxRequestsInFlight: number; maxBytesInFlight: number; bodyTimeoutMs: number }>;
  /** Partner Center webhooks: the hosts the signing certificate may come from, and extra trusted roots (PEM). */
  readonly webhooks: Readonly<{ certificateHosts: readonly string[]; extraRoots?: string }>;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(
      `Partner Ops cannot start: ${problems.length} setting(s) need attention.\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSet them in the environment or in a .env file (see .env.example for each setting and its default).',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Support topics to offer when Partner Center's support-topics endpoint is gone (Microsoft announced its
 * retirement in Aug 2020). These ids are the ones Partner Center documents in its samples; partners can set
 * their own with SUPPORT_TOPICS_FALLBACK (JSON array of {id, name, description}).
 */
export const DEFAULT_SUPPORT_TOPICS: readonly SupportTopicSetting[] = Object.freeze([
  { id: '32444671', name: 'Cannot manage my profile', description: 'Partner profile and account settings' },
  { id: '32444672', name: 'Billing and invoices', description: 'Invoices, charges, payment and credits' },
  { id: '32444673', name: 'Subscription management', description: 'Seats, renewals, suspensions and cancellations' },
  { id: '32444674', name: 'Licensing', description: 'License assignment and product keys' },
  { id: '32444675', name: 'Microsoft 365 technical issue', description: 'Service problems in Microsoft 365' },
  { id: '32444676', name: 'Azure technical issue', description: 'Service problems in Azure' },
]);

const topicsSchema = z
  .array(z.object({ id: z.string().min(1), name: z.string().min(1), description: z.string().default('') }))
  .min(1);

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  return `${key}: ${issue.message}`;
}

export interface LoadOptions {
  /**
   * The production entry point (`node dist/src/main.js`): besides the app identity, BOT_ID is required
   * (no unauthenticated local mode), URLs must be https, and secrets keys are derived from must be long
   * enough (src/config/production.ts).
   */
  production?: boolean;
  /**
   * Production: the app identity (AAD_APP_CLIENT_ID, _SECRET, _TENANT_ID) is required even when nothing
   * else is set. Without it the configuration describes no deployment (what a local try-out starts from).
   */
  requireAppIdentity?: boolean;
}

/** Reads and validates the environment. Throws a ConfigError listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map(describeIssue);
  if (!parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  let topics: readonly SupportTopicSetting[] = DEFAULT_SUPPORT_TOPICS;
  if (e.SUPPORT_TOPICS_FALLBACK) {
    try {
      const t = topicsSchema.safeParse(JSON.parse(e.SUPPORT_TOPICS_FALLBACK));
      if (t.success) topics = t.data;
      else problems.push(`SUPPORT_TOPICS_FALLBACK: ${t.error.issues.map((i) => i.message).join('; ')}`);
    } catch {
      problems.push('SUPPORT_TOPICS_FALLBACK: must be a JSON array of {"id","name","description"}');
    }
  }

  const mode = e.BOT_ID ? 'teams' : 'local';
  if (mode === 'teams') {
    if (!e.BOT_PASSWORD && e.BOT_TYPE !== 'UserAssignedMsi') {
      problems.push('BOT_PASSWORD: required when BOT_ID is set (the Azure Bot client secret)');
    }
    if (e.BOT_TYPE !== 'MultiTenant' && !e.BOT_TENANT_ID) {
      problems.push(`BOT_TENANT_ID: required when BOT_TYPE is ${e.BOT_TYPE}`);
    }
  }
  // Any setting of a real deployment makes the app identity required: without it nobody could sign in.
  const deployment = DEPLOYMENT_SETTINGS.filter((k) => typeof env[k] === 'string' && env[k]!.trim() !== '');
  if (deployment.length > 0 || options.requireAppIdentity || options.production) {
    const why = deployment.length > 0 ? `required because ${deployment.join(', ')} ${deployment.length === 1 ? 'is' : 'are'} set` : 'required in production';
    const tryOut = deployment.length > 0 ? '' : '; to try Partner Ops locally without one, run `npm start`';
    if (!e.AAD_APP_CLIENT_ID) problems.push(`AAD_APP_CLIENT_ID: ${why} (the Entra ID app that signs users in to Partner Center)${tryOut}`);
    if (!e.AAD_APP_CLIENT_SECRET) problems.push(`AAD_APP_CLIENT_SECRET: ${why} (that app's client secret)`);
    if (!e.AAD_APP_TENANT_ID) problems.push(`AAD_APP_TENANT_ID: ${why} (the partner's Entra ID tenant)`);
  }
  if (e.NOTIFY_INTERVAL_MS * 1.2 >= e.NOTIFY_LEASE_MS) {
    // A cycle (up to 20% late with jitter) must renew the leases before they lapse, or instances steal each other's work.
    problems.push(`NOTIFY_LEASE_MS: must be more than 1.2 × NOTIFY_INTERVAL_MS (${Math.ceil(e.NOTIFY_INTERVAL_MS * 1.2)})`);
  }
  const bfAuth = botFrameworkAuth(env, problems);
  if (options.production) problems.push(...productionProblems(e, bfAuth));
  const host = e.HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0');
  if (mode === 'local' && !isLoopback(host)) {
    problems.push(`HOST: without BOT_ID the bot accepts unauthenticated traffic, so it binds only to loopback (got ${host})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return deepFreeze({
    port: e.PORT,
    host,
    mode,
    bot: { id: e.BOT_ID, password: e.BOT_PASSWORD, type: e.BOT_TYPE, tenantId: e.BOT_TENANT_ID },
    aad: {
      clientId: e.AAD_APP_CLIENT_ID,
      clientSecret: e.AAD_APP_CLIENT_SECRET,
      tenantId: e.AAD_APP_TENANT_ID,
      authorityHost: e.AAD_APP_OAUTH_AUTHORITY_HOST,
      appIdUri: e.AAD_APP_ID_URI ?? `api://botid-${e.BOT_ID ?? 'local'}`,
      tokenCacheKey: e.TOKEN_CACHE_KEY ?? (e.AAD_APP_CLIENT_SECRET ? `derived:${e.AAD_APP_CLIENT_SECRET}` : undefined),
    },
    publicUrl: e.BOT_ENDPOINT ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${e.PORT}`,
    partnerCenter: {
      baseUrl: e.PARTNER_CENTER_BASE_URL,
      scope: e.PARTNER_CENTER_SCOPE,
      applicationName: e.PARTNER_CENTER_APPLICATION,
      timeoutMs: e.PARTNER_CENTER_TIMEOUT_MS,
      maxRetries: e.PARTNER_CENTER_MAX_RETRIES,
      concurrencyPerTenant: e.PARTNER_CENTER_CONCURRENCY,
      pollWaitMs: e.PARTNER_CENTER_POLL_WAIT_MS,
      verifyWaitMs: e.PARTNER_CENTER_VERIFY_WAIT_MS,
      budget: { perMinute: e.PARTNER_CENTER_BUDGET_PER_MINUTE, concurrency: e.PARTNER_CENTER_BUDGET_CONCURRENCY },
      supportTopicsFallback: topics,
    },
    deadlines: { cacheMs: e.RENEWALS_CACHE_MS, digestHourUtc: e.DIGEST_HOUR_UTC },
    storage: {
      connectionString: e.AZURE_STORAGE_CONNECTION_STRING,
      container: e.AZURE_STORAGE_CONTAINER,
      dataDir: e.DATA_DIR,
    },
    notifications: {
      intervalMs: e.NOTIFY_INTERVAL_MS,
      leaseMs: e.NOTIFY_LEASE_MS,
      sweepMs: e.NOTIFY_SWEEP_MINUTES * 60_000,
      // App Service names its instances; elsewhere host and process make one up.
      instanceId: e.INSTANCE_ID ?? env.WEBSITE_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    },
    reminders: { windowLeadMs: e.REMINDER_WINDOW_LEAD_HOURS * 3_600_000, renewalLeadMs: e.REMINDER_RENEWAL_LEAD_DAYS * 86_400_000 },
    botFrameworkAuth: bfAuth,
    cardSigningKey: e.CARD_SIGNING_KEY ?? (e.BOT_PASSWORD ? `derived:${e.BOT_PASSWORD}` : e.AAD_APP_CLIENT_SECRET ? `derived:${e.AAD_APP_CLIENT_SECRET}` : undefined),
    logLevel: e.LOG_LEVEL,
    http: { maxRequestsInFlight: e.HTTP_MAX_REQUESTS_IN_FLIGHT, maxBytesInFlight: e.HTTP_MAX_BYTES_IN_FLIGHT, bodyTimeoutMs: e.HTTP_BODY_TIMEOUT_MS },
    webhooks: { certificateHosts: e.WEBHOOK_CERTIFICATE_HOSTS.toLowerCase().split(','), extraRoots: e.WEBHOOK_EXTRA_ROOTS },
  });
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
