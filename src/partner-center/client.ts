/**
 * The Partner Center client: one typed method per operation, each faithful to Microsoft's documentation
 * (../shared/seeds) and to the service's real behaviour (PARTNER-CENTER.md).
 *
 * Every method takes the acting user's context first: their token function, locale and correlation id.
 * The client holds no token of its own.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { systemClock, type Clock } from '../util/clock';
import { silentLogger, type Logger } from '../logging/logger';
import { isPartnerCenterError, parseErrorBody, PartnerCenterError } from './errors';
import { errorFromResponse, PartnerCenterHttp, quoteEtag, type Raw, type WriteResult } from './http';
import { createPipeline, type CallContext, type Fetch } from './pipeline';
import {
  createServiceRequestInputSchema,
  customerIdSchema,
  customerSchema,
  customerSearchSchema,
  fieldProblems,
  localeSchema,
  noteInputSchema,
  serviceRequestIdSchema,
  serviceRequestListSchema,
  serviceRequestSchema,
  readServiceRequestState,
  subscriptionChangeSchema,
  subscriptionIdSchema,
  subscriptionSchema,
  supportProfileChangeSchema,
  supportProfileSchema,
  supportTopicSchema,
  type CreateServiceRequestInput,
  type Customer,
  type CustomerSearch,
  type ServiceRequest,
  type ServiceRequestListQuery,
  type ServiceRequestState,
  type Subscription,
  type SubscriptionChange,
  type SupportProfile,
  type SupportProfileChange,
  type SupportTopic,
  reflectsChange,
} from './schemas';

/** Where partners manage service requests when the API cannot (create was announced as decommissioned). */
export const PARTNER_CENTER_SERVICE_REQUESTS_URL = 'https://partner.microsoft.com/dashboard/support/servicerequests';

/** Who is acting, as the bot knows it from the Teams activity. */
export interface UserContext {
  getToken: () => Promise<string>;
  /** e.g. fr-FR; sent as X-Locale. Defaults to en-US. */
  locale?: string;
  /** One per user action; generated when absent. */
  correlationId?: string;
  /** The partner tenant (Teams `tenant.id`): the key of the concurrency limit. */
  tenantId?: string;
  signal?: AbortSignal;
  /** Where this user's calls are logged (a child logger carrying the Teams ids). */
  logger?: Logger;
  /** Told about every answer: the audit trail records a write's MS-RequestId from it. */
  onResponse?: CallContext['onResponse'];
  /** Bounds the total Retry-After wait of each call, and hears about each wait (someone is waiting in a chat). */
  throttleBudgetMs?: number;
  onThrottled?: CallContext['onThrottled'];
}

export interface PartnerCenterClientOptions {
  baseUrl: string;
  applicationName: string;
  timeoutMs?: number;
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  concurrencyPerTenant?: number;
  /** How long updateSubscription follows a 202 before answering "still in progress". */
  pollWaitMs?: number;
  pollIntervalMs?: number;
  /** How long a write whose answer was lost is read back before its outcome is called unknown. */
  verifyWaitMs?: number;
  verifyIntervalMs?: number;
  supportTopicsFallback?: readonly SupportTopic[];
  clock?: Clock;
  logger?: Logger;
  fetch?: Fetch;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  /** Offset of the next page, when there is one. */
  nextOffset?: number;
  /** Items Partner Center sent that could not be read at all (no id): left out, and counted here. */
  skipped: number;
}

export interface CustomerPage {
  items: Customer[];
  /** Pass back in `findCustomers` to read the next page. */
  continuationToken?: string;
  skipped: number;
}

/** A subscription as read, with the raw body and ETag a full-resource PATCH needs: read once, used twice. */
export interface SubscriptionSnapshot {
  subscription: Subscription;
  raw: Raw;
  etag?: string;
}

export type SubscriptionUpdateResult =
  | { state: 'completed'; subscription: Subscription; previous: Subscription; requestId?: string; confirmedByRead?: boolean }
  /** Partner Center accepted the change (202) but it had not shown within the wait. */
  | { state: 'in-progress'; subscription: Subscription; previous: Subscription; location: string; requestId?: string }
  /** The PATCH timed out or failed in transit, and reading back could not show whether it was applied. */
  | { state: 'unknown'; subscription: Subscription; previous: Subscription; requestId?: string; correlationId: string };

