/**
 * zod schemas for Partner Center resources and for the inputs of the client's methods.
 *
 * Reading is tolerant, as the service is: the documented casing (PascalCase in requests, camelCase in
 * responses) is accepted either way, enums may come as strings or integers, unknown enum values are kept
 * (never rejected), and `0001-01-01T00:00:00` (.NET's DateTime.MinValue) means "no date".
 * Writing is strict: invalid input to a client method is refused before any request is sent.
 */
import { z } from 'zod';
import type { FieldKey, FieldMessage, FieldProblem } from './errors';

// ---------------------------------------------------------------------------------------------------------
// Reading helpers

/** A key as camelizeKeys writes it: the first letter lower-cased (`Items` → `items`). */
export function camelKey(k: string): string {
  return k.charAt(0).toLowerCase() + k.slice(1);
}

/** Lower-cases the first letter of every key, recursively: PascalCase and camelCase read the same. */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const c = camelizeKeys(v);
      changed ||= c !== v;
      return c;
    });
    return changed ? out : value;
  }
  if (value && typeof value === 'object') {
    // Responses are already camelCase: copy only when a key or a nested value actually changes.
    let out: Record<string, unknown> | undefined;
    const entries = Object.entries(value);
    for (let i = 0; i < entries.length; i++) {
      const [k, v] = entries[i]!;
      const key = camelKey(k);
      const val = camelizeKeys(v);
      if (!out && (key !== k || val !== v)) {
        out = {};
        for (let j = 0; j < i; j++) out[entries[j]![0]] = entries[j]![1];
      }
      if (out) out[key] = val;
    }
    return out ?? value;
  }
  return value;
}

/** An enum value as sent (a string in any casing, or the integer form), as the product names it; other values pass unchanged. */
function enumValue(values: readonly string[], v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return values[v] ?? String(v);
  if (typeof v === 'string') {
    // "AttentionNeeded", "attention_needed" and "attentionNeeded" are the same value.
    const snake = v.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    return values.includes(snake) ? snake : v;
  }
  return v;
}

/** A string enum that also accepts the integer form and keeps values it does not know. */
function tolerantEnum<const T extends readonly string[]>(values: T) {
  return z.preprocess((v) => enumValue(values, v), z.string() as z.ZodType<T[number] | (string & {})>);
}

const NO_DATE = /^0001-01-01/;
/** An ISO date, or null for "no date" (missing, null, or DateTime.MinValue). */
const pcDate = z.preprocess(
  (v) => (v === undefined || v === null || v === '' || (typeof v === 'string' && NO_DATE.test(v)) ? null : v),
  z.string().nullable(),
);
/** A date that may be absent (undefined: Partner Center did not say) or null (it says there is none). */
const pcDateOrNone = z.preprocess((v) => (v === '' || (typeof v === 'string' && NO_DATE.test(v)) ? null : v), z.string().nullable()).optional();
const str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string()).nullish();

function resource<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(camelizeKeys, z.looseObject(shape));
}

// ---------------------------------------------------------------------------------------------------------
// Resources

/** Integer order follows the Partner Center SDK enums (ServiceRequestSeverity, ServiceRequestStatus). */
export const SEVERITIES = ['unknown', 'critical', 'moderate', 'minimal'] as const;
export const SR_STATUSES = ['none', 'open', 'closed', 'attention_needed'] as const;
/** The .NET SDK's SubscriptionStatus order (None 0, Active 1, Suspended 2, Deleted 3, Expired 4, Pending 5, Disabled 6). */
export const SUBSCRIPTION_STATUSES = ['none', 'active', 'suspended', 'deleted', 'expired', 'pending', 'disabled'] as const;

export type Severity = (typeof SEVERITIES)[number];
export type ServiceRequestStatus = (typeof SR_STATUSES)[number];

const organization = z.looseObject({ id: str, name: str, phoneNumber: str });
const contact = z.looseObject({
  organization: organization.nullish(),
  contactId: str,
  lastName: str,
  firstName: str,
  email: str,
  phoneNumber: str,
});
const note = z.looseObject({ createdByName: str, createdDate: pcDate, text: z.string().nullish() });

export const serviceRequestSchema = resource({
  id: str,
  title: str,
  description: str,
  severity: tolerantEnum(SEVERITIES).nullish(),
  supportTopicId: str,
  supportTopicName: str,
  status: tolerantEnum(SR_STATUSES).nullish(),
  organization: organization.nullish(),
  primaryContact: contact.nullish(),
  lastUpdatedBy: contact.nullish(),
  productName: str,
  productId: str,
  createdDate: pcDate,
  lastModifiedDate: pcDate,
  lastClosedDate: pcDate,
  fileLinks: z.array(z.unknown()).nullish(),
  notes: z.array(note).nullish(),
  countryCode: str,
});
export type ServiceRequest = z.infer<typeof serviceRequestSchema>;
export type ServiceRequestNote = z.infer<typeof note>;

