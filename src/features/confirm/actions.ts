/**
 * Confirm and Cancel on a confirmation card. Confirm acts only on a payload this bot signed, unexpired, for
 * the person who asked, and once however often it is clicked.
 */
import { z } from 'zod';
import { messageCard } from '../../cards/common';
import { literal } from '../../cards/render';
import { action, forAll, forInteractor, type BotDeps, type Outcome, type Turn } from '../../commands/contract';
import * as sr from '../service-requests/handlers';
import * as subs from '../subscriptions/handlers';
import * as webhooks from '../webhooks/handlers';
import type { Message } from '../../i18n';
import { VERB } from '../../cards/verbs';

/** What a confirmation card may ask to do, by its `op`. */
export type Confirmable = sr.CloseRequest | subs.SubscriptionUpdateRequest | webhooks.WebhookRegisterRequest;

function act(d: BotDeps, t: Turn, p: Confirmable): Promise<Outcome> {
  if (p.op === 'webhooks.on') return webhooks.applyConfirmed(d, t, p);
  return p.op === 'sr.close' ? sr.close(d, t, p) : subs.applyConfirmed(d, t, p);
}

/** The signed payload of a confirmation card, when it is one this bot signed and has not expired. */
function verified(d: BotDeps, confirmation: string): { signed: unknown; payload: Confirmable | undefined } {
  let signed: unknown;
  try {
    signed = JSON.parse(confirmation);
  } catch {
    signed = undefined;
  }
  return { signed, payload: d.signer.verify(signed) as Confirmable | undefined };
}

/** "Closing the service request…", "Changing the seats…": the step a confirmed change names while it runs. */
function progressOfConfirmation(confirmation: unknown): Message<`progress.${string}` & Message['key']> {
  let p: Partial<Confirmable> | undefined;
  try {
    p = typeof confirmation === 'string' ? (JSON.parse(confirmation) as { payload?: Partial<Confirmable> }).payload : undefined;
  } catch {
    p = undefined;
  }
  if (p?.op === 'sr.close') return { key: 'progress.srClose' };
  if (p?.op === 'webhooks.on') return { key: 'progress.webhooksOn' };
  const change = p?.op === 'sub.update' ? p.change : undefined;
  if (change?.status === 'suspended') return { key: 'progress.subSuspend' };
  if (change?.status === 'deleted') return { key: 'progress.subCancel' };
  if (change?.status === 'active') return { key: 'progress.subReactivate' };
  if (change?.quantity !== undefined) return { key: 'progress.subSeats' };
  return { key: 'progress.subUpdate' };
}

/** Keep as is: nothing is sent; the card says so, naming what stays as it was. */
function kept(d: BotDeps, t: Turn, confirmation: string): Outcome {
  const { payload: p } = verified(d, confirmation);
  const what = !p
    ? t.tr.t('common.cancelled')
    : p.op === 'webhooks.on'
      ? webhooks.keptText(t, p)
      : p.op === 'sr.close'
      ? t.tr.t('confirm.kept.sr', { id: p.id, title: literal(p.title) || '—' })
      : t.tr.t('confirm.kept.sub', { name: literal(p.subscriptionName ?? p.subscriptionId), customer: literal(p.customerName) });
  return forAll(messageCard(`${what}\n\n${t.tr.t('confirm.keptNext')}`));
}

async function confirmed(d: BotDeps, t: Turn, confirmation: string): Promise<Outcome> {
  const { signed, payload } = verified(d, confirmation);
  if (!payload) return forInteractor(messageCard(t.tr.t('error.tampered')));
  if (payload.by !== t.actor.id) return forInteractor(messageCard(t.tr.t('confirm.notYours')));
  // A double click on Confirm acts once; the second click gets the first one's card.
  let outcome: Outcome | undefined;
  const done = await d.dedupe.once(`confirm/${(signed as { sig: string }).sig}`, async () => {
    outcome = await act(d, t, payload);
    return outcome.card;
  });
  if (outcome) return outcome;
  return done.result ? forAll(done.result) : forInteractor(messageCard(t.tr.t('common.alreadyDone')));
}

export const CONFIRM_ACTIONS = [
  action({
    verb: VERB.confirm,
    // Whatever arrives is checked by its signature, so a tampered card gets "tampered", not "bad data".
    data: z.looseObject({ confirmation: z.unknown() }),
    writes: true,
    // What the card asked to confirm names the step; the signature is checked when it runs, not to say "working".
    progress: (data) => progressOfConfirmation(data.confirmation),
    run: (d, t, data) => confirmed(d, t, typeof data.confirmation === 'string' ? data.confirmation : ''),
  }),
  action({
    verb: VERB.cancel,
    data: z.unknown(),
    run: async (d, t, data) => {
      const confirmation = data && typeof data === 'object' ? (data as { confirmation?: unknown }).confirmation : undefined;
      return kept(d, t, typeof confirmation === 'string' ? confirmation : '');
    },
  }),
];