export interface SupportTopicList {
  topics: SupportTopic[];
  source: 'partner-center' | 'fallback';
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

export class PartnerCenterClient {
  private readonly http: PartnerCenterHttp;
  private readonly pollWaitMs: number;
  private readonly topicsFallback: readonly SupportTopic[];
  /** The seed's PUT path, until the service says 404 and the SDK's path works instead. */
  private supportProfilePutPath = '/v1/profiles/supportprofile';

  constructor(o: PartnerCenterClientOptions) {
    const clock = o.clock ?? systemClock;
    const logger = o.logger ?? silentLogger;
    this.pollWaitMs = o.pollWaitMs ?? 20_000;
    this.topicsFallback = o.supportTopicsFallback ?? [];
    const pipeline = createPipeline({
      applicationName: o.applicationName,
      timeoutMs: o.timeoutMs ?? 30_000,
      retry: {
        maxRetries: o.maxRetries ?? 4,
        baseDelayMs: o.baseDelayMs ?? 500,
        maxDelayMs: o.maxDelayMs ?? 8_000,
        maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
      },
      concurrencyPerTenant: o.concurrencyPerTenant ?? 8,
      clock,
      logger,
      fetch: o.fetch,
    });
    this.http = new PartnerCenterHttp({
      baseUrl: o.baseUrl,
      pipeline,
      clock,
      logger,
      verifyWaitMs: o.verifyWaitMs ?? 30_000,
      verifyIntervalMs: o.verifyIntervalMs ?? 3_000,
      pollIntervalMs: o.pollIntervalMs ?? 1_000,
    });
  }

  // ------------------------------------------------------------------------------------------------------
  // Service requests

  /**
   * POST /v1/servicerequests/{agent-locale} (seed: create-service-request). One call. Not idempotent: after
   * a timeout it is never sent again; the partner's list is read for a request with this title created since.
   */
  async createServiceRequest(user: UserContext, input: CreateServiceRequestInput, agentLocale?: string): Promise<WriteResult<ServiceRequest>> {
    const v = validate(createServiceRequestInputSchema, input);
    const locale = validate(localeSchema, agentLocale ?? user.locale ?? 'en-US', 'agentLocale');
    const body = {
      Title: v.title,
      Description: v.description,
      Severity: v.severity,
      SupportTopicId: v.supportTopicId,
      ...(v.notes?.length ? { Notes: v.notes.map((text) => ({ Text: text })) } : {}),
      Attributes: { ObjectType: 'ServiceRequest' },
    };
    const call = this.call(user);
    const sentAt = this.http.now();
    try {
      return await this.http.write(call, 'POST', `/v1/servicerequests/${encodeURIComponent(locale)}`, body, {
        idempotent: false,
        schema: serviceRequestSchema,
        kind: 'serviceRequest',
        // The answer was lost: the request may still exist. Look for it among the partner's requests.
        readBack: async () => ({ found: await this.findCreatedServiceRequest(call, v.title, sentAt) }),
      });
    } catch (e) {
      throw asDecommissioned(e, 'Partner Center no longer lets apps create service requests through its API.');
    }
  }

  /** GET /v1/servicerequests/{id} */
  async getServiceRequest(user: UserContext, id: string): Promise<ServiceRequest> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    return this.http.read(this.call(user), `/v1/servicerequests/${encodeURIComponent(sr)}`, serviceRequestSchema, 'serviceRequest');
  }

  /** GET /v1/servicerequests?offset=&size=&filter= : the partner's service requests, one page. */
  async listServiceRequests(user: UserContext, query: ServiceRequestListQuery = {}): Promise<Page<ServiceRequest>> {
    return this.listServiceRequestsAs(this.call(user), query);
  }

