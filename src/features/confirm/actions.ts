/**
 * Confirm and Keep as is on a confirmation card. The card gets one decision, from the person who asked:
 * Confirm acts only on a payload this bot signed, unexpired, and once however often it is clicked; Keep as
 * is voids the payload, so a Confirm after it sends nothing. Anyone else is told who can decide, and the
 * card stays as it is for everyone.
 */
import { z } from 'zod';
import { messageCard } from '../../cards/common';
import { literal, type AdaptiveCard } from '../../cards/render';
import { action, forAll, forInteractor, type BotDeps, type Confirmation, type ConfirmPayload, type Outcome, type Turn } from '../../commands/contract';
import type { Message } from '../../i18n';
import { VERB } from '../../cards/verbs';

/** The confirmation a payload's `op` names, as the asking command declared it (src/features/index.ts gathers them). */
export type Confirmations = (op: string) => Confirmation | undefined;

/** A signed payload and what its `op` runs. */
type Confirmable = { payload: ConfirmPayload; runs: Confirmation };

/**
 * A confirmation card's signed payload: what it asks (when this bot signed it, for an operation it knows),
 * whether it has expired, and the signature, which names this card's one decision (Confirm or Keep as is)
 * in the dedupe record.
 */
function inspected(d: BotDeps, known: Confirmations, confirmation: string): (Confirmable & { expired: boolean; sig: string }) | undefined {
  let signed: unknown;
  try {
    signed = JSON.parse(confirmation);
  } catch {
    return undefined;
  }
  const r = d.signer.inspect(signed);
  const payload = r?.payload as ConfirmPayload | undefined;
  const runs = payload && typeof payload === 'object' ? known(payload.op) : undefined;
  return r && runs ? { payload: payload!, runs, expired: r.expired, sig: (signed as { sig: string }).sig } : undefined;
}

/**
 * The one decision a confirmation card gets, kept under the card's signature: Confirm (the result card)
 * or Keep as is. Whichever comes first wins; the other button then writes nothing and says what happened.
 * A record from before decisions were named is a bare card: a Confirm's result.
 */
type Decision = { decision: 'confirmed' | 'kept'; card: AdaptiveCard };
const decisionOf = (r: unknown): Decision | undefined =>
  !r || typeof r !== 'object' ? undefined : 'decision' in r ? (r as Decision) : { decision: 'confirmed', card: r as AdaptiveCard };

/** Only the person who asked decides; anyone else is told who can (the card stays as it is for everyone). */
function notTheAsker(t: Turn, p: ConfirmPayload): Outcome | undefined {
  if (p.by === t.actor.id) return undefined;
  return forInteractor(messageCard(p.byName ? t.tr.t('confirm.onlyAsker', { name: literal(p.byName) }) : t.tr.t('confirm.notYours')));
}

/** "Closing the service request…", "Changing the seats…": the step a confirmed change names while it runs. */
function progressOfConfirmation(known: Confirmations, confirmation: unknown): Message<`progress.${string}` & Message['key']> {
  let p: Partial<ConfirmPayload> | undefined;
  try {
    p = typeof confirmation === 'string' ? (JSON.parse(confirmation) as { payload?: Partial<ConfirmPayload> }).payload : undefined;
  } catch {
    p = undefined;
  }
  // Before the signature is checked, so only what the step is called: an unreadable card names the generic step.
  const runs = p && typeof p === 'object' && typeof p.op === 'string' ? known(p.op) : undefined;
  return runs ? runs.progress(p!) : { key: 'progress.subUpdate' };
}

/** Keep as is: nothing is sent, and the card's signed payload is void from then on (a later Confirm writes nothing). */
async function kept(d: BotDeps, known: Confirmations, t: Turn, confirmation: string): Promise<Outcome> {
  const c = inspected(d, known, confirmation);
  // Not a card this bot signed: nothing could have been sent from it anyway; only the clicker is answered.
  if (!c) return forInteractor(messageCard(t.tr.t('common.cancelled')));
  const refused = notTheAsker(t, c.payload);
  if (refused) return refused;
  const what = c.runs.kept(t.tr, c.payload);
  const card = messageCard(`${what}\n\n${t.tr.t('confirm.keptNext')}`);
  const done = await d.dedupe.once<Decision>(`confirm/${c.sig}`, async () => ({ decision: 'kept', card }));
  const decision = decisionOf(done.result);
  // Confirmed first (another click, another device): the change is made, and its card says so.
  return decision ? forAll(decision.card) : forInteractor(messageCard(t.tr.t('common.alreadyDone')));
}

async function confirmed(d: BotDeps, known: Confirmations, t: Turn, confirmation: string): Promise<Outcome> {
  const c = inspected(d, known, confirmation);
  if (!c) return forInteractor(messageCard(t.tr.t('error.tampered')));
  const refused = notTheAsker(t, c.payload);
  if (refused) return refused;
  if (c.expired) return forAll(messageCard(t.tr.t('confirm.expired')));
  // A double click on Confirm acts once; the second click gets the first one's card. After Keep as is, the
  // card's payload is void: Confirm writes nothing and says so.
  let outcome: Outcome | undefined;
  const done = await d.dedupe.once<Decision>(`confirm/${c.sig}`, async () => {
    outcome = await c.runs.run(d, t, c.payload);
    return { decision: 'confirmed', card: outcome.card };
  });
  if (outcome) return outcome;
  const decision = decisionOf(done.result);
  if (!decision) return forInteractor(messageCard(t.tr.t('common.alreadyDone')));
  return decision.decision === 'kept' ? forAll(messageCard(t.tr.t('confirm.voided'))) : forAll(decision.card);
}

/** Confirm and Keep as is, for every confirmation the commands declare. */
export const confirmActions = (known: Confirmations) => [
  action({
    verb: VERB.confirm,
    // Whatever arrives is checked by its signature, so a tampered card gets "tampered", not "bad data".
    data: z.looseObject({ confirmation: z.unknown() }),
    writes: true,
    // What the card asked to confirm names the step; the signature is checked when it runs, not to say "working".
    progress: (data) => progressOfConfirmation(known, data.confirmation),
    run: (d, t, data) => confirmed(d, known, t, typeof data.confirmation === 'string' ? data.confirmation : ''),
  }),
  action({
    verb: VERB.cancel,
    data: z.unknown(),
    run: async (d, t, data) => {
      const confirmation = data && typeof data === 'object' ? (data as { confirmation?: unknown }).confirmation : undefined;
      return kept(d, known, t, typeof confirmation === 'string' ? confirmation : '');
    },
  }),
];
