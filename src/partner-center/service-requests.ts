/**
 * Service requests and support topics (seeds: create-service-request, update-service-request). Each
 * operation takes the acting user's call context; the client (client.ts) makes it.
 */
import type { z } from 'zod';
import type { PartnerCenterHttp, WriteResult } from './http';
import { asDecommissioned, CLOCK_SKEW_MS, isGone, validate, type Page } from './operations';
import type { CallContext } from './pipeline';
import {
  createServiceRequestInputSchema,
  localeSchema,
  noteInputSchema,
  readServiceRequestState,
  serviceRequestIdSchema,
  serviceRequestListSchema,
  serviceRequestSchema,
  supportTopicSchema,
  type CreateServiceRequestInput,
  type ServiceRequest,
  type ServiceRequestListQuery,
  type ServiceRequestState,
  type SupportTopic,
} from './schemas';

export interface SupportTopicList {
  topics: SupportTopic[];
  source: 'partner-center' | 'fallback';
}

/** Pages of the partner's service requests searched for one just created (the list has no sort order). */
const READ_BACK_PAGES = 5;

/**
 * POST /v1/servicerequests/{agent-locale} (seed: create-service-request). One call. Not idempotent: after
 * a timeout it is never sent again; the partner's list is read for a request with this title created since.
 */
export async function createServiceRequest(http: PartnerCenterHttp, call: CallContext, input: CreateServiceRequestInput, agentLocale: string): Promise<WriteResult<ServiceRequest>> {
  const v = validate(createServiceRequestInputSchema, input);
  const locale = validate(localeSchema, agentLocale, 'agentLocale');
  const body = {
    Title: v.title,
    Description: v.description,
    Severity: v.severity,
    SupportTopicId: v.supportTopicId,
    ...(v.notes?.length ? { Notes: v.notes.map((text) => ({ Text: text })) } : {}),
    Attributes: { ObjectType: 'ServiceRequest' },
  };
  const sentAt = http.now();
  try {
    return await http.write(call, 'POST', `/v1/servicerequests/${encodeURIComponent(locale)}`, body, {
      idempotent: false,
      schema: serviceRequestSchema,
      kind: 'serviceRequest',
      // The answer was lost: the request may still exist. Look for it among the partner's requests.
      readBack: async () => ({ found: await findCreatedServiceRequest(http, call, v.title, sentAt) }),
    });
  } catch (e) {
    throw asDecommissioned(e, 'Partner Center no longer lets apps create service requests through its API.');
  }
}

/** GET /v1/servicerequests/{id} */
export async function getServiceRequest(http: PartnerCenterHttp, call: CallContext, id: string): Promise<ServiceRequest> {
  const sr = validate(serviceRequestIdSchema, id, 'id');
  return http.read(call, `/v1/servicerequests/${encodeURIComponent(sr)}`, serviceRequestSchema, 'serviceRequest');
}

/** GET /v1/servicerequests?offset=&size=&filter= : the partner's service requests, one page. */
export async function listServiceRequests(http: PartnerCenterHttp, call: CallContext, query: ServiceRequestListQuery): Promise<Page<ServiceRequest>> {
  const q = validate(serviceRequestListSchema, query);
  return pageOf(q, await http.list(call, serviceRequestListPath(q), serviceRequestSchema, 'serviceRequest'));
}

/**
 * The same list (the same request and paging), each request read only as far as the notifier compares
 * it (readServiceRequestState): a page's full resources are never built.
 */
export async function listServiceRequestStates(http: PartnerCenterHttp, call: CallContext, query: ServiceRequestListQuery): Promise<Page<ServiceRequestState>> {
  const q = validate(serviceRequestListSchema, query);
  return pageOf(q, await http.list(call, serviceRequestListPath(q), readServiceRequestState, 'serviceRequest'));
}

