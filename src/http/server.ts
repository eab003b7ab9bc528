/**
 * The bot's HTTP surface (restify): POST /api/messages for the Bot Framework protocol, GET /healthz and
 * /readyz, and the sign-in pages.
 *
 * The front door answers before any work, with fixed texts. With an app id configured, a request without a
 * well-formed bearer token is refused (401) before its body is read. The body is read here through the
 * process's BodyGate (requests and bytes in flight capped: 503 with Retry-After past them), bounded,
 * uncompressed only (400/408/413/415); the activity's shape is checked (400); authentication failures are
 * 401 without the reason. The details go to the log under the request id the response carries in
 * `x-request-id`.
 */
import { randomUUID } from 'node:crypto';
import restify from 'restify';
import type { Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Bot } from '../teams/app';
import { PartnerOpsAdapter, TurnFailedError } from '../teams/adapter';
import { systemClock, type Clock } from '../util/clock';
import { registerSignInPages, type SignInPagesOptions } from './signin-pages';
import { registerLegalPages } from './legal-pages';
import { activitySchema, describeProblems } from './activity';
import { jsonDepth, type BodyFailure } from './body';
import { BodyGate, DEFAULT_BODY_LIMITS, refuseUnread, RETRY_AFTER_SECONDS, type BodyLimits } from './limits';
import { cachedProbe } from './readiness';
import type { Logger } from '../logging/logger';
import { registerPartnerCenterEvents, type PartnerCenterEventsOptions } from './partner-center-events';

/** Teams messages are at most ~100 KB; anything much larger is not a Teams activity. */
export const MAX_BODY_BYTES = 256 * 1024;
/** How long the request line and headers may take: a connection that sends nothing is closed after this. */
const HEADERS_TIMEOUT_MS = 10_000;
/**
 * `Bearer` and a JWT's three base64url parts, as Bot Framework sends it; a few KB at most. Anything else is
 * refused before the body is read: the token itself can only be checked against the activity it came with.
 */
const WELL_FORMED_BEARER = /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_AUTHORIZATION_CHARS = 8 * 1024;
/** Activities nest a few levels (card data, channel data); far deeper is an attack on whoever walks it. */
const MAX_JSON_DEPTH = 64;

/** Every answer the front door gives on its own: a fixed text, never an internal error message. */
export const FRONT_DOOR_ANSWERS = {
  badJson: { status: 400, code: 'BadRequest', message: 'The request body is not valid JSON.' },
  badActivity: { status: 400, code: 'BadRequest', message: 'The request is not a valid Bot Framework activity.' },
  unauthorized: { status: 401, code: 'Unauthorized', message: 'The request is not authorized.' },
  timeout: { status: 408, code: 'RequestTimeout', message: 'The request body took too long to arrive.' },
  tooLarge: { status: 413, code: 'PayloadTooLarge', message: 'The request body is too large.' },
  encoding: { status: 415, code: 'UnsupportedMediaType', message: 'Compressed request bodies are not accepted; send the body uncompressed.' },
  mediaType: { status: 415, code: 'UnsupportedMediaType', message: 'The request body must be application/json.' },
  internal: { status: 500, code: 'InternalError', message: 'The activity could not be processed.' },
  shuttingDown: { status: 503, code: 'ShuttingDown', message: 'Shutting down; try again shortly.' },
  busy: { status: 503, code: 'ServiceUnavailable', message: 'Too many requests in flight; try again shortly.' },
} as const;
type Answer = (typeof FRONT_DOOR_ANSWERS)[keyof typeof FRONT_DOOR_ANSWERS];

const BODY_FAILURES: Record<Exclude<BodyFailure, 'aborted'> | 'busy', Answer> = {
  busy: FRONT_DOOR_ANSWERS.busy,
  encoding: FRONT_DOOR_ANSWERS.encoding,
  'media-type': FRONT_DOOR_ANSWERS.mediaType,
  'too-large': FRONT_DOOR_ANSWERS.tooLarge,
  timeout: FRONT_DOOR_ANSWERS.timeout,
};

/**
 * Sent with every response. Pages that need more (the sign-in pages' script and style) set their own
 * Content-Security-Policy; everything else is data and may load, run and frame nothing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin-allow-popups',
  'cross-origin-resource-policy': 'same-origin',
});

export interface HttpServer {
  server: restify.Server;
  url: string;
  /** The caps every POST endpoint reads its body through (a webhook endpoint added later shares them). */
  gate: BodyGate;
  /** Turns being processed right now. */
  readonly inFlight: number;
  /** Stops taking work (new activities get 503, /readyz turns 503), waits for turns in flight, then closes. */
  close(maxWaitMs?: number): Promise<void>;
}

