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
import { PartnerCenterError } from './errors';
import { createPipeline, retryAfterMs, type CallContext, type Fetch, type HttpMethod, type Next, type PcResponse } from './pipeline';
import {
  camelizeKeys,
  collectionSchema,
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
}

export interface CustomerPage {
  items: Customer[];
  /** Pass back in `findCustomers` to read the next page. */
  continuationToken?: string;
}

export type SubscriptionUpdateResult =
  | { state: 'completed'; subscription: Subscription; previous: Subscription }
  /** Partner Center accepted the change (202) but it had not shown within the wait. */
  | { state: 'in-progress'; subscription: Subscription; previous: Subscription; location: string };

export interface SupportTopicList {
  topics: SupportTopic[];
  source: 'partner-center' | 'fallback';
}

type Raw = Record<string, unknown>;

export class PartnerCenterClient {
  private readonly baseUrl: string;
  private readonly pipeline: Next;
  private readonly clock: Clock;
  private readonly pollWaitMs: number;
  private readonly pollIntervalMs: number;
  private readonly topicsFallback: readonly SupportTopic[];
  /** The seed's PUT path, until the service says 404 and the SDK's path works instead. */
  private supportProfilePutPath = '/v1/profiles/supportprofile';

  constructor(o: PartnerCenterClientOptions) {
    this.baseUrl = o.baseUrl.replace(/\/+$/, '');
    this.clock = o.clock ?? systemClock;
    this.pollWaitMs = o.pollWaitMs ?? 20_000;
    this.pollIntervalMs = o.pollIntervalMs ?? 1_000;
    this.topicsFallback = o.supportTopicsFallback ?? [];
    this.pipeline = createPipeline({
      applicationName: o.applicationName,
      timeoutMs: o.timeoutMs ?? 30_000,
      retry: {
        maxRetries: o.maxRetries ?? 4,
        baseDelayMs: o.baseDelayMs ?? 500,
        maxDelayMs: o.maxDelayMs ?? 8_000,
        maxRetryAfterMs: o.maxRetryAfterMs ?? 60_000,
      },
      concurrencyPerTenant: o.concurrencyPerTenant ?? 8,
      clock: this.clock,
      logger: o.logger ?? silentLogger,
      fetch: o.fetch,
    });
  }

  // ------------------------------------------------------------------------------------------------------
  // Service requests

  /** POST /v1/servicerequests/{agent-locale} (seed: create-service-request). One call. */
  async createServiceRequest(user: UserContext, input: CreateServiceRequestInput, agentLocale?: string): Promise<ServiceRequest> {
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
    try {
      return await this.send(this.call(user), 'POST', `/v1/servicerequests/${encodeURIComponent(locale)}`, serviceRequestSchema, {
        body,
        expect: [200, 201],
      });
    } catch (e) {
      throw asDecommissioned(e, 'Partner Center no longer lets apps create service requests through its API.');
    }
  }

