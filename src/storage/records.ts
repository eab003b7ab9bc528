/**
 * What each kind of stored record must look like, by key prefix: every read of KeyValueStore goes through
 * the schema of its key's kind. Valid JSON of the wrong shape (a hand edit, an older or newer version, a
 * field an attacker managed to set) is then found where it is read, instead of failing later, every cycle,
 * in whatever reads the field.
 *
 * - Strict on what the bot uses (a field read as a string is a string), lenient on the rest: fields the bot
 *   does not read may be anything, and unknown fields are kept as they are.
 * - A record that holds many independent entries (a watch shard's watches, an audit trail, the live
 *   instances) is checked entry by entry: a bad entry is dropped and the others are kept, so one bad watch
 *   never costs the other watches of its shard.
 * - What is wrong is said by field path and rule only; record keys below the top level (watch ids, item
 *   ids) and values are never in the reason, so the reason can be logged.
 *
 * A valid record is returned as it was read (never a copy: the notifier changes shards in place, see
 * watches.ts).
 */
import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';

/** The outcome of a check: the value to use, what was dropped of it (empty: it was valid), or why none of it can be used. */
export type Checked = { ok: true; value: unknown; dropped: string[] } | { ok: false; reason: string };

export interface RecordKind {
  /** Keys starting with this are of this kind (the longest matching prefix wins). */
  prefix: string;
  check(value: unknown): Checked;
}

/** "setBy.tenantId: Invalid input: expected string, received number", with dynamic keys as '*'. */
function describe(e: z.ZodError): string {
  const issue = e.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'string' && /^[A-Za-z]{1,24}$/.test(p) ? p : '*')).join('.');
  return `${path || 'value'}: ${issue.message}`;
}

/** The whole value must pass `schema`. */
function whole(prefix: string, schema: z.ZodType): RecordKind {
  return {
    prefix,
    check(value) {
      const r = schema.safeParse(value);
      return r.success ? { ok: true, value, dropped: [] } : { ok: false, reason: describe(r.error) };
    },
  };
}

/** Anything: the bot never reads these values (it only asks whether the key exists). */
const anything = (prefix: string): RecordKind => ({ prefix, check: (value) => ({ ok: true, value, dropped: [] }) });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// --- Watches --------------------------------------------------------------------------------------------

const snapshot = z.looseObject({ status: z.string(), count: z.number(), title: z.string(), detail: z.string().optional(), detailBy: z.string().optional(), seenAt: z.number().optional() });
const thread = z.looseObject({ rootId: z.string() });

const watchKind = z.enum(['sr', 'sr-all', 'subs', 'deadlines']);
const watchState = z.enum(['active', 'paused', 'disabled']);

const digestRun = z.looseObject({ day: z.string(), at: z.number(), outcome: z.enum(['posted', 'empty', 'failed', 'paused']), rows: z.number() });

const watch = z
  .looseObject({
    id: z.string(),
    kind: watchKind,
    srId: z.string().optional(),
    openOnly: z.boolean().optional(),
    customerId: z.string().optional(),
    customerName: z.string().optional(),
    days: z.number().int().min(1).optional(),
    timeZone: z.string().optional(),
    lastRun: digestRun.optional(),
    // What the sender uses of it; a disabled watch keeps `{}`.
    reference: z.custom<Partial<ConversationReference>>(
      (r) =>
        isObject(r) &&
        (r.serviceUrl === undefined || typeof r.serviceUrl === 'string') &&
        (r.conversation === undefined || (isObject(r.conversation) && typeof r.conversation.id === 'string')),
      { message: 'not a conversation reference' },
    ),
    conversationKey: z.string(),
    setBy: z.looseObject({ id: z.string(), name: z.string(), tenantId: z.string() }),
    locale: z.string(),
    createdAt: z.number(),
    state: watchState,
    reason: z.string().optional(),
    primed: z.boolean(),
    lastSeen: z.record(z.string(), snapshot),
    threads: z.record(z.string(), thread),
  })
  .refine((w) => w.kind !== 'subs' || w.customerId !== undefined, { message: 'a subscriptions watch names its customer', path: ['customerId'] })
  .refine((w) => w.kind !== 'deadlines' || w.days !== undefined, { message: 'a deadlines digest names its days', path: ['days'] });


/** `w` without the entries of `lastSeen` and `threads` that are not a snapshot or a thread (the same `w` when none). */
function withoutBadItems(w: unknown, dropped: string[]): unknown {
  if (!isObject(w)) return w;
  let out = w;
  for (const [field, schema] of [['lastSeen', snapshot], ['threads', thread]] as const) {
    const items = w[field];
    if (!isObject(items)) continue;
    const bad = Object.keys(items).filter((k) => !schema.safeParse(items[k]).success);
    if (bad.length === 0) continue;
    const kept = { ...items };
    for (const k of bad) delete kept[k];
    out = { ...out, [field]: kept };
    dropped.push(`watches.*.${field}.*: ${bad.length} not a ${field === 'lastSeen' ? 'snapshot' : 'thread'}`);
  }
  return out;
}

