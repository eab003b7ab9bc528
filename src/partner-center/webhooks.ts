/**
 * Webhook registration ("Partner Center webhooks"; the swagger Webhooks.json; the .NET SDK's
 * webhook operations): `{base}/webhooks/v1/registration` with GET, POST (create) and PUT (update), the
 * event names on offer at `.../registration/events`, and test events at `.../registration/validationEvents`
 * (POST sends one, "a throttle limit of 2 requests per minute"; GET `/{correlationId}` says how its delivery
 * went). There is no documented DELETE, and one URL per event per partner: registering replaces whoever
 * had those events.
 */
import { z } from 'zod';
import { isPartnerCenterError } from './errors';
import { errorFromResponse, unexpected, type PartnerCenterHttp, type WriteResult } from './http';
import type { CallContext } from './pipeline';
import { camelizeKeys } from './schemas';

const PATH = '/webhooks/v1/registration';

const str = z.string().nullish();
const camel = <T extends z.ZodRawShape>(shape: T) => z.preprocess(camelizeKeys, z.looseObject(shape));

export const webhookRegistrationSchema = camel({
  subscriberId: str,
  webhookUrl: str,
  webhookEvents: z.array(z.string()).nullish(),
  signatureTokenToMsSignatureHeader: z.boolean().nullish(),
  lastModifiedTimestamp: str,
});
export type WebhookRegistration = z.infer<typeof webhookRegistrationSchema>;

export const validationEventSchema = camel({ correlationId: z.string() });

const attemptSchema = camel({ responseCode: str, responseMessage: str, systemError: str, dateTimeUtc: str });
export const validationStatusSchema = camel({
  correlationId: str,
  status: str,
  callbackUrl: str,
  results: z.array(attemptSchema).nullish(),
});
export type ValidationStatus = z.infer<typeof validationStatusSchema>;

/** The registration, or undefined when the partner has none (Partner Center answers 404 then). */
export async function getRegistration(http: PartnerCenterHttp, call: CallContext): Promise<WebhookRegistration | undefined> {
  try {
    return await http.read(call, PATH, webhookRegistrationSchema, 'webhookRegistration');
  } catch (e) {
    if (isPartnerCenterError(e) && e.status === 404) return undefined;
    throw e;
  }
}

/** The event names Partner Center offers: a JSON array of strings. */
export async function listEvents(http: PartnerCenterHttp, call: CallContext): Promise<string[]> {
  const sent = await http.send(call, 'GET', `${PATH}/events`, { idempotent: true });
  if ('lost' in sent) throw sent.error;
  if (sent.res.status !== 200) throw errorFromResponse(sent.res, call);
  let body: unknown;
  try {
    body = JSON.parse(sent.res.text);
  } catch {
    body = undefined;
  }
  // Some answers wrap lists in a collection ({ items: [...] }): both are read.
  const items = Array.isArray(body) ? body : (camelizeKeys(body) as { items?: unknown } | undefined)?.items;
  if (!Array.isArray(items)) throw unexpected(sent.res, call, 'expected a list of event names');
  return items.filter((v): v is string => typeof v === 'string');
}

/**
 * Registers `url` for `events`: POST when the partner has no registration, PUT over the one there is.
 * PUT and POST of the same body are idempotent in effect; a lost answer is read back before it is called unknown.
 */
export function register(http: PartnerCenterHttp, call: CallContext, url: string, events: string[], existing: boolean): Promise<WriteResult<WebhookRegistration>> {
  const body = { WebhookUrl: url, WebhookEvents: events };
  const readBack = async () => {
    const now = await getRegistration(http, call);
    const shows = !!now && now.webhookUrl === url && events.every((e) => (now.webhookEvents ?? []).some((x) => x.toLowerCase() === e));
    return { current: now, found: shows ? now : undefined };
  };
  return http.write(call, existing ? 'PUT' : 'POST', PATH, body, { idempotent: true, schema: webhookRegistrationSchema, kind: 'webhookRegistration', readBack });
}

/** Sends a test event (`test-created` must be registered); Partner Center answers its correlation id. */
export async function sendTestEvent(http: PartnerCenterHttp, call: CallContext): Promise<string> {
  const sent = await http.send(call, 'POST', `${PATH}/validationEvents`, { idempotent: false });
  if ('lost' in sent) throw sent.error;
  if (sent.res.status < 200 || sent.res.status >= 300) throw errorFromResponse(sent.res, call);
  let body: unknown;
  try {
    body = JSON.parse(sent.res.text);
  } catch {
    body = undefined;
  }
  const r = validationEventSchema.safeParse(body);
  if (!r.success) throw unexpected(sent.res, call, 'expected a correlation id');
  return r.data.correlationId;
}

export function testEventStatus(http: PartnerCenterHttp, call: CallContext, correlationId: string): Promise<ValidationStatus> {
  return http.read(call, `${PATH}/validationEvents/${encodeURIComponent(correlationId)}`, validationStatusSchema, 'webhookValidation');
}
