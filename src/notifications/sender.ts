/**
 * Proactive sends to Teams, within Teams' documented limits
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit):
 *
 * - per bot per thread: 7 requests/1 s, 8/2 s, 60/30 s, 1,800/3,600 s;
 * - global: "the global limit per app per tenant is 50 Requests Per Second (RPS)".
 *
 * Teams counts a request when it ARRIVES; we only know when it left and when its answer came back. So a
 * request is counted from the moment it leaves (its earliest possible arrival), and a request already sent
 * counts until its answer came back (its latest possible arrival) plus the window and a safety margin. One
 * more request may leave only when, counted that way, every window still has room: whatever the network
 * delays, no request can land in a window Teams considers full. Requests to different conversations go
 * out in parallel, as fast as the tenant window allows; each conversation's requests go one after another.
 *
 * A 429 is waited out for its Retry-After (it should not happen); 502/503/504 are retried; a conversation
 * the bot can no longer reach (403 BotNotInConversationRoster / ConversationBlockedByUser, 404
 * ConversationNotFound) is reported as gone. These are the sender's decisions alone, on its clock: the
 * connector's own retries are taken out of its clients (withoutLibraryRetries, below).
 */
import { CardFactory, MessageFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { CloudAdapter } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render';
import type { Logger } from '../logging/logger';
import type { Clock } from '../util/clock';
import { parseRetryAfter, retry, type RetrySchedule } from '../util/retry';

export interface RateLimit {
  count: number;
  ms: number;
}

/** Per bot per thread (a chat, or a channel with all its threads: the conversation in the request's URL). */
export const TEAMS_THREAD_LIMITS: ReadonlyArray<RateLimit> = [
  { count: 7, ms: 1_000 },
  { count: 8, ms: 2_000 },
  { count: 60, ms: 30_000 },
  { count: 1_800, ms: 3_600_000 },
];

/** Per app per tenant, every instance of the bot together. */
export const TEAMS_TENANT_LIMITS: ReadonlyArray<RateLimit> = [{ count: 50, ms: 1_000 }];

/**
 * Added to every window: covers clock granularity and Teams' own measuring. The network's delays need no
 * margin of their own: they are already counted (a request counts from when it left until its answer).
 */
export function safetyMarginMs(windowMs: number): number {
  return Math.max(25, Math.ceil(windowMs / 100));
}

/**
 * Teams sends on the one retry helper (src/util/retry.ts), with their own data: a 429 (it should not happen)
 * is waited out for its Retry-After; 502/503/504 and a failure with no status (the connection) are tried
 * again, six tries in all, waits doubling from 500 ms up to 30 s, no jitter (each thread's sends are
 * already one after another).
 */
const SEND_RETRIES: RetrySchedule = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, jitter: 'none' };
const SEND_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** How long a connector client is reused before a new one is made. */
const CLIENT_REUSE_MS = 10 * 60_000;

export class DeliveryError extends Error {
  constructor(
    readonly kind: 'gone' | 'failed',
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(`Teams refused the message (${status ?? 'no status'}${code ? ` ${code}` : ''})`);
    this.name = 'DeliveryError';
  }
}

/** A request as the windows see it: left at `start`, answered at `end` (undefined while in flight). */
interface Slot {
  start: number;
  end?: number;
  answered: Promise<void>;
  answer(at: number): void;
}

/**
 * Sliding windows counted at arrival, per key (a thread, a tenant). A past request may have arrived as late
 * as its answer; the next one may arrive as early as it leaves.
 */
export class ArrivalWindows {
  private readonly slots = new Map<string, Slot[]>();
  private readonly horizon: number;
  private opened = 0;

  constructor(private readonly limits: ReadonlyArray<RateLimit>) {
    this.horizon = Math.max(...limits.map((l) => l.ms + safetyMarginMs(l.ms)));
  }

