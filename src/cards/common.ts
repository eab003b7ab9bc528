/** Cards shared by every feature: help, errors, plain messages, confirmations, banners. */
import { USAGE } from '../bot/commands/grammar';
import { VERB } from '../bot/verbs';
import type { Translator } from '../i18n';
import { expand, literal, type AdaptiveCard } from './render';

/** A strip on top of a resource card: what just happened to it. */
export interface Banner {
  text: string;
  style: 'good' | 'attention' | 'warning' | 'accent' | 'emphasis';
  lines?: string[];
}

export function bannerData(banner?: Banner): { banner: string; bannerStyle: string; bannerLines: string[] } {
  return { banner: banner?.text ?? '', bannerStyle: banner?.style ?? 'default', bannerLines: banner?.lines ?? [] };
}

/**
 * "1–20 / 50" under a list that shows only its first rows (a card must stay under Teams' size limit);
 * empty when every row is shown. Digits and punctuation only, so the same in every language.
 */
export function shownOf(tr: Translator, shown: number, total: number): string {
  return shown < total ? `${tr.number(Math.min(1, shown))}–${tr.number(shown)} / ${tr.number(total)}` : '';
}

export function messageCard(text: string, title = ''): AdaptiveCard {
  return expand('message', { title, text });
}

/** The same card with a short notice on top (e.g. "already submitted" on a repeated form). */
export function withNotice(card: AdaptiveCard, text: string): AdaptiveCard {
  const body = (card as { body?: unknown[] }).body ?? [];
  return { ...card, body: [{ type: 'TextBlock', text, wrap: true, weight: 'Bolder', color: 'Accent' }, ...body] };
}

export function helpCard(tr: Translator, topic?: string, greeting?: string): AdaptiveCard {
  const matching = topic ? USAGE.filter((u) => u.name === topic || u.name.startsWith(`${topic} `)) : [];
  const shown = matching.length > 0 ? matching : USAGE;
  const intro = topic && matching.length === 0 ? tr.t('help.unknownTopic', { topic }) : `${greeting ? `${greeting} ` : ''}${tr.t('help.intro')}`;
  return expand('help', {
    title: tr.t('help.title'),
    intro,
    commands: shown.map((u) => ({
      usage: u.usage,
      description: tr.t(`help.cmd.${u.name}` as const),
      example: u.example === u.usage ? '' : `${tr.t('help.examples')}: ${u.example}`,
    })),
    more: shown.length > 1 ? tr.t('help.more') : '',
  });
}

export interface ErrorCardData {
  message: string;
  next?: string;
  requestId?: string;
  correlationId?: string;
  link?: { title: string; url: string };
}

export function errorCard(tr: Translator, e: ErrorCardData): AdaptiveCard {
  const ids = e.requestId || e.correlationId
    ? tr.t('error.ids', { requestId: e.requestId ?? '—', correlationId: e.correlationId ?? '—' })
    : '';
  return expand('error', {
    title: tr.t('error.title'),
    message: e.message,
    nextTitle: tr.t('error.whatNext'),
    next: e.next ?? '',
    ids,
    linkTitle: e.link?.title ?? '',
    linkUrl: e.link?.url ?? '',
  });
}

export interface ChangeRow {
  field: string;
  from: string;
  to: string;
}

export function confirmCard(tr: Translator, title: string, changes: ChangeRow[], consequences: string[], confirmation: unknown): AdaptiveCard {
  return expand('confirm', {
    title,
    // The values are names and nicknames as Partner Center or the user gave them: shown literally.
    changes: changes.map((c) => ({ field: c.field, from: literal(c.from), to: literal(c.to) })),
    consequences,
    confirmLabel: tr.t('common.confirm'),
    cancelLabel: tr.t('common.cancel'),
    confirmVerb: VERB.confirm,
    cancelVerb: VERB.cancel,
    // The signed confirmation travels as one opaque string, so the card's data keeps its shape.
    confirmation: JSON.stringify(confirmation),
  });
}
