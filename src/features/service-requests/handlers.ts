/** `sr …` commands and service-request card actions. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { messageCard, withNotice, type Banner } from '../../cards/common';
import { confirmCard } from '../confirm/cards';
import { label, serviceRequestCard, serviceRequestFormCard, serviceRequestListCard, type SrFilter, type SrListPlace } from './cards';
import type { ServiceRequest, WriteResult } from '../../partner-center';
import { createServiceRequestInputSchema, noteInputSchema } from '../../partner-center/schemas';
import { echoValues, validateForm } from '../common/forms';
import { forAll, forInteractor, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { srSnapshot } from '../../notifications/observations';
import { reportWrite, type WriteReport } from '../common/written';
import { forServiceRequest } from '../common/not-found';

export const SR_PAGE_SIZE = 10;
const FORM_FIELDS = ['title', 'description', 'severity', 'supportTopicId', 'text'] as const;

/** One request; opened from a list, its card leads back to that list page. */
export async function showServiceRequest(d: BotDeps, t: Turn, id: string, list?: SrListPlace): Promise<Outcome> {
  return forServiceRequest(t, id, async () => forAll(serviceRequestCard(t.tr, await d.client.getServiceRequest(t.user, id), undefined, list)));
}

const STATUS_OF: Record<SrFilter, 'open' | 'closed' | 'attention_needed'> = {
  open: 'open',
  closed: 'closed',
  attention: 'attention_needed',
};

export async function listServiceRequests(d: BotDeps, t: Turn, filter?: SrFilter, offset = 0): Promise<Outcome> {
  const page = await d.client.listServiceRequests(t.user, { status: filter ? STATUS_OF[filter] : undefined, offset, size: SR_PAGE_SIZE });
  return forAll(serviceRequestListCard(t.tr, { items: page.items, offset, nextOffset: page.nextOffset, pageSize: SR_PAGE_SIZE, skipped: page.skipped, totalCount: page.totalCount }, filter));
}

export async function newServiceRequestForm(
  d: BotDeps,
  t: Turn,
  state: { nonce?: string; values?: Record<string, string>; errors?: Record<string, string> } = {},
): Promise<Outcome> {
  const topics = await d.client.listSupportTopics(t.user);
  const { _form: formError, ...errors } = state.errors ?? {};
  return forInteractor(
    serviceRequestFormCard(t.tr, {
      topics: topics.topics,
      topicsFromFallback: topics.source === 'fallback',
      nonce: state.nonce ?? randomUUID(),
      values: state.values,
      errors,
      formError: formError ?? (state.errors ? t.tr.t('common.fixFields') : undefined),
    }),
  );
}

const srFormSchema = z.object({ nonce: z.uuid() });

/** A service request's card after a write, or a plain message when Partner Center could not be read back. */
function writtenCard(t: Turn, sr: ServiceRequest | undefined, banner: Banner, list?: SrListPlace): Outcome {
  if (sr) return forAll(serviceRequestCard(t.tr, sr, banner, list));
  return forAll(messageCard([banner.text, ...(banner.lines ?? []), t.tr.t('write.unread')].join('\n\n')));
}

/** Turns a write's result into the card that says what happened, and records it. */
async function afterWrite(d: BotDeps, t: Turn, r: WriteResult<ServiceRequest>, w: Omit<WriteReport, 'outcome' | 'requestId' | 'confirmedByRead'>, list?: SrListPlace): Promise<Outcome> {
  const now = r.outcome === 'applied' ? r.resource : undefined;
  const snap = now?.id ? srSnapshot(now) : undefined;
  const watched = now?.id && snap ? { itemId: now.id, after: { status: snap.status, count: snap.count } } : undefined;
  const banner = await reportWrite(d, t, { ...w, outcome: r.outcome, requestId: r.requestId, confirmedByRead: r.outcome === 'applied' && r.confirmedByRead, watched });
  return writtenCard(t, r.outcome === 'applied' ? r.resource : r.current, banner, list);
}

/**
 * `sr.create`: validate, then create once per form (the form's nonce, per user), however often it is
 * submitted or re-delivered.
 */
export async function createServiceRequest(d: BotDeps, t: Turn, data: Record<string, unknown>): Promise<Outcome> {
  const nonce = srFormSchema.safeParse(data);
  const values = echoValues(data, FORM_FIELDS);
  const text = typeof data.text === 'string' && data.text.trim() ? [data.text] : undefined;
  const input = {
    title: data.title,
    description: data.description,
    severity: data.severity,
    supportTopicId: data.supportTopicId,
    ...(text ? { notes: text } : {}),
  };
  const v = validateForm(t.tr, createServiceRequestInputSchema, input, { notes: 'text' });
  if (!nonce.success || !v.ok) {
    const errors = v.ok ? { _form: t.tr.t('error.badSubmission') } : v.errors;
    return newServiceRequestForm(d, t, { nonce: nonce.success ? nonce.data.nonce : undefined, values, errors });
  }
  // The card that says what happened is the dedupe record's result: a duplicate shows it too.
  const { duplicate, result } = await d.dedupe.once(`sr.create/${t.actor.id}/${nonce.data.nonce}`, async () => {
    const r = await d.client.createServiceRequest(t.user, v.value, t.locale);
    const sr = r.outcome === 'applied' ? r.resource : undefined;
    return (
      await afterWrite(d, t, r, {
        done: { key: 'sr.created', params: { id: sr?.id ?? '' } },
        createdKey: 'common.createdBy',
        rows: [{ field: t.tr.t('sr.field.title'), from: '—', to: v.value.title }],
        audit: { action: 'sr.create', target: sr?.id ?? v.value.title, item: { kind: 'sr', id: sr?.id ?? '—', title: v.value.title } },
      })
    ).card;
  });
  if (!result) return forInteractor(messageCard(t.tr.t('common.alreadyDone')));
  return forAll(duplicate ? withNotice(result, t.tr.t('common.alreadyDone')) : result);
}