/** A shard: each watch checked on its own (a bad one is dropped); a pending list of keys. */
const shard: RecordKind = {
  prefix: 'watches/shards/',
  check(value) {
    if (!isObject(value) || !isObject(value.watches)) return { ok: false, reason: 'watches: not an object' };
    const dropped: string[] = [];
    let watches = value.watches;
    for (const [id, w] of Object.entries(value.watches)) {
      let r = watch.safeParse(w);
      let kept = w;
      if (!r.success) {
        // A bad remembered item costs that item only (it is remembered afresh next cycle, not announced).
        kept = withoutBadItems(w, dropped);
        if (kept !== w) r = watch.safeParse(kept);
      }
      const reason = !r.success ? describe(r.error) : r.data.id !== id ? 'id: not the id it is filed under' : undefined;
      if (kept === w && reason === undefined) continue;
      if (watches === value.watches) watches = { ...value.watches };
      if (reason === undefined) watches[id] = kept;
      else {
        delete watches[id];
        dropped.push(`watches.*.${reason}`);
      }
    }
    // Pending entries are outbox keys: the delivery reads them as outbox entries.
    const pending = Array.isArray(value.pending) ? value.pending.filter((k): k is string => typeof k === 'string' && k.startsWith('outbox/')) : [];
    if (!Array.isArray(value.pending) || pending.length !== value.pending.length) dropped.push('pending: not a list of outbox keys');
    if (dropped.length === 0) return { ok: true, value, dropped };
    const fixed = { ...value, watches, pending };
    return { ok: true, value: fixed, dropped };
  },
};

// --- Notifications: outbox entries and leases -----------------------------------------------------------

const itemView = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('service-request'), id: z.string() }),
  z.looseObject({ kind: z.literal('subscription'), id: z.string(), customerId: z.string(), customerName: z.string(), nce: z.boolean() }),
]);


const outboxEntry = z.looseObject({
  watchId: z.string(),
  itemId: z.string(),
  before: snapshot.optional(),
  after: snapshot,
  view: itemView,
  at: z.number(),
  state: z.enum(['pending', 'sent', 'dropped']),
  sentId: z.string().optional(),
  rootId: z.string().optional(),
});

const lease = z.looseObject({ owner: z.string(), until: z.number() });

/** A digest's claim on one day (src/notifications/digest.ts). */
const digestDay = z.looseObject({
  state: z.enum(['claimed', 'posting', 'posted', 'empty', 'failed', 'paused', 'dropped']),
  at: z.number(),
  by: z.string(),
  attempts: z.number(),
  claim: z.string().optional(),
  sentId: z.string().optional(),
  rows: z.number().optional(),
});

/** Instance id → when it was last seen: a bad entry is dropped. */
const instances: RecordKind = {
  prefix: 'leases/instances',
  check(value) {
    if (!isObject(value)) return { ok: false, reason: 'value: not an object' };
    const bad = Object.keys(value).filter((k) => typeof value[k] !== 'number' || !Number.isFinite(value[k]));
    if (bad.length === 0) return { ok: true, value, dropped: [] };
    const fixed = { ...value };
    for (const k of bad) delete fixed[k];
    return { ok: true, value: fixed, dropped: bad.map(() => '*: not a time') };
  },
};

// --- The activity log as a change source (src/notifications/activity-source.ts) ---------------------------

/** Per setter: where their activity log was read to, when their watched customers were last swept, when the log was refused. */
const setterLog = z.looseObject({
  cursor: z.looseObject({ at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'), ids: z.array(z.string()) }).optional(),
  sweptAt: z.number().optional(),
  sweep: z.looseObject({ startedAt: z.number(), after: z.string() }).optional(),
  deniedAt: z.number().optional(),
});

// --- Audit trail -----------------------------------------------------------------------------------------

const changeRow = z.looseObject({ field: z.string(), from: z.string(), to: z.string() });
// Any action a command declares (and any a newer version wrote): the audit card names an unknown one generically.
const auditAction = z.string();
const auditEntry = z.looseObject({
  at: z.number(),
  by: z.looseObject({ id: z.string(), name: z.string() }),
  action: auditAction,
  target: z.string(),
  item: z
    .discriminatedUnion('kind', [
      z.looseObject({ kind: z.literal('sr'), id: z.string(), title: z.string().optional() }),
      z.looseObject({ kind: z.literal('sub'), id: z.string(), name: z.string().optional(), customer: z.string().optional() }),
      z.looseObject({ kind: z.literal('profile') }),
    ])
    .optional(),
  changes: z.array(changeRow),
  requestId: z.string().optional(),
  correlationId: z.string(),
  pending: z.boolean().optional(),
  unconfirmed: z.boolean().optional(),
});

/** A conversation's audit trail: each entry checked on its own (a bad one is dropped). */
const audit: RecordKind = {
  prefix: 'audit/',
  check(value) {
    if (!Array.isArray(value)) return { ok: false, reason: 'value: not a list' };
    const dropped: string[] = [];
    const kept = value.filter((e) => {
      const r = auditEntry.safeParse(e);
      if (!r.success) dropped.push(`*.${describe(r.error)}`);
      return r.success;
    });
    return { ok: true, value: dropped.length ? kept : value, dropped };
  },
};

// --- Identity and sign-in ---------------------------------------------------------------------------------

const sealedTokenCache = z.looseObject({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });
const at = z.number();
const pendingWork = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('command'), text: z.string() }),
  z.looseObject({ kind: z.literal('action'), verb: z.string(), data: z.record(z.string(), z.unknown()), replyToId: z.string().optional() }),
]);
const dedupe = z.discriminatedUnion('state', [
  z.looseObject({ state: z.literal('pending'), at }),
  // The result is whatever the card action answered; it is handed back as it was stored.
  z.looseObject({ state: z.literal('done'), at, result: z.unknown() }),
]);

