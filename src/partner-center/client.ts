/**
 * The Partner Center client: one typed method per operation, each faithful to Microsoft's documentation
 * (../shared/seeds) and to the service's real behaviour (PARTNER-CENTER.md). The operations live one
 * resource family a file (service-requests.ts, subscriptions.ts, support-profile.ts); this class builds the
 * pipeline they share and is the one door the product uses.
 *
 * Every method takes the acting user's context first: their token function, locale and correlation id.
 * The client holds no token of its own.
 */
import { systemClock, type Clock } from '../util/clock';
import { silentLogger, type Logger } from '../logging/logger';
import * as activity from './activity';
import { PartnerCenterHttp, type WriteResult } from './http';
import { callOf, type Page, type UserContext } from './operations';
import { createPipeline, type Fetch } from './pipeline';
import * as sr from './service-requests';
import * as subs from './subscriptions';
import { SupportProfileApi } from './support-profile';
import * as hooks from './webhooks';
import type {
  CreateServiceRequestInput,
  Customer,
  CustomerSearch,
  NextTermChange,
  ServiceRequest,
  ServiceRequestListQuery,
  ServiceRequestState,
  Subscription,
  SubscriptionChange,
  SupportProfile,
  SupportProfileChange,
  SupportTopic,
} from './schemas';

export { PARTNER_CENTER_SERVICE_REQUESTS_URL, type Page, type UserContext } from './operations';
export type { SupportTopicList } from './service-requests';
export type { ActivityCursor, ActivityPage, ActivitySince } from './activity';
export type { CustomerPage, SubscriptionSnapshot, SubscriptionUpdateResult } from './subscriptions';
export type { ValidationStatus, WebhookRegistration } from './webhooks';

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

