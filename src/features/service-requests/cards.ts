/** Service request cards: one request with its notes and actions, a list page, and the create form. */
import { randomUUID } from 'node:crypto';
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import { LIMITS, type ServiceRequest, type SupportTopic } from '../../partner-center';
import { bannerData, type Banner } from '../../cards/common';
import { clip, expand, expandFitting, literal, type AdaptiveCard } from '../../cards/render';

/**
 * Notes shown on a card, newest last; older ones are counted, so the card stays well under Teams' size limit.
 * A long note is cut (its full text is in Partner Center), and fewer notes are shown if even that is too much.
 */
const MAX_NOTES = 10;
const MAX_NOTE_CHARS = 1000;

export function label(tr: Translator, prefix: 'sr.severity' | 'sr.status', value: string | null | undefined): string {
  if (!value) return '—';
  return tr.maybe(prefix, value) ?? value;
}

/** The list page a request was opened from: its card's "Back to the list" shows that page again. */
export interface SrListPlace {
  filter?: SrFilter;
  offset: number;
}

export function serviceRequestCard(tr: Translator, sr: ServiceRequest, banner?: Banner, list?: SrListPlace): AdaptiveCard {
  const noteNonce = randomUUID();
  const notes = sr.notes ?? [];
  const contact = [sr.primaryContact?.firstName, sr.primaryContact?.lastName].filter(Boolean).join(' ');
  const facts = [
    { title: tr.t('sr.field.status'), value: label(tr, 'sr.status', sr.status) },
    { title: tr.t('sr.field.severity'), value: label(tr, 'sr.severity', sr.severity) },
    { title: tr.t('sr.field.topic'), value: literal(sr.supportTopicName ?? sr.supportTopicId ?? '—') },
    ...(sr.productName ? [{ title: tr.t('sr.field.product'), value: literal(sr.productName) }] : []),
    ...(contact ? [{ title: tr.t('sr.field.contact'), value: literal(contact) }] : []),
    { title: tr.t('sr.field.created'), value: tr.dateTime(sr.createdDate) },
    { title: tr.t('sr.field.modified'), value: tr.dateTime(sr.lastModifiedDate) },
    ...(sr.status === 'closed' ? [{ title: tr.t('sr.field.closed'), value: tr.dateTime(sr.lastClosedDate) }] : []),
  ];
  const data = (shownCount: number) => ({
    id: sr.id ?? '',
    heading: tr.t('sr.title', { id: sr.id ?? '' }),
    title: literal(sr.title),
    facts,
    description: literal(clip(sr.description ?? '', LIMITS.description)),
    notesTitle: tr.t('sr.notes'),
    notesEmpty: tr.t('sr.notes.none'),
    notes: (shownCount > 0 ? notes.slice(-shownCount) : []).map((n) => ({
      by: tr.t('sr.note.by', { name: literal(n.createdByName ?? '—'), when: tr.dateTime(n.createdDate) }),
      text: literal(clip(n.text ?? '', MAX_NOTE_CHARS)),
    })),
    notesMore: notes.length > shownCount ? tr.t('sr.notes.more', { count: notes.length - shownCount }) : '',
    canAddNote: sr.status !== 'closed',
    canClose: sr.status !== 'closed',
    addNoteLabel: tr.t('sr.action.addNote'),
    noteLabel: tr.t('sr.action.addNote'),
    notePlaceholder: tr.t('sr.note.placeholder'),
    noteMaxLength: LIMITS.note,
    requiredMessage: tr.t('field.required'),
    sendLabel: tr.t('sr.action.send'),
    closeLabel: tr.t('sr.action.close'),
    refreshLabel: tr.t('common.refresh'),
    // Opened from a list: back to the same page, and Refresh keeps the way back.
    hasList: !!list,
    list: { filter: list?.filter ?? '', offset: list?.offset ?? 0 },
    // The note button carries the way back too, so the card after a note still has "Back to the list".
    noteListOffset: list ? list.offset : '',
    backLabel: tr.t('common.backToList'),
    verbs: { note: VERB.srNote, close: VERB.srClose, show: VERB.srShow, list: VERB.srList },
    // One note per card instance: a double click or a re-delivered invoke carries the same nonce.
    noteNonce,
    // Last: spread first, it would leave V8 a slow (dictionary) object for every key after it (3× the card's cost).
    ...bannerData(banner),
  });
  return expandFitting('service-request', Math.min(notes.length, MAX_NOTES), data);
}

