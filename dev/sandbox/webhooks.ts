/**
 * Webhook registration, as "Partner Center webhooks" documents it (the swagger Webhooks.json for field
 * names): GET, POST and PUT `/webhooks/v1/registration` (`{ WebhookUrl, WebhookEvents }`, answered with
 * `SubscriberId` added), the event names at `.../events`, and test events: POST `.../validationEvents`
 * ("a throttle limit of 2 requests per minute", and `test-created` must be registered) answers a
 * correlation id; GET `.../validationEvents/{correlationId}` gives `status`, `callbackUrl` and `results[]`
 * (`responseCode`, `responseMessage`, `systemError`, `dateTimeUtc`) per attempt.
 *
 * The test event is delivered through the `webhookDelivery` option (webhook-sender.ts signs it with the
 * TEST chain); without one, its status stays `pending`. No DELETE is documented, so there is none.
 *
 * With a registration for `subscription-updated`, a change to a subscription (a PATCH applied at once, or a
 * 202 change once it shows) is delivered too, at once: Partner Center documents a delay of up to 48 hours,
 * which a sandbox has no reason to imitate.
 */
import type { Call, Handler } from './call';
import type { SandboxData } from './model';
import type { ResolvedOptions } from './types';
import { objectBody } from './call';
import { ApiError, invalidInput, isoDate, newGuid, rateLimitBody } from './wire';

/** Part of the events page's list ("Partner Center webhook events"). */
export const WEBHOOK_EVENTS = [
  'test-created',
  'subscription-updated',
  'usagerecords-thresholdExceeded',
  'invoice-ready',
  'azure-fraud-event-detected',
  'referral-created',
  'referral-updated',
  'reseller-relationship-accepted-by-customer',
];

const VALIDATION_LIMIT = 2;
const VALIDATION_WINDOW_MS = 60_000;

export interface WebhookState {
  registration?: { subscriberId: string; webhookUrl: string; webhookEvents: string[]; lastModifiedTimestamp: string };
  validations: Record<string, { correlationId: string; status: string; callbackUrl: string; results: Array<Record<string, string>> }>;
  /** When test events were asked for (the 2-a-minute limit). */
  validationTimes: number[];
  /** Each subscription-updated delivered, in order: what the receiver answered (0: no answer). */
  sent: Array<{ event: Record<string, string>; status: number }>;
}

export function emptyWebhookState(): WebhookState {
  return { validations: {}, validationTimes: [], sent: [] };
}

/**
 * Sends `subscription-updated` for a subscription that just changed, when a registration asks for it and
 * the sandbox has a way to deliver (webhookDelivery). The callback as "Partner Center webhook events" shows it.
 */
export function subscriptionUpdated(data: SandboxData, options: ResolvedOptions, sub: { customerId: string; resource: { id: string } }, now: number): void {
  const r = data.webhooks.registration;
  const deliver = options.webhookDelivery;
  if (!deliver || !r || !r.webhookEvents.some((e) => e.toLowerCase() === 'subscription-updated')) return;
  const event = {
    EventName: 'subscription-updated',
    ResourceUri: `https://api.partnercenter.microsoft.com/webhooks/v1/customers/${sub.customerId}/subscriptions/${sub.resource.id}`,
    ResourceName: 'subscription',
    AuditUri: 'NA',
    ResourceChangeUtcDate: isoDate(now),
  };
  const sent = { event, status: 0 };
  data.webhooks.sent.push(sent);
  void deliver(r.webhookUrl, event).then(
    (res) => (sent.status = res.status),
    () => undefined,
  );
}

export const getRegistration: Handler = (call) => {
  const r = call.data.webhooks.registration;
  if (!r) throw new ApiError(404, '404', 'No webhook registration was found for this partner.');
  return { status: 200, body: r };
};

function registrationFrom(call: Call): { webhookUrl: string; webhookEvents: string[] } {
  const body = objectBody(call);
  const url = body.webhookUrl;
  if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url)) throw invalidInput('WebhookUrl must be an absolute URL.');
  const events = body.webhookEvents;
  if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== 'string')) throw invalidInput('WebhookEvents must be a list of event names.');
  const unknown = events.filter((e) => !WEBHOOK_EVENTS.some((k) => k.toLowerCase() === String(e).toLowerCase()));
  if (unknown.length > 0) throw invalidInput(`Unknown webhook event(s): ${unknown.join(', ')}.`);
  return { webhookUrl: url, webhookEvents: events as string[] };
}

export function putOrPostRegistration(kind: 'POST' | 'PUT'): Handler {
  return (call) => {
    const existing = call.data.webhooks.registration;
    if (kind === 'POST' && existing) throw new ApiError(409, '409', 'A webhook registration already exists; update it with PUT.');
    if (kind === 'PUT' && !existing) throw new ApiError(404, '404', 'No webhook registration was found for this partner.');
    const r = { subscriberId: existing?.subscriberId ?? newGuid(), ...registrationFrom(call), lastModifiedTimestamp: isoDate(call.now) };
    call.data.webhooks.registration = r;
    return { status: 200, body: r };
  };
}

export const listEvents: Handler = () => ({ status: 200, body: WEBHOOK_EVENTS });

export const postValidationEvent: Handler = (call) => {
  const w = call.data.webhooks;
  w.validationTimes = w.validationTimes.filter((t) => t > call.now - VALIDATION_WINDOW_MS);
  if (w.validationTimes.length >= VALIDATION_LIMIT) {
    const wait = Math.max(1, Math.ceil((w.validationTimes[0]! + VALIDATION_WINDOW_MS - call.now) / 1000));
    return { status: 429, headers: { 'Retry-After': String(wait) }, body: rateLimitBody(wait) };
  }
  const r = w.registration;
  if (!r || !r.webhookEvents.some((e) => e.toLowerCase() === 'test-created')) throw invalidInput('Register the test-created event before sending a test event.');
  w.validationTimes.push(call.now);
  const correlationId = newGuid();
  const record = { correlationId, status: 'pending', callbackUrl: r.webhookUrl, results: [] as Array<Record<string, string>> };
  w.validations[correlationId] = record;
  const deliver = call.options.webhookDelivery;
  if (deliver) {
    const event = { EventName: 'test-created', ResourceUri: 'NA', ResourceName: 'test', AuditUri: 'NA', ResourceChangeUtcDate: isoDate(call.now) };
    void deliver(r.webhookUrl, event).then(
      (res) => {
        record.results.push({ responseCode: String(res.status), responseMessage: res.body, systemError: '', dateTimeUtc: new Date().toISOString() });
        record.status = res.status >= 200 && res.status < 300 ? 'completed' : 'failed';
      },
      (e: unknown) => {
        record.results.push({ responseCode: '', responseMessage: '', systemError: e instanceof Error ? e.message : 'error', dateTimeUtc: new Date().toISOString() });
        record.status = 'failed';
      },
    );
  }
  return { status: 200, body: { correlationId } };
};

export const getValidationEvent: Handler = (call) => {
  const v = call.data.webhooks.validations[call.params.correlationId ?? ''];
  if (!v) throw new ApiError(404, '404', 'No validation event with this correlation id.');
  return { status: 200, body: v };
};