  /**
   * The same list (the same request and paging), each request read only as far as the notifier compares
   * it (readServiceRequestState): a page's full resources are never built. For the notifier, which lists
   * every watched partner's requests each cycle.
   */
  async listServiceRequestStates(user: UserContext, query: ServiceRequestListQuery = {}): Promise<Page<ServiceRequestState>> {
    const call = this.call(user);
    const q = validate(serviceRequestListSchema, query);
    return pageOf(q, await this.http.list(call, serviceRequestListPath(q), readServiceRequestState, 'serviceRequest'));
  }

  /** PATCH /v1/servicerequests/{id} with only NewNote (seed: update-service-request). One call; never re-sent blindly. */
  async addServiceRequestNote(user: UserContext, id: string, text: string): Promise<WriteResult<ServiceRequest>> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    const note = validate(noteInputSchema, text, 'text');
    const call = this.call(user);
    const path = `/v1/servicerequests/${encodeURIComponent(sr)}`;
    const sentAt = this.http.now();
    return this.http.write(call, 'PATCH', path, { NewNote: { Text: note } }, {
      idempotent: false,
      schema: serviceRequestSchema,
      kind: 'serviceRequest',
      readBack: async () => {
        const current = await this.http.read(call, path, serviceRequestSchema, 'serviceRequest');
        return { current, found: hasNote(current, note, sentAt) ? current : undefined };
      },
    });
  }

  /**
   * PATCH /v1/servicerequests/{id} with Status closed. The REST page documents only NewNote; Microsoft's SDK
   * sample and PowerShell module send Status this way, and the service's answer is reported as it is.
   */
  async closeServiceRequest(user: UserContext, id: string): Promise<WriteResult<ServiceRequest>> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    const call = this.call(user);
    const path = `/v1/servicerequests/${encodeURIComponent(sr)}`;
    return this.http.write(call, 'PATCH', path, { Status: 'closed' }, {
      idempotent: false,
      schema: serviceRequestSchema,
      kind: 'serviceRequest',
      readBack: async () => {
        const current = await this.http.read(call, path, serviceRequestSchema, 'serviceRequest');
        return { current, found: current.status === 'closed' ? current : undefined };
      },
    });
  }

  /**
   * GET /v1/servicerequests/supporttopics. Microsoft announced this endpoint's retirement, so when it is gone
   * the configured fallback list is returned instead (and says so).
   */
  async listSupportTopics(user: UserContext): Promise<SupportTopicList> {
    try {
      const page = await this.http.list(this.call(user), '/v1/servicerequests/supporttopics', supportTopicSchema, 'supportTopic');
      if (page.items.length > 0) return { topics: page.items, source: 'partner-center' };
    } catch (e) {
      if (!isGone(e)) throw e;
    }
    return { topics: [...this.topicsFallback], source: 'fallback' };
  }

  // ------------------------------------------------------------------------------------------------------
  // Customers and subscriptions

  /** GET /v1/customers?size=&filter= with a starts_with filter on CompanyName or Domain (case-insensitive). */
  async findCustomers(user: UserContext, search: CustomerSearch): Promise<CustomerPage> {
    const s = validate(customerSearchSchema, search);
    const params = new URLSearchParams({ size: String(s.size) });
    const headers: Record<string, string> = {};
    if (s.continuationToken) {
      params.set('seekOperation', 'Next');
      headers['MS-ContinuationToken'] = s.continuationToken;
    } else {
      const field = s.field === 'companyName' ? 'CompanyName' : 'Domain';
      params.set('filter', JSON.stringify({ Field: field, Value: s.prefix, Operator: 'starts_with' }));
    }
    const page = await this.http.list(this.call(user), `/v1/customers?${params}`, customerSchema, 'customer', headers);
    const next = page.links?.next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value;
    return { items: page.items, continuationToken: next ?? page.continuationToken ?? undefined, skipped: page.skipped };
  }

  async getCustomer(user: UserContext, customerId: string): Promise<Customer> {
    const cid = validate(customerIdSchema, customerId, 'customerId');
    return this.http.read(this.call(user), `/v1/customers/${cid}`, customerSchema, 'customer');
  }

  async listSubscriptions(user: UserContext, customerId: string): Promise<Page<Subscription>> {
    const cid = validate(customerIdSchema, customerId, 'customerId');
    const page = await this.http.list(this.call(user), `/v1/customers/${cid}/subscriptions`, subscriptionSchema, 'subscription');
    return { items: page.items, totalCount: page.totalCount ?? page.items.length, skipped: page.skipped };
  }

  async getSubscription(user: UserContext, customerId: string, subscriptionId: string): Promise<Subscription> {
    return (await this.readSubscription(user, customerId, subscriptionId)).subscription;
  }

  /** One GET of a subscription, kept whole so a change can be written from it without reading it again. */
  async readSubscription(user: UserContext, customerId: string, subscriptionId: string): Promise<SubscriptionSnapshot> {
    const { cid, sid } = this.subscriptionIds(customerId, subscriptionId);
    return this.snapshotOf(this.call(user), subscriptionPath(cid, sid));
  }

  /**
   * PATCH /v1/customers/{cid}/subscriptions/{id} (seed: update-subscription-by-id).
   *
   * Read-modify-write of the whole resource, as the seed requires: a minimal body silently turns auto-renew
   * off and drops next-term instructions. Unknown fields go back as they came. The read is the caller's
   * snapshot when it has one (so a change shown to the user is written from what they saw), else one GET.
   * With an ETag the PATCH carries If-Match and is safe to send again after a timeout; a 412 then means
   * "re-read and compare": if the subscription already shows the change it was applied, else someone else
   * changed it and the change is applied once more on the fresh copy. A 202 is followed by polling its
   * Location until the change shows or the wait runs out.
   */
  async updateSubscription(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    options: { maxWaitMs?: number; from?: SubscriptionSnapshot } = {},
  ): Promise<SubscriptionUpdateResult> {
    const { cid, sid } = this.subscriptionIds(customerId, subscriptionId);
    const wanted = validate(subscriptionChangeSchema, change);
    const call = this.call(user);
    const path = subscriptionPath(cid, sid);
    let snap = options.from ?? (await this.snapshotOf(call, path));
    const previous = snap.subscription;

    for (let attempt = 0; ; attempt++) {
      const headers = snap.etag ? { 'If-Match': quoteEtag(snap.etag) } : undefined;
      const sent = await this.http.send(call, 'PATCH', path, { body: mergeFields(snap.raw, wanted), headers, idempotent: headers !== undefined });
      if ('lost' in sent) {
        const seen = await this.http.readBackUntil(call, async () => {
          const now = await this.snapshotOf(call, path);
          return { current: now.subscription, found: reflectsChange(now.subscription, wanted) ? now.subscription : undefined };
        });
        if (seen.found) return { state: 'completed', subscription: seen.found, previous, requestId: sent.requestId, confirmedByRead: true };
        return { state: 'unknown', subscription: seen.current ?? previous, previous, requestId: sent.requestId, correlationId: call.correlationId };
      }
      const res = sent.res;
      const requestId = res.headers.get('ms-requestid') ?? undefined;
      if (res.status === 200 || res.status === 201) {
        const shown = this.http.answered(res, subscriptionSchema, 'subscription');
        if (shown) return { state: 'completed', subscription: shown, previous, requestId };
        // Applied: Partner Center said so. Its body could not be read, so read the subscription to show it.
        const again = await this.snapshotOf(call, path).catch(() => undefined);
        return { state: 'completed', subscription: again?.subscription ?? { ...previous, ...wanted }, previous, requestId };
      }
      if (res.status === 202) {
        const location = this.http.resolveLocation(res.headers.get('location'), path);
        return this.followAccepted(call, location, wanted, previous, options.maxWaitMs ?? this.pollWaitMs, requestId);
      }
      const conflict = res.status === 412 || parseErrorBody(res.text).code === '2055';
      if (!conflict || attempt === 1) throw errorFromResponse(res, call);
      // The ETag moved: our own earlier attempt landed, or someone else changed it. Re-read and compare.
      snap = await this.snapshotOf(call, path);
      if (reflectsChange(snap.subscription, wanted)) return { state: 'completed', subscription: snap.subscription, previous, requestId, confirmedByRead: true };
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Support profile

  async getSupportProfile(user: UserContext): Promise<SupportProfile> {
    return this.http.read(this.call(user), '/v1/profiles/support', supportProfileSchema, 'supportProfile');
  }

  /**
   * PUT /v1/profiles/supportprofile with the full resource (seed: update-support-profile): read, merge, put.
   * Microsoft's SDK uses /v1/profiles/support; if the seed's path answers 404 that one is tried and remembered.
   * A PUT of the whole resource is idempotent, so it may be sent again after a timeout.
   */
  async updateSupportProfile(user: UserContext, change: SupportProfileChange): Promise<{ result: WriteResult<SupportProfile>; previous: SupportProfile }> {
    const wanted = validate(supportProfileChangeSchema, change);
    const call = this.call(user);
    const current = await this.http.readRaw(call, '/v1/profiles/support');
    const previous = this.http.parse(supportProfileSchema, current.body, current.res, call, 'supportProfile');
    const fields = { email: wanted.email, telephone: wanted.telephone, website: wanted.website };
    const body = mergeFields(current.body, { ...fields, profileType: 'support_profile' });
    const readBack = async () => {
      const now = await this.http.read(call, '/v1/profiles/support', supportProfileSchema, 'supportProfile');
      const shows = Object.entries(fields).every(([k, v]) => v === undefined || now[k as keyof SupportProfile] === v);
      return { current: now, found: shows ? now : undefined };
    };
    const put = (path: string) => this.http.write(call, 'PUT', path, body, { idempotent: true, schema: supportProfileSchema, kind: 'supportProfile', readBack });
    try {
      return { result: await put(this.supportProfilePutPath), previous };
    } catch (e) {
      if (!(isPartnerCenterError(e) && e.status === 404 && this.supportProfilePutPath !== '/v1/profiles/support')) throw e;
    }
    const result = await put('/v1/profiles/support');
    this.supportProfilePutPath = '/v1/profiles/support';
    return { result, previous };
  }

  // ------------------------------------------------------------------------------------------------------
  // Internals: reading

  private call(user: UserContext): CallContext {
    const locale = localeSchema.safeParse(user.locale ?? 'en-US');
    return {
      getToken: user.getToken,
      correlationId: user.correlationId ?? randomUUID(),
      locale: locale.success ? locale.data : 'en-US',
      tenantKey: user.tenantId ?? 'default',
      signal: user.signal,
      logger: user.logger,
      onResponse: user.onResponse,
      throttleBudgetMs: user.throttleBudgetMs,
      onThrottled: user.onThrottled,
    };
  }

  private subscriptionIds(customerId: string, subscriptionId: string) {
    return {
      cid: validate(customerIdSchema, customerId, 'customerId'),
      sid: validate(subscriptionIdSchema, subscriptionId, 'subscriptionId'),
    };
  }

  private async listServiceRequestsAs(call: CallContext, query: ServiceRequestListQuery): Promise<Page<ServiceRequest>> {
    const q = validate(serviceRequestListSchema, query);
    return pageOf(q, await this.http.list(call, serviceRequestListPath(q), serviceRequestSchema, 'serviceRequest'));
  }

  /** A service request with this title created since `sentAt` (give or take clock skew), in the first pages. */
  private async findCreatedServiceRequest(call: CallContext, title: string, sentAt: number): Promise<ServiceRequest | undefined> {
    const since = sentAt - CLOCK_SKEW_MS;
    for (let offset = 0, pages = 0; pages < READ_BACK_PAGES; pages++) {
      const page = await this.listServiceRequestsAs(call, { offset, size: 200 });
      const hit = page.items.find((sr) => sr.title === title && (!sr.createdDate || Date.parse(sr.createdDate) >= since));
      if (hit) return hit;
      if (page.nextOffset === undefined || page.items.length === 0) return undefined;
      offset = page.nextOffset;
    }
    return undefined;
  }

  private async followAccepted(
    call: CallContext,
    location: string,
    wanted: z.output<typeof subscriptionChangeSchema>,
    previous: Subscription,
    maxWaitMs: number,
    requestId: string | undefined,
  ): Promise<SubscriptionUpdateResult> {
    const r = await this.untilChanged(call, location, wanted, { maxWaitMs });
    if (r.landed) return { state: 'completed', subscription: r.subscription, previous, requestId };
    return { state: 'in-progress', subscription: r.subscription ?? previous, previous, location, requestId };
  }

  /** Polls a subscription (a 202's Location) until it shows the change or the wait runs out. */
  private async untilChanged(
    call: CallContext,
    path: string,
    wanted: SubscriptionChange,
    o: { maxWaitMs: number; intervalMs?: number },
  ): Promise<{ landed: true; subscription: Subscription } | { landed: false; subscription?: Subscription }> {
    const r = await this.http.until(call, async () => (await this.snapshotOf(call, path)).subscription, (s) => reflectsChange(s, wanted), o);
    return r.landed ? { landed: true, subscription: r.latest! } : { landed: false, subscription: r.latest };
  }

  private async snapshotOf(call: CallContext, path: string): Promise<SubscriptionSnapshot> {
    const s = await this.http.readForUpdate(call, path, subscriptionSchema, 'subscription');
    return { subscription: s.value, raw: s.raw, etag: s.etag };
  }

  /**
   * Follows a change Partner Center accepted (202) for longer than the inline wait: the same poll, from the
   * background, until it lands or `maxWaitMs` runs out.
   */
  async awaitSubscriptionChange(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    o: { maxWaitMs: number; intervalMs?: number; location?: string },
  ): Promise<{ landed: boolean; subscription?: Subscription }> {
    const { cid, sid } = this.subscriptionIds(customerId, subscriptionId);
    return this.untilChanged(this.call(user), o.location ?? subscriptionPath(cid, sid), change, o);
  }
}


/** Partner Center's clock and ours may disagree by a little: a read-back looks this far before the send. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Pages of the partner's service requests searched for one just created (the list has no sort order). */
const READ_BACK_PAGES = 5;

// ---------------------------------------------------------------------------------------------------------
// Helpers

function subscriptionPath(cid: string, sid: string): string {
  return `/v1/customers/${cid}/subscriptions/${sid}`;
}

/** True when the request shows a note with this text, created since `sentAt` (give or take clock skew). */
function hasNote(sr: ServiceRequest, text: string, sentAt: number): boolean {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\r\n?/g, '\n').trim();
  return (sr.notes ?? []).some((n) => norm(n.text) === norm(text) && (!n.createdDate || Date.parse(n.createdDate) >= sentAt - CLOCK_SKEW_MS));
}

