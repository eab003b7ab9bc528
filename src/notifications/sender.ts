/**
 * Proactive sends to Teams, within Teams' limits:
 * per bot per thread 7 messages/1 s, 8/2 s, 60/30 s, 1,800/hour, and about 50 requests/s per app per tenant
 * (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). A 429 is waited out for its
 * Retry-After; 502/503/504 are retried; a conversation the bot can no longer reach (403
 * BotNotInConversationRoster / ConversationBlockedByUser, 404 ConversationNotFound) is reported as gone.
 */
import { CardFactory, MessageFactory, type ConversationReference, type TurnContext } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { CloudAdapter } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render';
import type { Logger } from '../logging/logger';
import type { Clock } from '../util/clock';

export const TEAMS_THREAD_LIMITS: ReadonlyArray<{ count: number; ms: number }> = [
  { count: 7, ms: 1_000 },
  { count: 8, ms: 2_000 },
  { count: 60, ms: 30_000 },
  { count: 1_800, ms: 3_600_000 },
];

/**
 * Teams counts requests when they arrive, we when they leave: a window a little longer than one second
 * keeps network jitter from turning our 50th request into Teams' 51st (and a 429).
 */
const TENANT_WINDOW_MS = 1_100;

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

/** Sliding windows of send times: how long until one more fits. */
class Windows {
  private readonly times = new Map<string, number[]>();
  constructor(private readonly limits: ReadonlyArray<{ count: number; ms: number }>) {}

  waitFor(key: string, now: number): number {
    const t = this.times.get(key) ?? [];
    let wait = 0;
    for (const l of this.limits) {
      if (t.length >= l.count) wait = Math.max(wait, t[t.length - l.count]! + l.ms - now);
    }
    return Math.max(0, wait);
  }

  record(key: string, now: number): void {
    const t = this.times.get(key) ?? [];
    t.push(now);
    const horizon = Math.max(...this.limits.map((l) => l.ms));
    while (t.length > 0 && t[0]! < now - horizon) t.shift();
    const max = Math.max(...this.limits.map((l) => l.count));
    if (t.length > max) t.splice(0, t.length - max);
    this.times.set(key, t);
  }
}

interface Failure {
  status?: number;
  code?: string;
  retryAfterMs?: number;
}

function failureOf(e: unknown): Failure {
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
  const seconds = raw !== undefined ? Number(raw) : NaN;
  return { status, code, retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined };
}

export interface SenderOptions {
  adapter: CloudAdapter;
  botAppId: string;
  clock: Clock;
  logger: Logger;
  /** This instance's share of the per-tenant rate (50/s divided by live instances). */
  tenantRatePerSecond?: () => number;
  maxAttempts?: number;
}

export class TeamsSender {
  private readonly threads = new Windows(TEAMS_THREAD_LIMITS);
  private readonly tenants = new Map<string, number[]>();
  /** Sends are serialized per thread so the windows hold even when many are ready at once. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Counts by outcome, for the benchmark and the logs. */
  readonly stats = { sent: 0, throttled: 0, retried: 0 };

  constructor(private readonly o: SenderOptions) {}

  /** Posts a new message (a thread root in a channel); returns its activity id. */
  post(ref: Partial<ConversationReference>, card: AdaptiveCard): Promise<string> {
    return this.send(ref, ref.conversation!.id, (c, conv) => c.conversations.sendToConversation(conv, activityOf(card)).then((r) => r.id ?? ''));
  }

  /** Replies in the thread of `rootId` (a channel thread), or posts in a chat. */
  reply(ref: Partial<ConversationReference>, rootId: string, card: AdaptiveCard): Promise<string> {
    const channel = ref.conversation?.conversationType === 'channel';
    const thread = channel ? `${ref.conversation!.id};messageid=${rootId}` : ref.conversation!.id!;
    return this.send(ref, thread, (c, conv) =>
      (channel ? c.conversations.replyToActivity(conv, rootId, activityOf(card)) : c.conversations.sendToConversation(conv, activityOf(card))).then((r) => r.id ?? ''),
    );
  }

  /** Replaces a posted card in place. */
  update(ref: Partial<ConversationReference>, activityId: string, card: AdaptiveCard): Promise<string> {
    return this.send(ref, ref.conversation!.id!, (c, conv) => c.conversations.updateActivity(conv, activityId, { ...activityOf(card), id: activityId }).then(() => activityId));
  }

  private send(ref: Partial<ConversationReference>, threadKey: string, op: (c: ConnectorClient, conversationId: string) => Promise<string>): Promise<string> {
    const prev = this.queues.get(threadKey) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.attempt(ref, threadKey, op));
    this.queues.set(threadKey, next);
    void next.finally(() => {
      if (this.queues.get(threadKey) === next) this.queues.delete(threadKey);
    }).catch(() => undefined);
    return next;
  }

  private async attempt(ref: Partial<ConversationReference>, threadKey: string, op: (c: ConnectorClient, conversationId: string) => Promise<string>): Promise<string> {
    const tenant = ref.conversation?.tenantId ?? 'tenant';
    const max = this.o.maxAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      await this.o.clock.sleep(Math.max(this.threads.waitFor(threadKey, this.o.clock.now()), this.tenantWait(tenant)));
      this.threads.record(threadKey, this.o.clock.now());
      this.recordTenant(tenant);
      try {
        let id = '';
        let failure: unknown;
        await this.o.adapter.continueConversationAsync(this.o.botAppId, ref, async (ctx: TurnContext) => {
          const client = ctx.turnState.get<ConnectorClient>(ctx.adapter.ConnectorClientKey);
          // Caught here, not thrown: a throw would go to the bot's turn-error handler, which posts an error card.
          try {
            id = await op(client, ref.conversation!.id!);
          } catch (e) {
            failure = e;
          }
        });
        if (failure !== undefined) throw failure;
        this.stats.sent++;
        return id;
      } catch (e) {
        const f = failureOf(e);
        if (f.status === 404 || (f.status === 403 && /BotNotInConversationRoster|ConversationBlockedByUser/i.test(f.code ?? ''))) {
          throw new DeliveryError('gone', f.status, f.code);
        }
        const transient = f.status === 429 || f.status === 502 || f.status === 503 || f.status === 504 || f.status === undefined;
        if (!transient || attempt >= max) throw new DeliveryError('failed', f.status, f.code);
        if (f.status === 429) this.stats.throttled++;
        else this.stats.retried++;
        const backoff = f.retryAfterMs ?? Math.min(30_000, 500 * 2 ** (attempt - 1));
        this.o.logger.warn({ status: f.status, code: f.code, waitMs: backoff, attempt }, 'Teams send will be retried');
        await this.o.clock.sleep(backoff);
      }
    }
  }

  private tenantWait(tenant: string): number {
    const rate = Math.max(1, Math.floor(this.o.tenantRatePerSecond?.() ?? 50));
    const t = this.tenants.get(tenant) ?? [];
    const now = this.o.clock.now();
    while (t.length > 0 && t[0]! <= now - TENANT_WINDOW_MS) t.shift();
    this.tenants.set(tenant, t);
    return t.length >= rate ? t[t.length - rate]! + TENANT_WINDOW_MS - now : 0;
  }

  private recordTenant(tenant: string): void {
    const t = this.tenants.get(tenant) ?? [];
    t.push(this.o.clock.now());
    this.tenants.set(tenant, t);
  }
}

function activityOf(card: AdaptiveCard) {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}