  /** GET /v1/servicerequests/{id} */
  async getServiceRequest(user: UserContext, id: string): Promise<ServiceRequest> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    return this.send(this.call(user), 'GET', `/v1/servicerequests/${sr}`, serviceRequestSchema);
  }

  /** GET /v1/servicerequests?offset=&size=&filter= : the partner's service requests, one page. */
  async listServiceRequests(user: UserContext, query: ServiceRequestListQuery = {}): Promise<Page<ServiceRequest>> {
    const q = validate(serviceRequestListSchema, query);
    const params = new URLSearchParams({ offset: String(q.offset), size: String(q.size) });
    if (q.status) params.set('filter', JSON.stringify({ Field: 'Status', Value: q.status, Operator: 'equals' }));
    const page = await this.send(this.call(user), 'GET', `/v1/servicerequests?${params}`, collectionSchema(serviceRequestSchema));
    const totalCount = page.totalCount ?? page.items.length;
    const end = q.offset + page.items.length;
    return { items: page.items, totalCount, nextOffset: page.links?.next || end < totalCount ? end : undefined };
  }

  /** PATCH /v1/servicerequests/{id} with only NewNote (seed: update-service-request). One call. */
  async addServiceRequestNote(user: UserContext, id: string, text: string): Promise<ServiceRequest> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    const note = validate(noteInputSchema, text, 'text');
    return this.send(this.call(user), 'PATCH', `/v1/servicerequests/${sr}`, serviceRequestSchema, {
      body: { NewNote: { Text: note } },
    });
  }

  /**
   * PATCH /v1/servicerequests/{id} with Status closed. The REST page documents only NewNote; Microsoft's SDK
   * sample and PowerShell module send Status this way, and the service's answer is reported as it is.
   */
  async closeServiceRequest(user: UserContext, id: string): Promise<ServiceRequest> {
    const sr = validate(serviceRequestIdSchema, id, 'id');
    return this.send(this.call(user), 'PATCH', `/v1/servicerequests/${sr}`, serviceRequestSchema, { body: { Status: 'closed' } });
  }

  /**
   * GET /v1/servicerequests/supporttopics. Microsoft announced this endpoint's retirement, so when it is gone
   * the configured fallback list is returned instead (and says so).
   */
  async listSupportTopics(user: UserContext): Promise<SupportTopicList> {
    try {
      const page = await this.send(this.call(user), 'GET', '/v1/servicerequests/supporttopics', collectionSchema(supportTopicSchema));
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
    const page = await this.send(this.call(user), 'GET', `/v1/customers?${params}`, collectionSchema(customerSchema), { headers });
    const next = page.links?.next?.headers?.find((h) => h.key.toLowerCase() === 'ms-continuationtoken')?.value;
    return { items: page.items, continuationToken: next ?? page.continuationToken ?? undefined };
  }

  async getCustomer(user: UserContext, customerId: string): Promise<Customer> {
    const cid = validate(customerIdSchema, customerId, 'customerId');
    return this.send(this.call(user), 'GET', `/v1/customers/${cid}`, customerSchema);
  }

  async listSubscriptions(user: UserContext, customerId: string): Promise<Subscription[]> {
    const cid = validate(customerIdSchema, customerId, 'customerId');
    const page = await this.send(this.call(user), 'GET', `/v1/customers/${cid}/subscriptions`, collectionSchema(subscriptionSchema));
    return page.items;
  }

  async getSubscription(user: UserContext, customerId: string, subscriptionId: string): Promise<Subscription> {
    const { cid, sid } = this.subscriptionIds(customerId, subscriptionId);
    return this.send(this.call(user), 'GET', subscriptionPath(cid, sid), subscriptionSchema);
  }

  /**
   * PATCH /v1/customers/{cid}/subscriptions/{id} (seed: update-subscription-by-id).
   *
   * Read-modify-write of the whole resource, as the seed requires: a minimal body silently turns
   * auto-renew off and drops next-term instructions. Unknown fields go back as they came. Sends If-Match
   * with the ETag read; on an ETag conflict re-reads and retries once. A 202 is followed by polling its
   * Location until the change shows or the wait runs out.
   */
  async updateSubscription(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    options: { maxWaitMs?: number } = {},
  ): Promise<SubscriptionUpdateResult> {
    const { cid, sid } = this.subscriptionIds(customerId, subscriptionId);
    const wanted = validate(subscriptionChangeSchema, change);
    const call = this.call(user);
    const path = subscriptionPath(cid, sid);

    let raw = await this.sendRaw(call, 'GET', path);
    let res: PcResponse;
    for (let attempt = 0; ; attempt++) {
      res = await this.exchange(call, 'PATCH', path, { body: mergeFields(raw.body, wanted), headers: ifMatch(raw) });
      const conflict = res.status === 412 || errorCode(res) === '2055';
      if (!conflict || attempt === 1) break;
      raw = await this.sendRaw(call, 'GET', path); // someone else changed it: re-read and apply again
    }
    const previous = parseOrThrow(subscriptionSchema, raw.body, raw.res, call);
    if (res.status === 200) {
      return { state: 'completed', subscription: parseBody(subscriptionSchema, res, call), previous };
    }
    if (res.status !== 202) throw errorFromResponse(res, call);
    const location = this.resolveLocation(res.headers.get('location'), path);
    return this.followAccepted(call, location, wanted, previous, options.maxWaitMs ?? this.pollWaitMs);
  }

  // ------------------------------------------------------------------------------------------------------
  // Support profile

  async getSupportProfile(user: UserContext): Promise<SupportProfile> {
    return this.send(this.call(user), 'GET', '/v1/profiles/support', supportProfileSchema);
  }

  /**
   * PUT /v1/profiles/supportprofile with the full resource (seed: update-support-profile): read, merge, put.
   * Microsoft's SDK uses /v1/profiles/support; if the seed's path answers 404 that one is tried and remembered.
   */
  async updateSupportProfile(user: UserContext, change: SupportProfileChange): Promise<{ profile: SupportProfile; previous: SupportProfile }> {
    const wanted = validate(supportProfileChangeSchema, change);
    const call = this.call(user);
    const current = await this.sendRaw(call, 'GET', '/v1/profiles/support');
    const body = mergeFields(current.body, {
      email: wanted.email,
      telephone: wanted.telephone,
      website: wanted.website,
      profileType: 'support_profile',
    });
    let res = await this.exchange(call, 'PUT', this.supportProfilePutPath, { body });
    if (res.status === 404 && this.supportProfilePutPath !== '/v1/profiles/support') {
      res = await this.exchange(call, 'PUT', '/v1/profiles/support', { body });
      if (res.status !== 404) this.supportProfilePutPath = '/v1/profiles/support';
    }
    if (res.status !== 200 && res.status !== 201) throw errorFromResponse(res, call);
    return { profile: parseBody(supportProfileSchema, res, call), previous: parseOrThrow(supportProfileSchema, current.body, current.res, call) };
  }

  // ------------------------------------------------------------------------------------------------------
  // Internals

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
    };
  }

  private subscriptionIds(customerId: string, subscriptionId: string) {
    return {
      cid: validate(customerIdSchema, customerId, 'customerId'),
      sid: validate(subscriptionIdSchema, subscriptionId, 'subscriptionId'),
    };
  }

  /** One HTTP exchange through the pipeline; returns whatever status came back. */
  private async exchange(
    call: CallContext,
    method: HttpMethod,
    path: string,
    o: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<PcResponse> {
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    try {
      return await this.pipeline({
        method,
        url,
        headers: new Headers(o.headers),
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        call,
      });
    } catch (e) {
      if (e instanceof PartnerCenterError) throw e;
      if (call.signal?.aborted) {
        throw new PartnerCenterError({ kind: 'aborted', message: 'The Partner Center call was cancelled', correlationId: call.correlationId });
      }
      throw e;
    }
  }

  private async send<S extends z.ZodType>(
    call: CallContext,
    method: HttpMethod,
    path: string,
    schema: S,
    o: { body?: unknown; headers?: Record<string, string>; expect?: number[] } = {},
  ): Promise<z.output<S>> {
    const res = await this.exchange(call, method, path, o);
    if (!(o.expect ?? [200]).includes(res.status)) throw errorFromResponse(res, call);
    return parseBody(schema, res, call);
  }

  /** A GET that keeps the body exactly as sent (for read-modify-write), and the response for its ETag. */
  private async sendRaw(call: CallContext, method: HttpMethod, path: string): Promise<{ body: Raw; res: PcResponse }> {
    const res = await this.exchange(call, method, path);
    if (res.status !== 200) throw errorFromResponse(res, call);
    const body = parseJson(res, call);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw unexpected(res, call, 'expected a JSON object');
    return { body: body as Raw, res };
  }

  /**
   * The seed's Location is relative and lacks /v1 (`/customers/{cid}/subscriptions/{id}`). The user's token
   * only ever goes to the configured Partner Center origin: a Location elsewhere is not followed.
   */
  private resolveLocation(location: string | null, fallbackPath: string): string {
    if (!location) return fallbackPath;
    let url: URL;
    try {
      url = new URL(location, `${this.baseUrl}/`);
    } catch {
      return fallbackPath;
    }
    if (url.origin !== new URL(this.baseUrl).origin) return fallbackPath;
    const p = url.pathname.startsWith('/v1/') ? url.pathname : `/v1${url.pathname.startsWith('/') ? '' : '/'}${url.pathname}`;
    return `${p}${url.search}`;
  }

  private async followAccepted(
    call: CallContext,
    location: string,
    wanted: z.output<typeof subscriptionChangeSchema>,
    previous: Subscription,
    maxWaitMs: number,
  ): Promise<SubscriptionUpdateResult> {
    const deadline = this.clock.now() + maxWaitMs;
    let interval = this.pollIntervalMs;
    let latest = previous;
    while (this.clock.now() < deadline) {
      await this.clock.sleep(Math.min(interval, Math.max(0, deadline - this.clock.now())), call.signal);
      latest = await this.send(call, 'GET', location, subscriptionSchema);
      if (reflectsChange(latest, wanted)) return { state: 'completed', subscription: latest, previous };
      interval = Math.min(interval * 1.5, 5_000);
    }
    return { state: 'in-progress', subscription: latest, previous, location };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function subscriptionPath(cid: string, sid: string): string {
  return `/v1/customers/${cid}/subscriptions/${sid}`;
}

/** Validates input before anything is sent; field-level messages in the error. */
function validate<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = fieldProblems(r.error).map((f) => (field && f.field === 'input' ? { ...f, field } : f));
  throw new PartnerCenterError({
    kind: 'invalid-input',
    message: `Invalid input: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
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

function ifMatch(raw: { body: Raw; res: PcResponse }): Record<string, string> {
  const attrs = camelizeKeys(raw.body.attributes ?? raw.body.Attributes) as { etag?: unknown } | undefined;
  const etag = (typeof attrs?.etag === 'string' && attrs.etag) || raw.res.headers.get('etag');
  if (!etag) return {};
  return { 'If-Match': /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"` };
}

function ids(res: PcResponse | undefined, call: CallContext) {
  return {
    requestId: res?.headers.get('ms-requestid') ?? undefined,
    correlationId: res?.headers.get('ms-correlationid') ?? call.correlationId,
    cv: res?.headers.get('ms-cv') ?? undefined,
  };
}

function parseJson(res: PcResponse, call: CallContext): unknown {
  if (res.text.trim() === '') return undefined;
  try {
    return JSON.parse(res.text);
  } catch {
    throw unexpected(res, call, 'the body is not JSON');
  }
}

function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown, res: PcResponse, call: CallContext): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) throw unexpected(res, call, fieldProblems(r.error).map((f) => `${f.field} ${f.message}`).join('; '));
  return r.data;
}

