/** A message: a command (or the sign-in page's code typed in the chat), answered with a card. */
import { ActivityTypes, type Activity } from 'botbuilder';
import type { Application } from '@microsoft/teams-ai';
import { messageCard } from '../../cards/common';
import { parseCommand } from '../../features';
import { parseErrorLines } from '../../commands/usage';
import { SignInRequiredError } from '../../identity';
import { errorToCard } from '../errors';
import type { RouteContext } from './context';
import { resume } from './signin';

const CARD_TYPE = /^application\/vnd\.microsoft\.(card|teams\.card)\./i;
/** Markup around what a card message says: Teams' `<attachment id=…></attachment>` placeholder, a link's `<a>`. */
const TAG = /<\/?[a-z][^<>]*>/gi;
const LINK = /^https?:\/\/\S+$/i;

/** Nothing but links (the pasted link a card unfurled) and attachment placeholders, or nothing at all. */
function onlyLinks(text: string): boolean {
  return text.replace(TAG, ' ').split(/\s+/).every((w) => w === '' || LINK.test(w));
}

/** A message carrying a card and no words of its own: a link someone pasted (unfurled) or a shared result. */
function isSentCard(a: Activity, text: string): boolean {
  // The activity is only shape-checked where it matters to routing: attachments may be anything.
  const attachments: unknown = a.attachments;
  const hasCard = Array.isArray(attachments) && attachments.some((x: unknown) => CARD_TYPE.test(String((x as { contentType?: unknown } | null)?.contentType ?? '')));
  return hasCard && a.value === undefined && onlyLinks(text);
}

export function registerMessage(app: Application, r: RouteContext): void {
  const { signIn, delivery } = r;
  app.activity(ActivityTypes.Message, async (context) => {
    const t = r.turnOf(context);
    const text = (context.activity.text ?? '').trim();
    // A card sent into the chat (an unfurled link, a message-extension result) is for the people there,
    // not a command: the bot stays quiet rather than answer "type a command".
    if (isSentCard(context.activity, text)) return;
    if (!text) {
      // An Action.Submit from an old card, or an empty message: point to help rather than stay silent.
      await delivery.reply(context, messageCard(t.tr.t('parse.empty')));
      return;
    }
    if (signIn && /^\d{6}$/.test(text)) {
      // The code the sign-in page shows, typed in the chat (where the page could not hand it to Teams).
      if (await signIn.redeemCode(t.actor, text)) {
        await context.sendActivity(t.tr.t('signin.done', { name: t.actor.name }));
        await resume(r, t, await signIn.takePending(t));
      } else {
        await context.sendActivity(t.tr.t('signin.badCode'));
      }
      return;
    }
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      await context.sendActivity(parseErrorLines(t.tr, parsed.error).join('\n\n'));
      return;
    }
    const done = await r.work.command(t, parsed.command);
    if ('signIn' in done) {
      if (!signIn) {
        await delivery.reply(context, errorToCard(t, new SignInRequiredError(done.signIn)));
        return;
      }
      await signIn.savePending(t, { kind: 'command', text });
      await context.sendActivity(signIn.oauthCard(t, done.signIn));
      return;
    }
    delivery.followUp(t, done.outcome, await delivery.reply(context, done.outcome.card));
  });
}
