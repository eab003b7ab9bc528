/**
 * The message extension, from any chat or channel's compose box (the bot need not be in it):
 *   composeExtension/query        a search command (customers, subscriptions, serviceRequests): previews
 *   composeExtension/selectItem   the chosen preview: the read-only shared card to insert
 *   composeExtension/queryLink    a pasted Partner Center portal link: its card (Adaptive Cards 1.3)
 *   composeExtension/anonymousQueryLink   no user to act as: nothing is unfurled
 * Searches run as the signed-in user, with the bot's sign-in: a user who is not signed in gets the sign-in
 * answer message extensions use (`silentAuth`: Teams tries SSO and sends the query again with
 * `authentication.token`; else `auth`, whose sign-in page ends with the query sent again with `state`).
 * Every answer is an invoke response of HTTP 200 with a `composeExtension` body; a failure is a sentence in
 * the flyout, never an error.
 */
import type { TurnContext } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { Translator } from '../../i18n';
import { SignInRequiredError, type SignInReason } from '../../identity';
import type { BotDeps } from '../../commands/contract';
import { previewOf, sharedCard, unfurlCard, type Where } from '../../features/extension/cards';
import { parsePortalLink, type PortalLink } from '../../features/extension/links';
import {
  readItem,
  SEARCH_COMMANDS,
  searchCustomers,
  searchServiceRequests,
  searchSubscriptions,
  type Found,
  type SearchAnswer,
  type SearchCommand,
} from '../../features/extension/search';
import { customerIdSchema, serviceRequestIdSchema, subscriptionIdSchema } from '../../partner-center/schemas';
import { customerName } from '../../features/subscriptions/cards';
import { deadline } from '../../util/clock';
import type { Turn } from '../turn';
import type { RouteContext } from './context';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
/** Results per answer when Teams does not say (its default page). */
const DEFAULT_COUNT = 25;
const MAX_COUNT = 50;

type ComposeExtension = Record<string, unknown>;

/** The chosen item, as the preview's tap sent it: anything else is a stale or tampered preview. */
const selectedSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('customer'), customerId: customerIdSchema }),
  z.looseObject({ kind: z.literal('subscription'), customerId: customerIdSchema, subscriptionId: subscriptionIdSchema }),
  z.looseObject({ kind: z.literal('serviceRequest'), id: serviceRequestIdSchema }),
]);

function refOf(v: z.infer<typeof selectedSchema>): PortalLink {
  if (v.kind === 'customer') return { kind: 'customer', customerId: v.customerId.toLowerCase() };
  if (v.kind === 'subscription') return { kind: 'subscription', customerId: v.customerId.toLowerCase(), subscriptionId: v.subscriptionId.toLowerCase() };
  return { kind: 'serviceRequest', id: v.id };
}

const message = (text: string): ComposeExtension => ({ type: 'message', text });
const result = (attachments: unknown[]): ComposeExtension => ({ type: 'result', attachmentLayout: 'list', attachments });