  /** 0 when one more request may leave now; else ms to wait, or the answer of a request in flight to wait for. */
  waitFor(key: string, now: number): number | Promise<void> {
    const slots = this.slots.get(key);
    if (!slots) return 0;
    while (slots.length > 0 && slots[0]!.end !== undefined && slots[0]!.end < now - this.horizon) slots.shift();
    if (slots.length === 0) {
      this.slots.delete(key);
      return 0;
    }
    let wait = 0;
    for (const l of this.limits) {
      if (slots.length < l.count) continue;
      const from = now - l.ms - safetyMarginMs(l.ms);
      // The requests that may still be in this window when the next one arrives (in flight, or answered after `from`).
      const inWindow = slots.filter((s) => s.end === undefined || s.end > from);
      if (inWindow.length < l.count) continue;
      const inFlight = inWindow.filter((s) => s.end === undefined);
      // Room appears when enough of them leave the window: the count-th latest answer, plus the window.
      if (inFlight.length >= l.count) return inFlight[0]!.answered;
      const ends = inWindow.filter((s) => s.end !== undefined).map((s) => s.end!).sort((a, b) => b - a);
      wait = Math.max(wait, ends[l.count - inFlight.length - 1]! + l.ms + safetyMarginMs(l.ms) - now + 1);
    }
    return wait;
  }

  /** Counts a request leaving now; call `answer` when its answer (or failure) comes back. */
  open(key: string, now: number): Slot {
    let answer!: (at: number) => void;
    const slot: Slot = { start: now, answered: new Promise<void>((r) => (answer = (at) => ((slot.end ??= at), r()))), answer: (at) => answer(at) };
    const slots = this.slots.get(key) ?? [];
    slots.push(slot);
    this.slots.set(key, slots);
    // Now and then, forget the keys not used for longer than the longest window.
    if (++this.opened % 1_000 === 0) for (const k of [...this.slots.keys()]) if (k !== key) this.waitFor(k, now);
    return slot;
  }
}

interface Failure {
  status?: number;
  code?: string;
  retryAfterMs?: number;
}

function failureOf(e: unknown, now: number): Failure {
  const err = e as { statusCode?: number; status?: number; code?: string; body?: unknown; response?: { status?: number; headers?: { get?(n: string): string | undefined } | Record<string, string>; bodyAsText?: string } };
  const status = err.statusCode ?? err.status ?? err.response?.status;
  let code = typeof err.code === 'string' && !/^(ECONN|ETIMEDOUT|REQUEST_SEND_ERROR)/.test(err.code) ? err.code : undefined;
  try {
    const body = (typeof err.body === 'object' ? err.body : JSON.parse(err.response?.bodyAsText ?? '{}')) as { error?: { code?: string } };
    code = body?.error?.code ?? code;
  } catch {
    /* no body */
  }
  const headers = err.response?.headers;
  const raw = headers && typeof (headers as { get?: unknown }).get === 'function' ? (headers as { get(n: string): string | undefined }).get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after'];
  return { status, code, retryAfterMs: parseRetryAfter(raw, now) };
}

export interface SenderOptions {
  adapter: CloudAdapter;
  botAppId: string;
  clock: Clock;
  logger: Logger;
  /** Teams' limits (default: the documented ones above). */
  threadLimits?: ReadonlyArray<RateLimit>;
  tenantLimits?: ReadonlyArray<RateLimit>;
  maxAttempts?: number;
}

export class TeamsSender {
  private readonly threads: ArrivalWindows;
  private readonly tenants: ArrivalWindows;
  /**
   * One connector client per service URL, made once by a proactive turn and reused (it gets its tokens
   * itself, per request): a send is then one HTTP request, not a turn, so a burst leaves at once.
   */
  private readonly clients = new Map<string, { client: Promise<ConnectorClient>; at: number }>();
  /** Sends are serialized per thread, so a thread's messages keep their order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Requests between their first attempt and their outcome (on the wire, waiting for a window, backing off). */
  private active = 0;
  /** Of those, the ones asleep (waiting for a window to open, or backing off), with when they wake. */
  private readonly naps = new Map<object, number>();

