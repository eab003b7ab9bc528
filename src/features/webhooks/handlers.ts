/**
 * `webhooks`, `webhooks on`, `webhooks test`: Partner Center's webhook registration, from chat (partner
 * admins: Partner Center refuses the others, and its refusal is shown as any other).
 *
 * Partner Center keeps one URL per event per partner, so registering this bot replaces whichever tool
 * receives those events now: when another URL is registered, `webhooks on` asks first, and the question
 * says that tool will stop receiving them. Webhooks complement the notifier's polling and never replace it
 * ("a delay of up to 48 hours" before subscription-updated fires): every card says so.
 */
import { messageCard, paragraphsCard } from '../../cards/common';
import type { Translator } from '../../i18n';
import { literal } from '../../cards/render';
import { forAll, forInteractor, type BotDeps, type Outcome, type Turn } from '../../commands/contract';
import { PARTNER_CENTER_EVENTS_PATH } from '../../http/partner-center-events';
import type { ValidationStatus, WebhookRegistration } from '../../partner-center';
import { poll } from '../../util/clock';
import { confirmCard } from '../confirm/cards';

/** What this bot acts on: a watched subscription's change, and the test event `webhooks test` sends. */
export const EVENTS = ['subscription-updated', 'test-created'];

/** A confirmed `webhooks on` over another tool's URL. */
export interface WebhookRegisterRequest {
  op: 'webhooks.on';
  by: string;
  /** Who asked: the only person who may confirm or keep it, named to anyone else who tries. */
  byName?: string;
  url: string;
  /** The URL registered when the person was asked (named again when they keep it). */
  replaces: string;
}

const ourUrl = (d: BotDeps) => `${d.publicUrl().replace(/\/+$/, '')}${PARTNER_CENTER_EVENTS_PATH}`;
const list = (events: readonly string[] | null | undefined) => (events && events.length > 0 ? events.join(', ') : '—');

export async function showWebhooks(d: BotDeps, t: Turn): Promise<Outcome> {
  const [registration, offered] = await Promise.all([d.client.getWebhookRegistration(t.user), d.client.listWebhookEvents(t.user)]);
  const lines = [
    registration?.webhookUrl
      ? t.tr.t('webhooks.registered', { url: literal(registration.webhookUrl), events: list(registration.webhookEvents) })
      : t.tr.t('webhooks.none'),
  ];
  if (registration?.webhookUrl === ourUrl(d)) lines.push(t.tr.t('webhooks.ours'));
  lines.push(t.tr.t('webhooks.offered', { events: list(offered) }), t.tr.t('webhooks.complement'), t.tr.t('webhooks.next'));
  return forAll(paragraphsCard(lines, t.tr.t('webhooks.title')));
}

export async function webhooksOn(d: BotDeps, t: Turn): Promise<Outcome> {
  const url = ourUrl(d);
  const current = await d.client.getWebhookRegistration(t.user);
  const has = (r: WebhookRegistration | undefined) => EVENTS.every((e) => (r?.webhookEvents ?? []).some((x) => x.toLowerCase() === e));
  if (current?.webhookUrl === url && has(current)) {
    return forAll(paragraphsCard([t.tr.t('webhooks.already', { events: list(EVENTS) }), t.tr.t('webhooks.complement')], t.tr.t('webhooks.title')));
  }
  if (current?.webhookUrl && current.webhookUrl !== url) {
    const payload: WebhookRegisterRequest = { op: 'webhooks.on', by: t.actor.id, byName: t.actor.name, url, replaces: current.webhookUrl };
    return forAll(
      confirmCard(t.tr, {
        title: t.tr.t('webhooks.replace.title'),
        subject: [{ title: t.tr.t('webhooks.field.events'), value: list(current.webhookEvents) }],
        changes: [{ field: t.tr.t('webhooks.field.url'), from: current.webhookUrl, to: url }],
        consequences: [t.tr.t('webhooks.replace.consequence', { url: literal(current.webhookUrl), events: list(current.webhookEvents) })],
        confirmation: d.signer.sign(payload),
      }),
    );
  }
  return register(d, t, url, !!current);
}

/** Confirm on the replacement card: the one write. */
export function applyConfirmed(d: BotDeps, t: Turn, p: WebhookRegisterRequest): Promise<Outcome> {
  return register(d, t, p.url, true);
}

/** Keep as is: what stays registered. */
export function keptText(tr: Translator, p: WebhookRegisterRequest): string {
  return tr.t('webhooks.kept', { url: literal(p.replaces) });
}

async function register(d: BotDeps, t: Turn, url: string, existing: boolean): Promise<Outcome> {
  const r = await d.client.registerWebhook(t.user, url, EVENTS, existing);
  const text =
    r.outcome === 'applied'
      ? t.tr.t('webhooks.done', { url, events: list(EVENTS) })
      : t.tr.t('webhooks.unknown', { correlationId: r.correlationId });
  return forAll(paragraphsCard([text, t.tr.t('webhooks.complement')], t.tr.t('webhooks.title')));
}

/** How long `webhooks test` waits for Partner Center to say how the delivery went, before saying it is not known yet. */
const STATUS_WAIT_MS = 8_000;

export async function webhooksTest(d: BotDeps, t: Turn): Promise<Outcome> {
  const registration = await d.client.getWebhookRegistration(t.user);
  if (!registration?.webhookEvents?.some((e) => e.toLowerCase() === 'test-created')) {
    return forInteractor(messageCard(t.tr.t('webhooks.test.notRegistered'), t.tr.t('webhooks.title')));
  }
  const correlationId = await d.client.sendWebhookTestEvent(t.user);
  const lines = [t.tr.t('webhooks.test.sent', { url: literal(registration.webhookUrl ?? '—'), correlationId })];
  let status: ValidationStatus | undefined;
  // Partner Center answers the delivery status once its attempt is over: read it a few times, briefly.
  await poll(d.clock, { maxWaitMs: STATUS_WAIT_MS, intervalMs: 500, waitFirst: true }, async () => {
    status = await d.client.webhookTestEventStatus(t.user, correlationId).catch(() => status);
    return status?.status && status.status.toLowerCase() !== 'pending' ? status : undefined;
  });
  const settled = status?.status && status.status.toLowerCase() !== 'pending';
  if (!settled) lines.push(t.tr.t('webhooks.test.pending'));
  else {
    lines.push(t.tr.t('webhooks.test.status', { status: literal(status!.status!) }));
    for (const a of status!.results ?? []) {
      lines.push(t.tr.t('webhooks.test.attempt', { when: a.dateTimeUtc ?? '—', code: literal(a.responseCode || a.systemError || '—') }));
    }
  }
  return forAll(paragraphsCard(lines, t.tr.t('webhooks.title')));
}