/** A sentence for the user as plain text: quotes of what they typed are cut and kept on one line. */
function quoted(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 59)}…` : one;
}

function say(tr: Translator, a: Exclude<SearchAnswer, { items: Found[] }>): string {
  switch (a.say) {
    case 'tooShort':
      return tr.t('ext.query.tooShort', { count: a.limit });
    case 'tooLong':
      return tr.t('ext.query.tooLong', { count: a.limit });
    case 'severalCustomers':
      return tr.t('ext.severalCustomers', { query: quoted(a.query), names: a.names.map(quoted).join(', ') });
    case 'noCustomer':
      return tr.t('customer.list.empty', { query: quoted(a.query) });
    case 'nothing':
      return tr.t('ext.nothing', { query: quoted(a.query) });
    case 'noSubscriptions':
      return tr.t('sub.list.empty', { customer: quoted(customerName(a.customer)) });
  }
}

export function registerMessageExtension(app: Application, r: RouteContext, deps: BotDeps): void {
  const { signIn, delivery } = r;

  const whereOf = (context: TurnContext, t: Turn): Where => ({ botId: context.activity.recipient?.id ?? '', tenantId: t.actor.tenantId });
  const sharerOf = (context: TurnContext): string | undefined => {
    const id = context.activity.from?.id;
    return id && /^29:[A-Za-z0-9_\-:.]{1,200}$/.test(id) ? id : undefined;
  };
  const answer = (context: TurnContext, composeExtension: ComposeExtension) => delivery.invokeResponse(context, 200, { composeExtension });

  /**
   * Finishes a sign-in the invoke carries (Teams' SSO token after `silentAuth`, or the sign-in page's code
   * after `auth`). False when the SSO token could not be exchanged: Teams is told (412) and shows the
   * sign-in link.
   */
  async function carriedSignIn(context: TurnContext, t: Turn): Promise<boolean> {
    const v = (context.activity.value ?? {}) as { authentication?: { token?: unknown }; state?: unknown };
    if (!signIn) return true;
    if (typeof v.authentication?.token === 'string' && v.authentication.token) {
      const outcome = await signIn.exchange(t, v.authentication.token, `compose/${context.activity.id ?? t.user.correlationId}`);
      if (outcome !== 'done' && outcome !== 'duplicate') {
        t.log.info({ reason: outcome.reason }, 'message extension: SSO token exchange refused');
        await delivery.invokeResponse(context, 412, {});
        return false;
      }
    } else if (typeof v.state === 'string' && v.state) {
      await signIn.redeemCode(t.actor, v.state.trim());
    }
    return true;
  }

  /** The answer for a user who must sign in: silently through SSO where it can, else the sign-in page. */
  function signInAnswer(t: Turn, reason: SignInReason): ComposeExtension {
    if (!signIn) return message(t.tr.t('ext.signInRequired'));
    return {
      // SSO cannot satisfy an MFA claims challenge: the page asks for it.
      type: reason === 'mfa' ? 'auth' : 'silentAuth',
      suggestedActions: { actions: [{ type: 'openUrl', value: signIn.signInUrl(t), title: t.tr.t('ext.signIn') }] },
    };
  }

  /**
   * Runs a read as the user and answers the invoke with what it makes of the result, whatever happens.
   * Teams waits a few seconds for an invoke's answer, then shows an error: when Partner Center is slower
   * than the invoke deadline, the flyout is told so at the deadline, and the read goes on in the background
   * (its results are cached: the same search a moment later is answered at once).
   */
  async function run<T>(context: TurnContext, what: string, work: (t: Turn) => Promise<T>, reply: (t: Turn, value: T) => ComposeExtension): Promise<void> {
    const t = r.turnOf(context);
    const failed = (e: unknown): ComposeExtension => {
      if (e instanceof SignInRequiredError) return signInAnswer(t, e.reason);
      t.log.warn({ err: e, work: what }, 'message extension failed');
      return message(t.tr.t('ext.failed', { correlationId: t.user.correlationId ?? '—' }));
    };
    try {
      if (!(await carriedSignIn(context, t))) return;
    } catch (e) {
      return answer(context, failed(e));
    }
    const outcome = r.work.asUser(t, () => work(t)).then(
      (done): ComposeExtension => ('signIn' in done ? signInAnswer(t, done.signIn) : reply(t, done.value)),
      failed,
    );
    const limit = deadline(r.clock, r.invokeDeadlineMs);
    const first = await Promise.race([outcome, limit.reached.then(() => undefined)]);
    limit.cancel();
    if (first) return answer(context, first);
    t.log.info({ work: what, deadlineMs: r.invokeDeadlineMs }, 'message extension: Partner Center slower than the invoke deadline');
    await answer(context, message(t.tr.t('ext.slow')));
  }

  // --- search commands ---------------------------------------------------------------------------------
  app.messageExtensions.query(/.*/, async (context, _state, query) => {
    const commandId = String((context.activity.value as { commandId?: unknown } | undefined)?.commandId ?? '');
    const params = (query.parameters ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const count = Math.min(MAX_COUNT, Math.max(1, Number.isInteger(query.count) ? query.count : DEFAULT_COUNT));
    const skip = Math.max(0, Number.isInteger(query.skip) ? query.skip : 0);
    const command = (SEARCH_COMMANDS as readonly string[]).includes(commandId) ? (commandId as SearchCommand) : undefined;
    if (!command) {
      await answer(context, message(r.turnOf(context).tr.t('parse.empty')));
      return {} as never;
    }
    // Teams names the search box's parameter after the manifest; take it by name, else the first one.
    const first = Object.values(params)[0];
    await run(
      context,
      `search ${command}`,
      (t) => {
        switch (command) {
          case 'customers':
            return searchCustomers(deps, t, text(params.query ?? first));
          case 'subscriptions':
            return searchSubscriptions(deps, t, text(params.customer ?? first));
          case 'serviceRequests':
            return searchServiceRequests(deps, t, text(params.query ?? (first === params.status ? '' : first)), params.status);
        }
      },
      (t, found) => {
        if (!('items' in found)) return message(say(t.tr, found));
        const where = whereOf(context, t);
        return result(
          found.items.slice(skip, skip + count).map((f) => ({
            contentType: ADAPTIVE,
            content: sharedCard(t.tr, f.value, f.readAt, where, sharerOf(context)),
            preview: previewOf(t.tr, f.value),
          })),
        );
      },
    );
    return {} as never; // answered above: teams-ai sends nothing more
  });

  // --- the chosen result -------------------------------------------------------------------------------
  app.messageExtensions.selectItem(async (context) => {
    const parsed = selectedSchema.safeParse(context.activity.value ?? {});
    if (!parsed.success) {
      await answer(context, message(r.turnOf(context).tr.t('ext.badItem')));
      return {} as never;
    }
    await run(
      context,
      `select ${parsed.data.kind}`,
      (t) => readItem(deps, t, refOf(parsed.data)),
      (t, f) => result([{ contentType: ADAPTIVE, content: sharedCard(t.tr, f.value, f.readAt, whereOf(context, t), sharerOf(context)), preview: previewOf(t.tr, f.value) }]),
    );
    return {} as never;
  });

  // --- link unfurling ----------------------------------------------------------------------------------
  app.messageExtensions.queryLink(async (context, _state, url) => {
    const link = parsePortalLink(url);
    if (!link) {
      // Not a page the extension knows: no card, Teams shows the link as it is.
      await answer(context, result([]));
      return {} as never;
    }
    await run(
      context,
      `unfurl ${link.kind}`,
      (t) => readItem(deps, t, link),
      (t, f) => result([{ contentType: ADAPTIVE, content: unfurlCard(t.tr, f.value, f.readAt, whereOf(context, t)), preview: previewOf(t.tr, f.value) }]),
    );
    return {} as never;
  });

  // Zero-install unfurling carries no user to read Partner Center as (the manifest does not ask for it).
  app.messageExtensions.anonymousQueryLink(async (context) => {
    await answer(context, result([]));
    return {} as never;
  });
}