/** What the notifier compares of a listed service request (readServiceRequestState). */
export interface ServiceRequestState {
  id?: string;
  title?: string;
  status?: string;
  /** How many notes it has. */
  noteCount: number;
  /** The newest note's text. */
  lastNote?: string;
  /** Who wrote the newest note (its createdByName): what a notification names. */
  lastNoteBy?: string;
}

/**
 * Reads of a listed service request only what the notifier compares: its id, title, status, number of
 * notes and newest note's text, each exactly as serviceRequestSchema (through readLeniently) reads it: any
 * key casing, a number for a string, the integer form of the status, a field of an unexpected shape
 * dropped and named in `unreadable`, a note that is not an object not counted, an item that is not an
 * object not read at all. Nothing else of the resource is read or copied: reading a page of 200 this way
 * allocates about a tenth of what building the full resources does (test/notifications/listing.test.ts
 * holds the two readings equal).
 */
export function readServiceRequestState(raw: unknown): { ok: true; value: ServiceRequestState; unreadable: string[] } | { ok: false } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false };
  const unreadable: string[] = [];
  const text = (v: unknown, path: string): string | undefined => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (v !== undefined && v !== null) unreadable.push(path);
    return undefined;
  };
  let id: unknown, title: unknown, status: unknown, notes: unknown;
  // camelizeKeys' reading of the keys: the first letter lower-cased, the last of two spellings wins.
  for (const [k, v] of Object.entries(raw)) {
    const key = camelKey(k);
    if (key === 'id') id = v;
    else if (key === 'title') title = v;
    else if (key === 'status') status = v;
    else if (key === 'notes') notes = v;
  }
  const value: ServiceRequestState = { id: text(id, 'id'), title: text(title, 'title'), noteCount: 0 };
  const s = enumValue(SR_STATUSES, status);
  if (typeof s === 'string') value.status = s;
  else if (s !== undefined && s !== null) unreadable.push('status');
  if (Array.isArray(notes)) {
    for (const n of notes) {
      if (!n || typeof n !== 'object' || Array.isArray(n)) {
        unreadable.push('notes[]');
        continue;
      }
      value.noteCount++;
      let t: unknown;
      let by: unknown;
      for (const [k, v] of Object.entries(n)) {
        const key = camelKey(k);
        if (key === 'text') t = v;
        else if (key === 'createdByName') by = v;
      }
      value.lastNoteBy = typeof by === 'string' ? by : typeof by === 'number' ? String(by) : undefined;
      if (typeof t === 'string') value.lastNote = t;
      else {
        value.lastNote = undefined;
        if (t !== undefined && t !== null) unreadable.push('notes[].text');
      }
    }
  } else if (notes !== undefined && notes !== null) unreadable.push('notes');
  return { ok: true, value, unreadable: [...new Set(unreadable)] };
}

export const supportTopicSchema = resource({ id: z.preprocess((v) => String(v), z.string()), name: z.string(), description: str });
export type SupportTopic = z.infer<typeof supportTopicSchema>;

export const customerSchema = resource({
  id: z.string(),
  companyProfile: z
    .looseObject({ tenantId: str, domain: str, companyName: str })
    .nullish(),
  relationshipToPartner: str,
});
export type Customer = z.infer<typeof customerSchema>;