  constructor(private readonly o: SenderOptions) {
    this.threads = new ArrivalWindows(o.threadLimits ?? TEAMS_THREAD_LIMITS);
    this.tenants = new ArrivalWindows(o.tenantLimits ?? TEAMS_TENANT_LIMITS);
  }

  /** Posts a new message (a thread root in a channel); returns its activity id. */
  post(ref: Partial<ConversationReference>, card: AdaptiveCard): Promise<string> {
    return this.send(ref, (c, conv) => c.conversations.sendToConversation(conv, activityOf(card)).then((r) => r.id ?? ''));
  }

  /** Replies in the thread of `rootId` (a channel thread), or posts in a chat. */
  reply(ref: Partial<ConversationReference>, rootId: string, card: AdaptiveCard): Promise<string> {
    const channel = ref.conversation?.conversationType === 'channel';
    return this.send(ref, (c, conv) =>
      (channel ? c.conversations.replyToActivity(conv, rootId, activityOf(card)) : c.conversations.sendToConversation(conv, activityOf(card))).then((r) => r.id ?? ''),
    );
  }

  /** Replaces a posted card in place. */
  update(ref: Partial<ConversationReference>, activityId: string, card: AdaptiveCard): Promise<string> {
    return this.send(ref, (c, conv) => c.conversations.updateActivity(conv, activityId, { ...activityOf(card), id: activityId }).then(() => activityId));
  }

  /**
   * How long, from now, before this sender can next put a request on the wire: 0 while a request is on the
   * wire or can leave now, Infinity when nothing is waiting. The notifier writes its bookkeeping in these
   * gaps, so that answers are read (and the windows reopen) as soon as they come back.
   */
  quietFor(): number {
    if (this.active > this.naps.size) return 0;
    if (this.naps.size === 0) return Infinity;
    let wake = Infinity;
    for (const t of this.naps.values()) wake = Math.min(wake, t);
    return Math.max(0, wake - this.o.clock.now());
  }

  private async nap(ms: number): Promise<void> {
    const token = {};
    this.naps.set(token, this.o.clock.now() + ms);
    try {
      await this.o.clock.sleep(ms);
    } finally {
      this.naps.delete(token);
    }
  }