const authored = z.looseObject({
  by: z.looseObject({ id: z.string(), name: z.string() }),
  conversationKey: z.string(),
  at,
  after: z.looseObject({ status: z.string(), count: z.number() }),
});

// --- Reminders (src/notifications/reminders.ts) ------------------------------------------------------------

const reminder = z.looseObject({
  id: z.string(),
  kind: z.enum(['window', 'renewal']),
  customerId: z.string(),
  customerName: z.string(),
  subscriptionId: z.string(),
  date: z.string(),
  dueAt: z.number(),
  partition: z.number(),
  reference: z.custom<Partial<ConversationReference>>((r) => isObject(r) && isObject(r.conversation) && typeof r.conversation.id === 'string', { message: 'not a conversation reference' }),
  conversationKey: z.string(),
  user: z.looseObject({ id: z.string(), name: z.string(), tenantId: z.string() }),
  locale: z.string(),
  timeZone: z.string().optional(),
  seats: z.number().optional(),
  by: z.looseObject({ name: z.string(), at: z.number(), personal: z.boolean() }).optional(),
  watchId: z.string().optional(),
  state: z.enum(['scheduled', 'claimed', 'sent', 'skipped']),
  claimedBy: z.string().optional(),
  claimedAt: z.number().optional(),
  sentId: z.string().optional(),
  reason: z.string().optional(),
});

/** Every kind the bot keeps. A key under none of these prefixes is not the bot's and is read as it is. */
export const RECORD_KINDS: readonly RecordKind[] = [
  shard,
  anything('watches/by-conversation/'), // earlier versions' index: no longer read
  whole('outbox/', outboxEntry),
  whole('leases/shards/', lease),
  whole('digest/', digestDay),
  instances,
  audit,
  whole('tokens/', sealedTokenCache),
  // A used sign-in ticket (src/teams/signin.ts): the round trip's state itself is signed, never stored.
  whole('signin/state/', z.looseObject({ at })),
  whole('signin/codes/', z.looseObject({ oid: z.string(), tid: z.string(), at })),
  whole('signin/pending/', z.looseObject({ work: pendingWork, at })),
  anything('signin/exchanges/'), // only its existence counts
  anything('welcome/'), // only its existence counts
  whole('dedupe/', dedupe),
  // Who changed an item through the bot (src/notifications/authors.ts).
  whole('authored/', authored),
  whole('reminders/', reminder),
  whole('notify/setters/', setterLog),
];

/** The kind of `key`, or undefined for a key that is not the bot's. */
export function kindOf(key: string): RecordKind | undefined {
  let best: RecordKind | undefined;
  for (const k of RECORD_KINDS) if (key.startsWith(k.prefix) && (!best || k.prefix.length > best.prefix.length)) best = k;
  return best;
}

/** The envelope KeyValueStore keeps under a key: `value` of the key's kind, and a numeric expiry if any. */
export function checkEnvelope(key: string, item: unknown): Checked {
  if (!isObject(item)) return { ok: false, reason: 'record: not an object' };
  if (item.expiresAt !== undefined && typeof item.expiresAt !== 'number') return { ok: false, reason: 'expiresAt: not a time' };
  const kind = kindOf(key);
  if (!kind) return { ok: true, value: item.value, dropped: [] };
  if (!('value' in item) || item.value === undefined) return { ok: false, reason: 'value: missing' };
  return kind.check(item.value);
}

/** The schemas, for test/storage/record-types.ts, which ties each to the type the code uses. */
export const SCHEMAS = { digestDay, watch, snapshot, watchKind, watchState, itemView, auditEntry, auditAction, pendingWork, authored, reminder, setterLog };