/** Validates input before anything is sent; field-level messages in the error. */
function validate<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = fieldProblems(r.error).map((f) => (field && f.field === 'input' ? { ...f, field } : f));
  throw new PartnerCenterError({
    kind: 'invalid-input',
    // For logs: the field and its message key with values, e.g. "quantity field.min {"min":1}".
    message: `Invalid input: ${fields.map((f) => `${f.field} ${f.key}${f.params ? ` ${JSON.stringify(f.params)}` : ''}`).join('; ')}`,
    fields,
  });
}

/** Sets fields on a raw resource in the casing it already uses (camelCase unless a PascalCase key exists). */
function mergeFields(raw: Raw, fields: Record<string, unknown>): Raw {
  const out: Raw = { ...raw };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    out[existing ?? name] = value;
  }
  return out;
}

/** Create and support topics were announced as decommissioned: recognise the service saying so. */
function isGone(e: unknown): e is PartnerCenterError {
  if (!(e instanceof PartnerCenterError) || e.kind !== 'http') return false;
  if (e.status === 404 || e.status === 405 || e.status === 410) return true;
  return /decommission|deprecat|retired|no longer (supported|available)/i.test(`${e.code ?? ''} ${e.description ?? ''}`);
}

function asDecommissioned(e: unknown, message: string): unknown {
  if (!isGone(e)) return e;
  return new PartnerCenterError({
    kind: 'decommissioned',
    message: `${message} Use the Partner Center web page instead: ${PARTNER_CENTER_SERVICE_REQUESTS_URL}`.trim(),
    status: e.status,
    code: e.code,
    description: e.description,
    requestId: e.requestId,
    correlationId: e.correlationId,
    cv: e.cv,
    request: e.request,
  });
}