/** PATCH /v1/servicerequests/{id} with only NewNote (seed: update-service-request). One call; never re-sent blindly. */
export async function addServiceRequestNote(http: PartnerCenterHttp, call: CallContext, id: string, text: string): Promise<WriteResult<ServiceRequest>> {
  const sr = validate(serviceRequestIdSchema, id, 'id');
  const note = validate(noteInputSchema, text, 'text');
  const path = `/v1/servicerequests/${encodeURIComponent(sr)}`;
  const sentAt = http.now();
  return http.write(call, 'PATCH', path, { NewNote: { Text: note } }, {
    idempotent: false,
    schema: serviceRequestSchema,
    kind: 'serviceRequest',
    readBack: async () => {
      const current = await http.read(call, path, serviceRequestSchema, 'serviceRequest');
      return { current, found: hasNote(current, note, sentAt) ? current : undefined };
    },
  });
}

/**
 * PATCH /v1/servicerequests/{id} with Status closed. The REST page documents only NewNote; Microsoft's SDK
 * sample and PowerShell module send Status this way, and the service's answer is reported as it is.
 */
export async function closeServiceRequest(http: PartnerCenterHttp, call: CallContext, id: string): Promise<WriteResult<ServiceRequest>> {
  const sr = validate(serviceRequestIdSchema, id, 'id');
  const path = `/v1/servicerequests/${encodeURIComponent(sr)}`;
  return http.write(call, 'PATCH', path, { Status: 'closed' }, {
    idempotent: false,
    schema: serviceRequestSchema,
    kind: 'serviceRequest',
    readBack: async () => {
      const current = await http.read(call, path, serviceRequestSchema, 'serviceRequest');
      return { current, found: current.status === 'closed' ? current : undefined };
    },
  });
}

/**
 * GET /v1/servicerequests/supporttopics. Microsoft announced this endpoint's retirement, so when it is gone
 * the configured fallback list is returned instead (and says so).
 */
export async function listSupportTopics(http: PartnerCenterHttp, call: CallContext, fallback: readonly SupportTopic[]): Promise<SupportTopicList> {
  try {
    const page = await http.list(call, '/v1/servicerequests/supporttopics', supportTopicSchema, 'supportTopic');
    if (page.items.length > 0) return { topics: page.items, source: 'partner-center' };
  } catch (e) {
    if (!isGone(e)) throw e;
  }
  return { topics: [...fallback], source: 'fallback' };
}

/** GET /v1/servicerequests with this page and filter. */
function serviceRequestListPath(q: z.output<typeof serviceRequestListSchema>): string {
  const params = new URLSearchParams({ offset: String(q.offset), size: String(q.size) });
  if (q.status) params.set('filter', JSON.stringify({ Field: 'Status', Value: q.status, Operator: 'equals' }));
  return `/v1/servicerequests?${params}`;
}

/** A page of service requests, with the offset of the next one. */
function pageOf<T>(q: z.output<typeof serviceRequestListSchema>, page: { items: T[]; skipped: number; totalCount?: number | null; links?: { next?: unknown } | null }): Page<T> {
  const totalCount = page.totalCount ?? page.items.length;
  const end = q.offset + page.items.length + page.skipped;
  return { items: page.items, totalCount, skipped: page.skipped, nextOffset: page.links?.next || end < totalCount ? end : undefined };
}

/** A service request with this title created since `sentAt` (give or take clock skew), in the first pages. */
async function findCreatedServiceRequest(http: PartnerCenterHttp, call: CallContext, title: string, sentAt: number): Promise<ServiceRequest | undefined> {
  const since = sentAt - CLOCK_SKEW_MS;
  for (let offset = 0, pages = 0; pages < READ_BACK_PAGES; pages++) {
    const page = await listServiceRequests(http, call, { offset, size: 200 });
    const hit = page.items.find((sr) => sr.title === title && (!sr.createdDate || Date.parse(sr.createdDate) >= since));
    if (hit) return hit;
    if (page.nextOffset === undefined || page.items.length === 0) return undefined;
    offset = page.nextOffset;
  }
  return undefined;
}

/** True when the request shows a note with this text, created since `sentAt` (give or take clock skew). */
function hasNote(sr: ServiceRequest, text: string, sentAt: number): boolean {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\r\n?/g, '\n').trim();
  return (sr.notes ?? []).some((n) => norm(n.text) === norm(text) && (!n.createdDate || Date.parse(n.createdDate) >= sentAt - CLOCK_SKEW_MS));
}