function parseBody<S extends z.ZodType>(schema: S, res: PcResponse, call: CallContext): z.output<S> {
  return parseOrThrow(schema, parseJson(res, call), res, call);
}

function unexpected(res: PcResponse, call: CallContext, why: string): PartnerCenterError {
  return new PartnerCenterError({
    kind: 'unexpected-response',
    message: `Partner Center answered ${res.status} with a body the bot could not read (${why})`,
    status: res.status,
    request: res.request(),
    ...ids(res, call),
  });
}

function errorBody(res: PcResponse): { code?: string; description?: string } {
  try {
    const b = camelizeKeys(JSON.parse(res.text)) as Record<string, unknown>;
    const inner = (b.error && typeof b.error === 'object' ? b.error : b) as Record<string, unknown>;
    const code = inner.code ?? inner.errorCode;
    const description = inner.description ?? inner.message ?? inner.errorDescription;
    return {
      code: code === undefined || code === null ? undefined : String(code),
      description: typeof description === 'string' ? description : undefined,
    };
  } catch {
    return {};
  }
}

function errorCode(res: PcResponse): string | undefined {
  return res.status >= 400 ? errorBody(res).code : undefined;
}

/** Turns an error status into a PartnerCenterError with everything support will ask for, and no token. */
export function errorFromResponse(res: PcResponse, call: CallContext): PartnerCenterError {
  const { code, description } = errorBody(res);
  const throttled = res.status === 429;
  const retryAfter = throttled ? retryAfterMs(res, Date.now()) : undefined;
  return new PartnerCenterError({
    kind: throttled ? 'throttled' : 'http',
    message: `Partner Center answered ${res.status}${code ? ` (${code})` : ''}${description ? `: ${description}` : ''}`,
    status: res.status,
    code: throttled ? undefined : code,
    description,
    retryAfterMs: retryAfter,
    request: res.request(),
    ...ids(res, call),
  });
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