export type SrFilter = 'open' | 'closed' | 'attention';

/**
 * "11–11 of 11": on the last page the total is where it ends; before it, Partner Center's totalCount when it
 * counts past this page (it may count only the page), else "of more than" (a true lower bound).
 */
function rangeText(tr: Translator, from: number, to: number, page: { nextOffset?: number; totalCount?: number }): string {
  if (page.nextOffset === undefined) return tr.t('common.range', { from, to, total: to });
  return page.totalCount !== undefined && page.totalCount > to ? tr.t('common.range', { from, to, total: page.totalCount }) : tr.t('common.rangeMore', { from, to });
}

export function serviceRequestListCard(
  tr: Translator,
  page: { items: ServiceRequest[]; offset: number; nextOffset?: number; pageSize: number; skipped?: number; totalCount?: number },
  filter?: SrFilter,
): AdaptiveCard {
  const from = page.offset + 1;
  const to = page.offset + page.items.length;
  return expand('service-request-list', {
    title: filter ? tr.t('sr.list.titleFiltered', { filter: tr.t(`sr.filter.${filter}`) }) : tr.t('sr.list.title'),
    range: [page.items.length > 0 ? rangeText(tr, from, to, page) : '', page.skipped ? tr.t('common.skipped', { count: page.skipped }) : ''].filter(Boolean).join(' · '),
    empty: tr.t('sr.list.empty'),
    items: page.items.map((sr) => ({
      id: sr.id ?? '',
      title: literal(sr.title ?? '—'),
      summary: [sr.id, label(tr, 'sr.status', sr.status), label(tr, 'sr.severity', sr.severity), tr.date(sr.createdDate)].join(' · '),
      verb: VERB.srShow,
      openLabel: tr.t('sr.action.open'),
      filter: filter ?? '',
      listOffset: page.offset,
    })),
    filter: filter ?? '',
    hasPrevious: page.offset > 0,
    previousOffset: Math.max(0, page.offset - page.pageSize),
    hasNext: page.nextOffset !== undefined,
    nextOffset: page.nextOffset ?? 0,
    previousLabel: tr.t('common.previous'),
    nextLabel: tr.t('common.next'),
    verbs: { list: VERB.srList },
  });
}

export interface ServiceRequestFormValues {
  title?: string;
  description?: string;
  severity?: string;
  supportTopicId?: string;
  text?: string;
}

export function serviceRequestFormCard(
  tr: Translator,
  o: {
    topics: SupportTopic[];
    topicsFromFallback: boolean;
    nonce: string;
    values?: ServiceRequestFormValues;
    errors?: Partial<Record<keyof ServiceRequestFormValues, string>>;
    formError?: string;
  },
): AdaptiveCard {
  return expand('service-request-form', {
    heading: tr.t('sr.form.title'),
    intro: tr.t('sr.form.intro'),
    formError: o.formError ?? '',
    labels: {
      title: tr.t('sr.field.title'),
      titlePlaceholder: tr.t('sr.form.titlePlaceholder'),
      description: tr.t('sr.field.description'),
      descriptionPlaceholder: tr.t('sr.form.descriptionPlaceholder'),
      severity: tr.t('sr.field.severity'),
      topic: tr.t('sr.field.topic'),
      firstNote: tr.t('sr.field.firstNote'),
      required: tr.t('field.required'),
      submit: tr.t('sr.form.submit'),
    },
    limits: { title: LIMITS.title, description: LIMITS.description, note: LIMITS.note },
    values: {
      title: o.values?.title ?? '',
      description: o.values?.description ?? '',
      severity: o.values?.severity ?? 'moderate',
      supportTopicId: o.values?.supportTopicId ?? '',
      text: o.values?.text ?? '',
    },
    errors: {
      title: o.errors?.title ?? '',
      description: o.errors?.description ?? '',
      severity: o.errors?.severity ?? '',
      supportTopicId: o.errors?.supportTopicId ?? '',
      text: o.errors?.text ?? '',
    },
    severities: (['critical', 'moderate', 'minimal'] as const).map((s) => ({ title: tr.t(`sr.severity.${s}`), value: s })),
    topics: o.topics.map((t) => ({ title: t.name, value: t.id })),
    topicsNote: o.topicsFromFallback ? tr.t('sr.form.topicsFallback') : '',
    verb: VERB.srCreate,
    nonce: o.nonce,
  });
}