/** A fixed answer; `unread` when the body was not read to its end, so the connection is closed after it. */
function answer(res: restify.Response, requestId: string, a: Answer, extra: Record<string, string> = {}, unread = false): void {
  if (res.headersSent) return;
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': requestId, ...extra };
  const body = JSON.stringify({ error: { code: a.code, message: a.message } });
  if (unread) return refuseUnread(res, a.status, headers, body);
  res.writeHead(a.status, headers);
  res.end(body);
}

/** The answer a 503 for load carries: Bot Framework retries after it. */
const RETRY_LATER = { 'retry-after': String(RETRY_AFTER_SECONDS) };

/** A readiness probe that failed, logged once under this id; answers until the next probe carry it. */
class NotReady extends Error {
  constructor(readonly requestId: string) {
    super('not ready');
  }
}

/** The settings given, without the unset ones (which keep their defaults). */
function definedOnly<T extends object>(o: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** botbuilder's validateAndFixActivity (not exported): the timestamps as Dates, the raw strings kept. */
function fixTimestamps(a: Record<string, unknown>): Activity {
  for (const [key, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    if (typeof a[key] === 'string') {
      a[raw] = a[key];
      a[key] = new Date(a[key] as string);
    }
  }
  return a as unknown as Activity;
}

export async function startServer(o: {
  bot: Bot;
  logger: Logger;
  port: number;
  host: string;
  signInPages?: SignInPagesOptions;
  /** Resolves when the bot can serve (storage reachable); throws why not. Probed at most every few seconds. */
  ready?: () => Promise<void>;
  /** Caps on what unauthenticated requests may hold (defaults: DEFAULT_BODY_LIMITS). */
  limits?: Partial<BodyLimits>;
  /** Times the readiness probe's cache and the body timeout (408). */
  clock?: Clock;
  /** Partner Center webhooks (POST /api/partner-center/events), through the same body gate. */
  partnerCenterEvents?: PartnerCenterEventsOptions;
}): Promise<HttpServer> {
  let inFlight = 0;
  let closing = false;
  const adapter = o.bot.adapter;
  if (!(adapter instanceof PartnerOpsAdapter)) throw new Error('the bot must use PartnerOpsAdapter');
  const log = o.logger.child({ component: 'http' });
  const server = restify.createServer({ name: '', handleUncaughtExceptions: false });
  server.server.headersTimeout = HEADERS_TIMEOUT_MS;
  // One gate for every POST endpoint of the process: a second one (webhooks) shares these caps.
  const gate = new BodyGate({ ...DEFAULT_BODY_LIMITS, ...definedOnly(o.limits ?? {}) }, o.clock);
  const requireBearer = adapter.authenticates;
  // No bodyParser: it inflates gzip unguarded and runs before authentication. /api/messages reads its own.
  server.pre((_req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    return next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  // restify's own errors (404, 405, a handler that threw) carry the path or the error's text: fixed texts instead.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, cb: () => void) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) log.error({ err }, 'request failed');
    err.toJSON = () => ({ error: { code: status >= 500 ? 'InternalError' : err.name.replace(/Error$/, ''), message: status >= 500 ? 'Internal error.' : 'The request cannot be served.' } });
    return cb();
  });
  if (o.signInPages) registerSignInPages(server, o.signInPages);
  registerLegalPages(server, log);

  /**
   * The one way a POST endpoint gets its body (/api/messages now, a webhook later): refused while shutting
   * down, or when the caller's `authorized` check fails (401, body unread), or past the process's caps (503),
   * or when the body is not a bounded, uncompressed JSON body arriving in time. Answers the refusal itself
   * and resolves with undefined then.
   */
  const receive = async (req: restify.Request, res: restify.Response, requestId: string, authorized: () => boolean): Promise<Buffer | undefined> => {
    if (closing) {
      // Shutting down: Bot Framework retries elsewhere (another instance) or later.
      answer(res, requestId, FRONT_DOOR_ANSWERS.shuttingDown, { 'retry-after': '5' }, true);
      return undefined;
    }
    if (!authorized()) {
      // The scheme only when it is a known word: a header without one would put its secret in the log.
      const given = typeof req.headers.authorization === 'string' ? req.headers.authorization.split(' ')[0]! : undefined;
      const scheme = given === undefined ? 'none' : /^(Bearer|Basic|Digest|Negotiate|NTLM)$/i.test(given) ? given : 'other';
      log.warn({ requestId, refused: 'authorization', scheme }, 'request refused');
      answer(res, requestId, FRONT_DOOR_ANSWERS.unauthorized, {}, true);
      return undefined;
    }
    const admitted = gate.admit(req, res, MAX_BODY_BYTES);
    if (!admitted.ok) {
      log.warn({ requestId, refused: 'busy', cap: admitted.reason, inFlight: gate.inFlight }, 'request refused');
      answer(res, requestId, FRONT_DOOR_ANSWERS.busy, RETRY_LATER, true);
      return undefined;
    }
    const read = await admitted.ticket.read({ maxBytes: MAX_BODY_BYTES, json: true });
    if (read.ok) return read.body;
    log.warn({ requestId, refused: read.failure, contentType: req.headers['content-type'], contentEncoding: req.headers['content-encoding'], contentLength: req.headers['content-length'] }, 'request refused');
    if (read.failure === 'aborted') res.destroy();
    else answer(res, requestId, BODY_FAILURES[read.failure], read.failure === 'busy' ? RETRY_LATER : {}, true);
    return undefined;
  };

  /** With an app id configured, Bot Framework always sends a bearer token: anything else is refused unread. */
  const bearerIfRequired = (req: restify.Request) => () => {
    if (!requireBearer) return true;
    const authorization = req.headers.authorization;
    return typeof authorization === 'string' && authorization.length <= MAX_AUTHORIZATION_CHARS && WELL_FORMED_BEARER.test(authorization);
  };

  server.post('/api/messages', async (req, res) => {
    const requestId = randomUUID();
    const body = await receive(req, res, requestId, bearerIfRequired(req));
    if (!body) return;
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      log.warn({ requestId, refused: 'json', bytes: body.length }, 'request refused');
      answer(res, requestId, FRONT_DOOR_ANSWERS.badJson);
      return;
    }
    const depth = jsonDepth(json, MAX_JSON_DEPTH);
    const parsed = depth > MAX_JSON_DEPTH ? undefined : activitySchema.safeParse(json);
    if (!parsed?.success) {
      const problems = parsed ? describeProblems(parsed.error) : [`nested deeper than ${MAX_JSON_DEPTH}`];
      log.warn({ requestId, refused: 'activity', problems }, 'request refused');
      answer(res, requestId, FRONT_DOOR_ANSWERS.badActivity);
      return;
    }
    const activity = fixTimestamps(json as Record<string, unknown>);
    const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    inFlight++;
    try {
      const invoke = await adapter.handle(authorization, activity, (context) => o.bot.app.run(context).then(() => undefined));
      if (!res.headersSent) {
        const status = invoke?.status ?? 200;
        if (invoke?.body === undefined) {
          res.writeHead(status, { 'x-request-id': requestId });
          res.end();
        } else {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
          res.end(JSON.stringify(invoke.body));
        }
      }
    } catch (e) {
      if (e instanceof TurnFailedError) {
        // The turn ran and failed, and could not say so (the connector is unreachable, or the error card
        // failed too): what the turn had answered goes on the wire, why goes to the log.
        log.error(
          { requestId, err: e.cause, stage: e.stage, handlerErr: e.handlerError, conversationId: activity.conversation?.id, activityId: activity.id },
          'the reply could not be sent',
        );
        const invoke = e.invokeResponse;
        if (!res.headersSent) {
          res.writeHead(invoke?.status ?? 200, { 'x-request-id': requestId, ...(invoke?.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }) });
          res.end(invoke?.body === undefined ? undefined : JSON.stringify(invoke.body));
        }
      } else if (e instanceof AuthenticationError) {
        log.warn({ requestId, err: e, conversationId: activity.conversation?.id, activityId: activity.id }, 'request not authenticated');
        answer(res, requestId, FRONT_DOOR_ANSWERS.unauthorized);
      } else {
        log.error({ requestId, err: e, conversationId: activity.conversation?.id, activityId: activity.id }, 'failed to process an activity');
        answer(res, requestId, FRONT_DOOR_ANSWERS.internal);
      }
    } finally {
      inFlight--;
    }
  });

  if (o.partnerCenterEvents) registerPartnerCenterEvents(server, receive, o.partnerCenterEvents, o.logger);

  const readiness = o.ready
    ? cachedProbe(async () => {
        try {
          await o.ready!();
        } catch (e) {
          // Why is for operators (the log, under this id), not for whoever asks: it can name paths and hosts.
          const requestId = randomUUID();
          log.warn({ requestId, err: e }, 'not ready');
          throw new NotReady(requestId);
        }
      }, o.clock ?? systemClock)
    : undefined;
  server.get('/readyz', async (_req, res) => {
    if (closing) {
      res.send(503, { status: 'shutting down' });
      return;
    }
    const r = (await readiness?.()) ?? { ok: true };
    if (r.ok) {
      res.send(200, { status: 'ready' });
    } else {
      if (r.error instanceof NotReady) res.header('x-request-id', r.error.requestId);
      res.send(503, { status: 'not ready' });
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${address.port}`;
  return {
    server,
    url,
    gate,
    get inFlight() {
      return inFlight;
    },
    async close(maxWaitMs = 25_000) {
      closing = true;
      const deadline = Date.now() + maxWaitMs;
      // A drain, not a retry, so not on retry(): nothing is sent again; it waits for the turns in flight to
      // end, up to a deadline. On real time, not o.clock: close() must end even while a test holds the clock.
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      if (inFlight > 0) o.logger.warn({ inFlight }, 'shutting down with turns still in flight');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeIdleConnections();
      });
    },
  };
}
