/** Cards shared by every feature: help, errors, plain messages, confirmations, banners. */
import type { Translator } from '../i18n';
import { expand, type AdaptiveCard } from './render';

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
 * "1–20 of 50" under a list that shows only its first rows (a card must stay under Teams' size limit);
 * empty when every row is shown.
 */
export function shownOf(tr: Translator, shown: number, total: number): string {
  return shown < total ? tr.t('common.range', { from: Math.min(1, shown), to: shown, total }) : '';
}

const UNITS: Readonly<Record<string, 'year' | 'month' | 'week' | 'day'>> = { Y: 'year', M: 'month', W: 'week', D: 'day' };
const unitFormats = new Map<string, Intl.NumberFormat>();

/**
 * A term as people say it: an ISO 8601 duration of one unit (Partner Center's P1Y, P1M, P3Y) in words of the
 * reader's language through Intl ("1 year", "3 ans", "1 mese", "3 години"); anything else as it is.
 */
export function durationText(tr: Translator, iso: string | null | undefined): string {
  const m = /^P(\d{1,4})([YMWD])$/i.exec(iso ?? '');
  if (!m) return iso ?? '—';
  const unit = UNITS[m[2]!.toUpperCase()]!;
  const key = `${tr.locale}/${unit}`;
  let f = unitFormats.get(key);
  if (!f) unitFormats.set(key, (f = new Intl.NumberFormat(tr.locale, { style: 'unit', unit, unitDisplay: 'long' })));
  return f.format(Number(m[1]));
}

export function messageCard(text: string, title = ''): AdaptiveCard {
  return expand('message', { title, text, paragraphs: [] });
}

/**
 * A message of several paragraphs, one text block each: the spacing between blocks is the card's own, where
 * a blank line inside one block renders as no space at all in some hosts (the Playground's renderer).
 */
export function paragraphsCard(paragraphs: string[], title = ''): AdaptiveCard {
  return expand('message', { title, text: '', paragraphs });
}

/** The same card with a short notice on top (e.g. "already submitted" on a repeated form). */
export function withNotice(card: AdaptiveCard, text: string): AdaptiveCard {
  const body = (card as { body?: unknown[] }).body ?? [];
  return { ...card, body: [{ type: 'TextBlock', text, wrap: true, weight: 'Bolder', color: 'Accent' }, ...body] };
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