const noteFormSchema = z.object({ nonce: z.uuid() });

/**
 * A note, from the command or the card. From the card it is added once per card instance (its nonce), so a
 * double click or a re-delivered invoke never adds it twice.
 */
/** `list`: the list the card was opened from, so the card after the note still leads back to it. */
export function addNote(d: BotDeps, t: Turn, id: string, text: unknown, form?: Record<string, unknown>, list?: SrListPlace): Promise<Outcome> {
  return forServiceRequest(t, id, () => noteOnce(d, t, id, text, form, list));
}

async function noteOnce(d: BotDeps, t: Turn, id: string, text: unknown, form?: Record<string, unknown>, list?: SrListPlace): Promise<Outcome> {
  const v = validateForm(t.tr, noteInputSchema, text);
  if (!v.ok) {
    const sr = await d.client.getServiceRequest(t.user, id);
    return forInteractor(serviceRequestCard(t.tr, sr, { text: Object.values(v.errors)[0]!, style: 'attention' }, list));
  }
  const write = async () => {
    const r = await d.client.addServiceRequestNote(t.user, id, v.value);
    const title = (r.outcome === 'applied' ? r.resource : r.current)?.title ?? undefined;
    return (
      await afterWrite(d, t, r, {
        done: { key: 'sr.noteAdded' },
        rows: [],
        // The card shows the note itself; the audit trail keeps its first words.
        audit: { action: 'sr.note', target: id, item: { kind: 'sr', id, title }, changes: [{ field: t.tr.t('sr.field.note'), from: '—', to: v.value.slice(0, 200) }] },
      }, list)
    ).card;
  };
  const nonce = form ? noteFormSchema.safeParse(form) : undefined;
  if (!nonce?.success) return forAll(await write());
  const { result } = await d.dedupe.once(`sr.note/${t.actor.id}/${nonce.data.nonce}`, write);
  return result ? forAll(result) : forInteractor(messageCard(t.tr.t('common.alreadyDone')));
}

export interface CloseRequest {
  op: 'sr.close';
  id: string;
  by: string;
  /** Who asked, by name: what others pressing the card's buttons are told. */
  byName?: string;
  /** What the confirmation showed: the request's title and its status then (the audit trail's "from"). */
  title?: string;
  from?: string;
}

/** `sr close` asks first: closing stops Microsoft's work on the request. A closed one has nothing to change. */
export function askToClose(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  return forServiceRequest(t, id, () => confirmClose(d, t, id));
}

async function confirmClose(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const sr = await d.client.getServiceRequest(t.user, id);
  if (sr.status === 'closed') return forAll(serviceRequestCard(t.tr, sr, { text: t.tr.t('sr.noChange.closed', { id }), style: 'accent' }));
  const from = sr.status ?? 'open';
  const payload: CloseRequest = { op: 'sr.close', id, by: t.actor.id, byName: t.actor.name, title: sr.title ?? '', from };
  return forAll(
    confirmCard(t.tr, {
      title: t.tr.t('sr.confirmClose.title', { id }),
      subject: [
        { title: t.tr.t('sr.field.id'), value: id },
        { title: t.tr.t('sr.field.title'), value: sr.title ?? '—' },
      ],
      changes: [{ field: t.tr.t('sr.field.status'), from: label(t.tr, 'sr.status', from), to: t.tr.t('sr.status.closed') }],
      consequences: [t.tr.t('sr.confirmClose.consequence')],
      confirmation: d.signer.sign(payload),
    }),
  );
}

/** Closes a request whose closing was confirmed: the audit trail keeps the status the confirmation showed. */
export function close(d: BotDeps, t: Turn, p: Pick<CloseRequest, 'id' | 'title' | 'from'>): Promise<Outcome> {
  return forServiceRequest(t, p.id, async () =>
    afterWrite(d, t, await d.client.closeServiceRequest(t.user, p.id), {
      done: { key: 'sr.closedDone' },
      rows: [{ field: t.tr.t('sr.field.status'), from: p.from ? label(t.tr, 'sr.status', p.from) : '—', to: t.tr.t('sr.status.closed') }],
      audit: { action: 'sr.close', target: p.id, item: { kind: 'sr', id: p.id, title: p.title } },
    }),
  );
}