export const subscriptionSchema = resource({
  id: z.string(),
  offerId: str,
  offerName: str,
  friendlyName: str,
  quantity: z.number().int().nullish(),
  unitType: str,
  parentSubscriptionId: str,
  creationDate: pcDate,
  effectiveStartDate: pcDate,
  commitmentEndDate: pcDate,
  status: tolerantEnum(SUBSCRIPTION_STATUSES).nullish(),
  autoRenewEnabled: z.boolean().nullish(),
  billingType: str,
  billingCycle: str,
  termDuration: str,
  isTrial: z.boolean().nullish(),
  commitmentEndDateTime: pcDate,
  /** .NET SDK: the last date the partner can cancel this term; null when cancelling is not allowed. */
  cancellationAllowedUntilDate: pcDateOrNone,
  refundOptions: z.array(z.looseObject({ type: str, expiresAt: pcDate })).nullish(),
  /** .NET SDK RefundableQuantity: the seats that can still be removed, per return window. */
  refundableQuantity: z
    .looseObject({
      totalQuantity: z.number().int().nullish(),
      details: z.array(z.looseObject({ quantity: z.number().int().nullish(), allowedUntilDateTime: pcDate })).nullish(),
    })
    .nullish(),
  /** The actions Partner Center allows on this subscription now (e.g. "edit", "cancel"), when it says. */
  actions: z.array(z.string()).nullish(),
  productType: z.looseObject({ id: str, displayName: str }).nullish(),
  renewalTermDuration: str,
  /** What the next term will be ("Schedule changes for a new commerce subscription"); null when nothing is scheduled. */
  scheduledNextTermInstructions: z
    .looseObject({
      product: z.looseObject({ productId: str, skuId: str, availabilityId: str, billingCycle: str, termDuration: str, promotionId: str }).nullish(),
      quantity: z.number().int().nullish(),
      customTermEndDate: pcDateOrNone,
    })
    .nullish(),
  orderId: str,
  attributes: z.looseObject({ etag: str, objectType: str }).nullish(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;
export type NextTermInstructions = NonNullable<Subscription['scheduledNextTermInstructions']>;

/** New commerce (NCE) subscriptions have the `OnlineServicesNCE` product type or a `product:sku:availability` offer id. */
export function isNewCommerce(s: Pick<Subscription, 'productType' | 'offerId'>): boolean {
  return s.productType?.id === 'OnlineServicesNCE' || /^[A-Z0-9]+:[0-9]+:[A-Z0-9]+$/i.test(s.offerId ?? '');
}

export const supportProfileSchema = resource({
  email: str,
  telephone: str,
  website: str,
  profileType: str,
});
export type SupportProfile = z.infer<typeof supportProfileSchema>;

/**
 * A collection's envelope. Items are read one by one (read.ts), so one item Partner Center shapes in a
 * way the product does not expect is skipped and counted instead of failing the whole page.
 */
export const collectionSchema = z.preprocess(
  camelizeKeys,
  z.looseObject({
    totalCount: z.number().int().nullish().catch(undefined),
    items: z.array(z.unknown()).nullish().catch(undefined).transform((v) => v ?? []),
    continuationToken: str.catch(undefined),
    links: z
      .looseObject({
        next: z
          .looseObject({
            uri: z.string(),
            headers: z.array(z.looseObject({ key: z.string(), value: z.string() })).nullish(),
          })
          .nullish(),
      })
      .nullish()
      .catch(undefined),
  }),
);

// ---------------------------------------------------------------------------------------------------------
// Inputs (strict)
//
// Every refusal carries an i18n message key (`field.*`), never English: forms show it in the user's
// language next to the field, and a client-side `invalid-input` error lists the fields with their keys.

/** The message keys input schemas use. */
const M = {
  required: 'field.required',
  tooLong: 'field.tooLong',
  invalid: 'field.invalid',
  controlChars: 'field.controlChars',
  wholeNumber: 'field.wholeNumber',
  min: 'field.min',
  max: 'field.max',
  email: 'field.email',
  telephone: 'field.telephone',
  website: 'field.website',
  choice: 'field.choice',
  noChange: 'field.noChange',
  quantityWithStatus: 'field.quantityWithStatus',
} as const satisfies Record<string, FieldKey>;
const FIELD_KEYS: ReadonlySet<string> = new Set(Object.values(M));
const isFieldKey = (s: string): s is FieldKey => FIELD_KEYS.has(s);

/** Tenant, customer and subscription ids. The one GUID pattern of the product. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Service request ids: the current "get service request by id" page calls them alphanumeric, its examples
 * are numeric strings (`616122292874576`) and older pages say GUID. One pattern accepts all three, and the
 * grammar, the card data and the client all use it.
 */
export const SR_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
export const serviceRequestIdSchema = z.string(M.invalid).trim().regex(SR_ID_PATTERN, M.invalid);
export const customerIdSchema = z.string(M.invalid).trim().regex(GUID, M.invalid);
export const subscriptionIdSchema = z.string(M.invalid).trim().regex(GUID, M.invalid);

/** A locale such as `en-US`; normalised to the `ll-CC` form Partner Center uses in paths and X-Locale. */
export const localeSchema = z
  .string(M.invalid)
  .trim()
  .regex(/^[a-z]{2,3}-[a-z]{2}$/i, M.invalid)
  .transform((l) => `${l.slice(0, l.indexOf('-')).toLowerCase()}-${l.slice(l.indexOf('-') + 1).toUpperCase()}`);

/**
 * Length limits: Partner Center documents none; these match what its web form takes and keep a card
 * submission from smuggling megabytes through to the service.
 */
export const LIMITS = Object.freeze({ title: 200, description: 4000, note: 4000, friendlyName: 128, quantity: 100_000 });

const text = (max: number) =>
  z
    .string(M.invalid)
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, M.required).max(max, M.tooLong))
    // Control characters other than tab and newline have no business in a service request.
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), M.controlChars);

