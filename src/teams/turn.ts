/**
 * The turn of an activity, as the command contract describes it (src/commands/contract.ts): who is acting
 * (and their token function), in which language, in which tenant. Built once per activity.
 */
import { randomUUID } from 'node:crypto';
import { TurnContext } from 'botbuilder';
import { conversationKeyOf } from '../notifications/watches';
import type { Turn } from '../commands/contract';
import { resolveLocale, translator, type Translator } from '../i18n';
import type { Actor, TokenProvider } from '../identity';
import { childLogger, type Logger } from '../logging/logger';
import { TurnLine } from '../logging/turn-line';
import type { CallRecord } from '../partner-center/pipeline';
import { userTimeZone } from '../features/common/time-zone';

// The rest of src/teams/ takes the type from here, beside what builds it.
export type { Turn };

const TURN = Symbol('partner-ops turn');
const LINE = Symbol('partner-ops turn line');

/** The activity's log line, begun when the turn begins (the bot's first middleware), or on first use. */
export function lineOf(context: TurnContext, now: () => number = Date.now): TurnLine {
  let line = context.turnState.get(LINE) as TurnLine | undefined;
  if (!line) context.turnState.set(LINE, (line = new TurnLine(now)));
  return line;
}

/** The log of a turn that may never have been built as a Turn (an activity no route served). */
export function turnLogOf(context: TurnContext, logger: Logger): Logger {
  const built = context.turnState.get(TURN) as Turn | undefined;
  return built?.log ?? childLogger(logger, { conversationId: context.activity.conversation?.id, activityId: context.activity.id });
}

/**
 * Someone is waiting in the chat: Partner Center's Retry-After is waited out for at most this long per call,
 * then the command fails as throttled with when to try again. Teams shows a reply long after this.
 */
const THROTTLE_BUDGET_MS = 30_000;
/** Waits shorter than this go unannounced (the typing indicator covers them). */
const ANNOUNCE_WAIT_MS = 2_000;

/** Tells the user once per turn that Partner Center is throttling and when the bot tries again. */
function sayOnceWhenThrottled(context: TurnContext, tr: Translator, log: Logger): (waitMs: number) => void {
  let told = false;
  return (waitMs) => {
    if (told || waitMs < ANNOUNCE_WAIT_MS) return;
    told = true;
    context.sendActivity(tr.t('pc.throttledWaiting', { seconds: Math.ceil(waitMs / 1000) })).catch((err) => log.warn({ err }, 'could not say that Partner Center is throttling'));
  };
}

/** The turn of an activity, built once: the error sink sees the same turn (and its calls) as the handler. */
export function turnOf(context: TurnContext, tokens: TokenProvider, logger: Logger): Turn {
  const cached = context.turnState.get(TURN) as Turn | undefined;
  if (cached) return cached;
  const turn = buildTurn(context, tokens, logger);
  context.turnState.set(TURN, turn);
  return turn;
}

function buildTurn(context: TurnContext, tokens: TokenProvider, logger: Logger): Turn {
  const a = context.activity;
  // Teams sends the user's locale on the activity (and on entities[clientInfo]); the rest fall back to en-US.
  const clientInfo = a.entities?.find((e) => e.type === 'clientInfo') as { locale?: string } | undefined;
  const locale = resolveLocale(a.locale ?? clientInfo?.locale);
  const tenantId = a.conversation?.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? 'unknown-tenant';
  const actor: Actor = {
    id: a.from?.aadObjectId ?? a.from?.id ?? 'unknown-user',
    name: a.from?.name ?? 'Unknown user',
    tenantId,
  };
  const type = a.conversation?.conversationType;
  const correlationId = randomUUID();
  const log = childLogger(logger, { conversationId: a.conversation?.id, activityId: a.id, correlationId });
  const calls: CallRecord[] = [];
  const line = lineOf(context);
  const tr = translator(locale);
  const reference = TurnContext.getConversationReference(a);
  // The conversation key (a hash of the reference) is read only by work that writes or watches: made on first use.
  let conversationKey: string | undefined;
  return {
    context,
    reference,
    get conversationKey() {
      return (conversationKey ??= conversationKeyOf(reference));
    },
    activityId: a.id,
    locale,
    tr,
    timeZone: userTimeZone(a),
    actor,
    log,
    calls,
    line,
    user: {
      getToken: tokens.tokenFor(actor),
      locale,
      tenantId,
      correlationId,
      logger: log,
      onResponse: (r) => {
        calls.push(r);
        line.record(r);
      },
      throttleBudgetMs: THROTTLE_BUDGET_MS,
      onThrottled: a.type === 'message' ? sayOnceWhenThrottled(context, tr, log) : undefined,
    },
    conversationType: type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : 'personal',
  };
}