  /**
   * Every request is counted against the conversation in its URL (a channel's replies included: the
   * strictest reading of "thread") and against the conversation's tenant.
   */
  private send(ref: Partial<ConversationReference>, op: (c: ConnectorClient, conversationId: string) => Promise<string>): Promise<string> {
    const threadKey = ref.conversation!.id!;
    const prev = this.queues.get(threadKey) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.attempt(ref, threadKey, op));
    this.queues.set(threadKey, next);
    void next.finally(() => {
      if (this.queues.get(threadKey) === next) this.queues.delete(threadKey);
    }).catch(() => undefined);
    return next;
  }

  /** Waits until the thread's and the tenant's windows both have room at arrival, and counts the request in both. */
  private async slot(threadKey: string, tenant: string): Promise<(at: number) => void> {
    for (;;) {
      const now = this.o.clock.now();
      const a = this.threads.waitFor(threadKey, now);
      const b = this.tenants.waitFor(tenant, now);
      if (a === 0 && b === 0) {
        const t = this.threads.open(threadKey, now);
        const g = this.tenants.open(tenant, now);
        return (at) => {
          t.answer(at);
          g.answer(at);
        };
      }
      if (typeof a !== 'number') await a;
      else if (typeof b !== 'number') await b;
      else await this.nap(Math.max(a, b));
    }
  }

  private clientFor(ref: Partial<ConversationReference>): Promise<ConnectorClient> {
    const key = ref.serviceUrl ?? '';
    const now = this.o.clock.now();
    const cached = this.clients.get(key);
    if (cached && now - cached.at < CLIENT_REUSE_MS) return cached.client;
    const client = new Promise<ConnectorClient>((resolve, reject) => {
      this.o.adapter
        .continueConversationAsync(this.o.botAppId, ref, async (ctx: TurnContext) => resolve(withoutLibraryRetries(ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey), this.o.logger)))
        .catch(reject);
    });
    this.clients.set(key, { client, at: now });
    client.catch(() => this.clients.get(key)?.client === client && this.clients.delete(key));
    return client;
  }

  private async attempt(ref: Partial<ConversationReference>, threadKey: string, op: (c: ConnectorClient, conversationId: string) => Promise<string>): Promise<string> {
    this.active++;
    try {
      return await this.attempts(ref, threadKey, op);
    } finally {
      this.active--;
    }
  }

  private async attempts(ref: Partial<ConversationReference>, threadKey: string, op: (c: ConnectorClient, conversationId: string) => Promise<string>): Promise<string> {
    const tenant = ref.conversation?.tenantId ?? 'tenant';
    const schedule = { ...SEND_RETRIES, maxAttempts: this.o.maxAttempts ?? SEND_RETRIES.maxAttempts };
    try {
      return await retry(
        { schedule, sleep: (ms) => this.nap(ms) },
        async () => {
          const client = await this.clientFor(ref);
          const answered = await this.slot(threadKey, tenant);
          try {
            return await op(client, ref.conversation!.id!);
          } finally {
            answered(this.o.clock.now());
          }
        },
        (outcome, n, backoff) => {
          if (!('error' in outcome)) return undefined;
          const f = failureOf(outcome.error, this.o.clock.now());
          if (isGone(f) || !(f.status === undefined || SEND_RETRY_STATUSES.has(f.status))) return undefined;
          const afterMs = f.retryAfterMs ?? backoff;
          this.o.logger.warn({ status: f.status, code: f.code, waitMs: afterMs, attempt: n + 1 }, 'Teams send will be retried');
          return { afterMs };
        },
      );
    } catch (e) {
      const f = failureOf(e, this.o.clock.now());
      throw new DeliveryError(isGone(f) ? 'gone' : 'failed', f.status, f.code);
    }
  }
}

/**
 * botframework-connector's ConnectorClient is a botbuilder-stdlib ServiceClientContext whose private `client`
 * is an @azure/core-client ServiceClient, built without retry options; its pipeline therefore holds
 * @typespec/ts-http-runtime's `defaultRetryPolicy`: up to 3 more tries of a 429 or 503 carrying Retry-After
 * (throttlingRetryStrategy), of any other 5xx but 501/505, a 408 or a dropped connection
 * (exponentialRetryStrategy, 1 s doubling up to 64 s), each wait a setTimeout. Left there, one send of the
 * sender could put up to 4 requests on the wire where its windows count one, and wait on real timers where
 * the sender waits on its clock. The sender's clients are each made by a proactive turn of their own and used
 * by nothing else, so removing the policy from their pipeline changes no other request (replies within a
 * turn keep it). Should a botbuilder version move that field, the policy stays and this says so once.
 */
let warnedRetries = false;
function withoutLibraryRetries(c: ConnectorClient, logger: Logger): ConnectorClient {
  const pipeline = (c as unknown as { client?: { pipeline?: { removePolicy?(o: { name: string }): unknown[] } } }).client?.pipeline;
  const removed = pipeline?.removePolicy?.({ name: 'defaultRetryPolicy' }) ?? [];
  if (removed.length === 0 && !warnedRetries) {
    warnedRetries = true;
    logger.warn('the Teams connector client keeps its own retries (its pipeline was not found): Teams sends may be retried outside the sender');
  }
  return c;
}

/** A conversation the bot can no longer reach: no point trying again. */
function isGone(f: Failure): boolean {
  return f.status === 404 || (f.status === 403 && /BotNotInConversationRoster|ConversationBlockedByUser/i.test(f.code ?? ''));
}

function activityOf(card: AdaptiveCard) {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}