export class PartnerCenterClient {
  private readonly http: PartnerCenterHttp;
  private readonly pollWaitMs: number;
  private readonly topicsFallback: readonly SupportTopic[];
  private readonly supportProfile: SupportProfileApi;

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
    this.supportProfile = new SupportProfileApi(this.http);
  }

  // Service requests (service-requests.ts)

  createServiceRequest(user: UserContext, input: CreateServiceRequestInput, agentLocale?: string): Promise<WriteResult<ServiceRequest>> {
    return sr.createServiceRequest(this.http, callOf(user), input, agentLocale ?? user.locale ?? 'en-US');
  }

  getServiceRequest(user: UserContext, id: string): Promise<ServiceRequest> {
    return sr.getServiceRequest(this.http, callOf(user), id);
  }

  listServiceRequests(user: UserContext, query: ServiceRequestListQuery = {}): Promise<Page<ServiceRequest>> {
    return sr.listServiceRequests(this.http, callOf(user), query);
  }

  /** The same list, each request read only as far as the notifier compares it. */
  listServiceRequestStates(user: UserContext, query: ServiceRequestListQuery = {}): Promise<Page<ServiceRequestState>> {
    return sr.listServiceRequestStates(this.http, callOf(user), query);
  }

  addServiceRequestNote(user: UserContext, id: string, text: string): Promise<WriteResult<ServiceRequest>> {
    return sr.addServiceRequestNote(this.http, callOf(user), id, text);
  }

  closeServiceRequest(user: UserContext, id: string): Promise<WriteResult<ServiceRequest>> {
    return sr.closeServiceRequest(this.http, callOf(user), id);
  }

  listSupportTopics(user: UserContext): Promise<sr.SupportTopicList> {
    return sr.listSupportTopics(this.http, callOf(user), this.topicsFallback);
  }

  // Customers and subscriptions (subscriptions.ts)

  findCustomers(user: UserContext, search: CustomerSearch): Promise<subs.CustomerPage> {
    return subs.findCustomers(this.http, callOf(user), search);
  }

  /** One page of every customer the user can see; pass `continuationToken` back for the next. */
  listCustomers(user: UserContext, o: { size?: number; continuationToken?: string } = {}): Promise<subs.CustomerPage> {
    return subs.listCustomers(this.http, callOf(user), o);
  }

  /** Every customer, page by page, following MS-ContinuationToken: the caller paces it between pages. */
  async *listAllCustomers(user: UserContext, o: { size?: number } = {}): AsyncGenerator<subs.CustomerPage> {
    let continuationToken: string | undefined;
    do {
      const page = await this.listCustomers(user, { size: o.size, continuationToken });
      yield page;
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }

  getCustomer(user: UserContext, customerId: string): Promise<Customer> {
    return subs.getCustomer(this.http, callOf(user), customerId);
  }

  listSubscriptions(user: UserContext, customerId: string): Promise<Page<Subscription>> {
    return subs.listSubscriptions(this.http, callOf(user), customerId);
  }

  async getSubscription(user: UserContext, customerId: string, subscriptionId: string): Promise<Subscription> {
    return (await this.readSubscription(user, customerId, subscriptionId)).subscription;
  }

  /** One GET of a subscription, kept whole so a change can be written from it without reading it again. */
  readSubscription(user: UserContext, customerId: string, subscriptionId: string): Promise<subs.SubscriptionSnapshot> {
    const path = subs.subscriptionPath(customerId, subscriptionId);
    return subs.readSubscription(this.http, callOf(user), path);
  }

  /** The full-resource PATCH of one subscription, from the caller's snapshot when it has one. */
  updateSubscription(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    options: { maxWaitMs?: number; from?: subs.SubscriptionSnapshot } = {},
  ): Promise<subs.SubscriptionUpdateResult> {
    const path = subs.subscriptionPath(customerId, subscriptionId);
    return subs.updateSubscription(this.http, callOf(user), path, change, { maxWaitMs: options.maxWaitMs ?? this.pollWaitMs, from: options.from });
  }

  /**
   * Schedules the next term's seats (`{ quantity }`) or clears what is scheduled (`'clear'`): a full-resource
   * PATCH with If-Match, product, term and billing kept. Refused before sending when auto-renew is off.
   */
  scheduleNextTerm(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: NextTermChange,
    options: { maxWaitMs?: number; from?: subs.SubscriptionSnapshot } = {},
  ): Promise<subs.SubscriptionUpdateResult> {
    const path = subs.subscriptionPath(customerId, subscriptionId);
    return subs.scheduleNextTerm(this.http, callOf(user), path, change, { maxWaitMs: options.maxWaitMs ?? this.pollWaitMs, from: options.from });
  }

  /**
   * Follows a change Partner Center accepted (202) for longer than the inline wait: the same poll, from the
   * background, until it lands or `maxWaitMs` runs out.
   */
  awaitSubscriptionChange(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: SubscriptionChange,
    o: { maxWaitMs: number; intervalMs?: number; location?: string },
  ): Promise<{ landed: boolean; subscription?: Subscription }> {
    const path = subs.subscriptionPath(customerId, subscriptionId);
    return subs.untilChanged(this.http, callOf(user), o.location ?? path, change, o);
  }

  /** Follows a next-term change Partner Center accepted (202), as awaitSubscriptionChange does a change now. */
  awaitNextTermChange(
    user: UserContext,
    customerId: string,
    subscriptionId: string,
    change: NextTermChange,
    o: { maxWaitMs: number; intervalMs?: number; location?: string },
  ): Promise<{ landed: boolean; subscription?: Subscription }> {
    const path = subs.subscriptionPath(customerId, subscriptionId);
    return subs.untilNextTermShown(this.http, callOf(user), o.location ?? path, change, o);
  }

  // Support profile (support-profile.ts)

  getSupportProfile(user: UserContext): Promise<SupportProfile> {
    return this.supportProfile.get(callOf(user));
  }

  updateSupportProfile(user: UserContext, change: SupportProfileChange): Promise<{ result: WriteResult<SupportProfile>; previous: SupportProfile }> {
    return this.supportProfile.update(callOf(user), change);
  }

  // Webhooks (webhooks.ts)

  /** The partner's webhook registration, or undefined when there is none. */
  getWebhookRegistration(user: UserContext): Promise<hooks.WebhookRegistration | undefined> {
    return hooks.getRegistration(this.http, callOf(user));
  }

  listWebhookEvents(user: UserContext): Promise<string[]> {
    return hooks.listEvents(this.http, callOf(user));
  }

  /** Registers `url` for `events` (PUT over an existing registration, POST otherwise). */
  registerWebhook(user: UserContext, url: string, events: string[], existing: boolean): Promise<WriteResult<hooks.WebhookRegistration>> {
    return hooks.register(this.http, callOf(user), url, events, existing);
  }

  /** Asks Partner Center to send a test event; resolves with its correlation id. */
  sendWebhookTestEvent(user: UserContext): Promise<string> {
    return hooks.sendTestEvent(this.http, callOf(user));
  }

  webhookTestEventStatus(user: UserContext, correlationId: string): Promise<hooks.ValidationStatus> {
    return hooks.testEventStatus(this.http, callOf(user), correlationId);
  }

  // The activity log (activity.ts)

  /** One page of Partner Center's activity log (audit records); pass `next` back for the following page. */
  listActivity(user: UserContext, query: activity.ActivityQuery = {}): Promise<activity.ActivityPage> {
    return activity.listActivity(this.http, callOf(user), query);
  }

  /** The records newer than a cursor, following continuation; what a notifier source drives each cycle. */
  readActivitySince(user: UserContext, cursor: activity.ActivityCursor, o: { filter?: activity.ActivityFilter; size?: number; maxPages?: number } = {}): Promise<activity.ActivitySince> {
    const call = callOf(user);
    return activity.readActivitySince((q) => activity.listActivity(this.http, call, q), this.http.now(), cursor, o);
  }
}
