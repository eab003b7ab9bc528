/**
 * The shape of an inbound Bot Framework activity, checked before botbuilder sees it: what the adapter and
 * the bot rely on (type, channel, service URL, conversation, sender, recipient) and the lists they walk
 * (entities, attachments, members). Anything else passes through untouched. A request that fails here is
 * a 400, not a 500 from deep inside a handler.
 */
import { z } from 'zod';

/** No control characters (NUL, CR, LF…): ids end up in URLs, storage keys and log lines. */
const printable = /^[^\u0000-\u001f\u007f]*$/;
const id = z.string().min(1).max(1024).regex(printable, 'control character');
const label = z.string().max(1024).regex(printable, 'control character');
const dateString = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const account = z.looseObject({ id, name: label.nullish() });
const object = z.looseObject({});

export const activitySchema = z.looseObject({
  type: z.string().regex(/^[A-Za-z]{1,64}$/, 'not an activity type'),
  id: id.optional(),
  name: label.max(256).optional(),
  channelId: z.string().min(1).max(64).regex(printable, 'control character'),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({ id, tenantId: label.nullish(), conversationType: label.nullish() }),
  from: account,
  recipient: account,
  replyToId: id.optional(),
  locale: label.max(64).nullish(),
  text: z.string().nullish(),
  timestamp: dateString.optional(),
  localTimestamp: dateString.optional(),
  expiration: dateString.optional(),
  entities: z.array(z.looseObject({ type: z.string().max(256) })).optional(),
  attachments: z.array(z.looseObject({ contentType: z.string().max(256) })).optional(),
  membersAdded: z.array(account).optional(),
  membersRemoved: z.array(account).optional(),
  channelData: object.optional(),
});

export type InboundActivity = z.infer<typeof activitySchema>;

/** Where the activity is wrong, without its values (they may be a user's text): for the log. */
export function describeProblems(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`);
}