export const createServiceRequestInputSchema = z.strictObject({
  title: text(LIMITS.title),
  description: text(LIMITS.description),
  severity: z.enum(['critical', 'moderate', 'minimal'], M.choice),
  supportTopicId: z.string(M.choice).trim().regex(/^[A-Za-z0-9-]{1,64}$/, M.choice),
  notes: z.array(text(LIMITS.note)).max(10).optional(),
});
export type CreateServiceRequestInput = z.input<typeof createServiceRequestInputSchema>;

export const noteInputSchema = text(LIMITS.note);

export const subscriptionChangeSchema = z
  .strictObject({
    quantity: z.number(M.wholeNumber).int(M.wholeNumber).min(1, M.min).max(LIMITS.quantity, M.max).optional(),
    friendlyName: text(LIMITS.friendlyName).optional(),
    autoRenewEnabled: z.boolean(M.invalid).optional(),
    status: z.enum(['active', 'suspended', 'deleted'], M.choice).optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: M.noChange, path: [] })
  // Partner Center refuses this combination with 400/2001; say so before sending it.
  .refine((c) => c.quantity === undefined || c.status === undefined, {
    message: M.quantityWithStatus,
    path: ['quantity'],
  });
export type SubscriptionChange = z.input<typeof subscriptionChangeSchema>;

/** Seats for the next term, or `clear` to remove what is scheduled (scheduleNextTerm). */
export const nextTermChangeSchema = z.union([
  z.literal('clear'),
  z.strictObject({ quantity: z.number(M.wholeNumber).int(M.wholeNumber).min(1, M.min).max(LIMITS.quantity, M.max) }),
]);
export type NextTermChange = z.input<typeof nextTermChangeSchema>;

/** True when the subscription shows every field of the change (a 202 change has landed). */
export function reflectsChange(s: Subscription, change: SubscriptionChange): boolean {
  return (
    (change.quantity === undefined || s.quantity === change.quantity) &&
    (change.friendlyName === undefined || s.friendlyName === change.friendlyName) &&
    (change.autoRenewEnabled === undefined || s.autoRenewEnabled === change.autoRenewEnabled) &&
    (change.status === undefined || s.status === change.status)
  );
}

export const supportProfileChangeSchema = z
  .strictObject({
    email: z.string(M.email).trim().max(254, M.tooLong).pipe(z.email(M.email)).optional(),
    telephone: z
      .string(M.telephone)
      .trim()
      .regex(/^\+?[0-9 ().-]{4,32}$/, M.telephone)
      .optional(),
    website: z
      .string(M.website)
      .trim()
      .max(2048, M.tooLong)
      .regex(/^(https?:\/\/)?([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?(\/\S*)?$/i, M.website)
      .optional(),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: M.noChange, path: [] });
export type SupportProfileChange = z.input<typeof supportProfileChangeSchema>;

export const customerSearchSchema = z.strictObject({
  field: z.enum(['companyName', 'domain']),
  prefix: z.string(M.required).trim().min(1, M.required).max(256, M.tooLong),
  size: z.number().int().min(1).max(500).default(50),
  continuationToken: z.string().max(4096).optional(),
});
export type CustomerSearch = z.input<typeof customerSearchSchema>;

export const serviceRequestListSchema = z.strictObject({
  status: z.enum(SR_STATUSES).optional(),
  offset: z.number().int().min(0).default(0),
  size: z.number().int().min(1).max(200).default(20),
});
export type ServiceRequestListQuery = z.input<typeof serviceRequestListSchema>;

/**
 * The message key of one zod issue, with its values: the key the schema gave, else one chosen by the kind
 * of issue (zod's own English is never shown).
 */
export function fieldMessage(issue: z.core.$ZodIssue): FieldMessage {
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; origin?: string; expected?: string };
  const key = isFieldKey(i.message) ? i.message : byCode(i);
  switch (key) {
    case 'field.tooLong':
    case 'field.max':
      return { key, params: { max: Number(i.maximum ?? 0) } };
    case 'field.min':
      return { key, params: { min: Number(i.minimum ?? 0) } };
    default:
      return { key };
  }
}

function byCode(i: z.core.$ZodIssue & { origin?: string; expected?: string }): FieldKey {
  switch (i.code) {
    case 'too_small':
      return i.origin === 'number' ? M.min : M.required;
    case 'too_big':
      return i.origin === 'number' ? M.max : M.tooLong;
    case 'invalid_type':
      return i.expected === 'number' || i.expected === 'int' ? M.wholeNumber : M.invalid;
    case 'invalid_value':
      return M.choice;
    default:
      return M.invalid;
  }
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'input', ...fieldMessage(i) }));
}
