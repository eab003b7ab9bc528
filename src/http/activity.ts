/**
 * The shape of an inbound Bot Framework activity, checked before botbuilder sees it: what the adapter and
 * the bot rely on (type, channel, service URL, conversation, sender, recipient) and the lists they walk
 * (entities, attachments, members). Anything else passes through untouched. A request that fails here is
 * a 400, not a 500 from deep inside a handler.
 */
import { z } from 'zod';
import { GUID } from '../partner-center/schemas';

/** No control characters (NUL, CR, LF…): ids end up in URLs, storage keys and log lines. */
const printable = /^[^\u0000-\u001f\u007f]*$/;
const id = z.string().min(1).max(1024).regex(printable, 'control character');
const label = z.string().max(1024).regex(printable, 'control character');
const dateString = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
/**
 * Entra ID names tenants by GUID, or by a domain (contoso.onmicrosoft.com). The tenant id becomes part of
 * storage and cache keys, so nothing else (a number, an object, `../../x?y`) gets past the front door.
 */
const tenantId = z.string().max(253).regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'not a tenant id');
/** The user's Entra object id: who the bot acts as. Always a GUID from Teams. */
const aadObjectId = z.string().regex(GUID, 'not a GUID');
const account = z.looseObject({ id, name: label.nullish(), aadObjectId: aadObjectId.nullish() });
/** Teams' clientInfo entity carries the user's locale, which the turn reads when the activity has none. */
const entity = z.looseObject({ type: z.string().max(256), locale: z.unknown().optional() }).superRefine((e, ctx) => {
  if (e.type === 'clientInfo' && e.locale !== undefined && e.locale !== null && (typeof e.locale !== 'string' || e.locale.length > 64)) {
    ctx.addIssue({ code: 'custom', path: ['locale'], message: 'not a locale' });
  }
});
const channelData = z.looseObject({ tenant: z.looseObject({ id: tenantId.nullish() }).nullish() });

export const activitySchema = z.looseObject({
  type: z.string().regex(/^[A-Za-z]{1,64}$/, 'not an activity type'),
  id: id.optional(),
  name: label.max(256).optional(),
  channelId: z.string().min(1).max(64).regex(printable, 'control character'),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({ id, tenantId: tenantId.nullish(), conversationType: label.nullish() }),
  from: account,
  recipient: account,
  replyToId: id.optional(),
  locale: label.max(64).nullish(),
  text: z.string().nullish(),
  timestamp: dateString.optional(),
  localTimestamp: dateString.optional(),
  expiration: dateString.optional(),
  entities: z.array(entity).optional(),
  attachments: z.array(z.looseObject({ contentType: z.string().max(256) })).optional(),
  membersAdded: z.array(account).optional(),
  membersRemoved: z.array(account).optional(),
  channelData: channelData.optional(),
});

/** Where the activity is wrong, without its values (they may be a user's text): for the log. */
export function describeProblems(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`);
}
