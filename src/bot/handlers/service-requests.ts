/** `sr …` commands and service-request card actions. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { confirmCard, messageCard } from '../../cards/common';
import { serviceRequestCard, serviceRequestFormCard, serviceRequestListCard, type SrFilter } from '../../cards/service-requests';
import { createServiceRequestInputSchema, noteInputSchema } from '../../partner-center/schemas';
import type { SrListFilter } from '../commands/grammar';
import { echoValues, validateForm } from '../forms';
import type { Turn } from '../turn';
import { changedBanner } from './banners';
import { forAll, forInteractor, type BotDeps, type Outcome } from './types';

export const SR_PAGE_SIZE = 10;
const FORM_FIELDS = ['title', 'description', 'severity', 'supportTopicId', 'text'] as const;

export async function showServiceRequest(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  return forAll(serviceRequestCard(t.tr, await d.client.getServiceRequest(t.user, id)));
}

const STATUS_OF: Record<SrListFilter, 'open' | 'closed' | 'attention_needed'> = {
  open: 'open',
  closed: 'closed',
  attention: 'attention_needed',
};

export async function listServiceRequests(d: BotDeps, t: Turn, filter?: SrListFilter, offset = 0): Promise<Outcome> {
  const page = await d.client.listServiceRequests(t.user, { status: filter ? STATUS_OF[filter] : undefined, offset, size: SR_PAGE_SIZE });
  return forAll(serviceRequestListCard(t.tr, { items: page.items, offset, nextOffset: page.nextOffset, pageSize: SR_PAGE_SIZE }, filter as SrFilter | undefined));
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

/** `sr.create`: validate, then create once per form (the form's nonce), however often it is submitted. */
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
  // The created request, as Partner Center returned it, is the dedupe record's result: a duplicate shows it too.
  const { duplicate, result } = await d.dedupe.once(`sr.create/${nonce.data.nonce}`, () =>
    d.client.createServiceRequest(t.user, v.value, t.locale),
  );
  if (!result) return forInteractor(messageCard(t.tr.t('common.alreadyDone')));
  if (!duplicate) await d.audit.record(t, { action: 'sr.create', target: result.id ?? '', changes: [{ field: t.tr.t('sr.field.title'), from: '—', to: result.title ?? '' }] });
  const banner = changedBanner(t, d.clock.now(), [], 'common.createdBy');
  banner.lines = [t.tr.t('sr.created', { id: result.id ?? '' }), ...(duplicate ? [t.tr.t('common.alreadyDone')] : [])];
  return forAll(serviceRequestCard(t.tr, result, banner));
}

export async function addNote(d: BotDeps, t: Turn, id: string, text: unknown): Promise<Outcome> {
  const v = validateForm(t.tr, noteInputSchema, text);
  if (!v.ok) {
    const sr = await d.client.getServiceRequest(t.user, id);
    return forInteractor(serviceRequestCard(t.tr, sr, { text: Object.values(v.errors)[0]!, style: 'attention' }));
  }
  const sr = await d.client.addServiceRequestNote(t.user, id, v.value);
  await d.audit.record(t, { action: 'sr.note', target: id, changes: [{ field: t.tr.t('sr.notes'), from: '—', to: v.value.slice(0, 200) }] });
  const banner = changedBanner(t, d.clock.now(), []);
  banner.lines = [t.tr.t('sr.noteAdded')];
  return forAll(serviceRequestCard(t.tr, sr, banner));
}

export interface CloseRequest {
  op: 'sr.close';
  id: string;
  by: string;
}

/** `sr close` asks first: closing stops Microsoft's work on the request. */
export async function askToClose(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const sr = await d.client.getServiceRequest(t.user, id);
  if (sr.status === 'closed') return forAll(serviceRequestCard(t.tr, sr));
  const payload: CloseRequest = { op: 'sr.close', id, by: t.actor.id };
  return forAll(
    confirmCard(
      t.tr,
      t.tr.t('sr.confirmClose.title', { id }),
      [{ field: t.tr.t('sr.field.status'), from: t.tr.t(`sr.status.${sr.status === 'attention_needed' ? 'attention_needed' : 'open'}`), to: t.tr.t('sr.status.closed') }],
      [t.tr.t('sr.confirmClose.consequence')],
      d.signer.sign(payload),
    ),
  );
}

export async function close(d: BotDeps, t: Turn, id: string): Promise<Outcome> {
  const sr = await d.client.closeServiceRequest(t.user, id);
  await d.audit.record(t, { action: 'sr.close', target: id, changes: [{ field: t.tr.t('sr.field.status'), from: '—', to: t.tr.t('sr.status.closed') }] });
  const banner = changedBanner(t, d.clock.now(), []);
  banner.lines = [t.tr.t('sr.closedDone')];
  return forAll(serviceRequestCard(t.tr, sr, banner));
}
