/**
 * zod schemas of the activity log ("Get a record of Partner Center activity", "Auditing resources":
 * AuditRecord). Kept apart from schemas.ts, which is being split by resource family.
 *
 * A record is read as leniently as every other resource: any key casing, a number where a string is
 * expected, unknown operation types and statuses kept as sent. `resourceOldValue` and `resourceNewValue`
 * are JSON *strings* (the resource serialised by the service, PascalCase): they are kept as strings here
 * and only ever shown through `changedFields` (activity.ts), never raw.
 */
import { z } from 'zod';
import { camelizeKeys, customerIdSchema } from './schemas';

const text = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string()).nullish();
/** `0001-01-01…` is .NET's "no date". */
const date = z.preprocess((v) => (v === '' || (typeof v === 'string' && /^0001-01-01/.test(v)) ? null : v), z.string().nullish());

/** The documented `operationStatus` values (the REST reference's enum: decline, failed, progress, succeeded). */
export const OPERATION_STATUSES = ['succeeded', 'failed', 'progress', 'decline'] as const;

export const auditRecordSchema = z.preprocess(
  camelizeKeys,
  z.looseObject({
    id: text,
    partnerId: text,
    customerId: text,
    customerName: text,
    userPrincipalName: text,
    applicationId: text,
    resourceType: text,
    resourceOldValue: text,
    resourceNewValue: text,
    operationType: text,
    operationDate: date,
    operationStatus: text,
    originalCorrelationId: text,
    customizedData: z
      .array(z.looseObject({ key: text, value: text }).catch({ key: null, value: null }))
      .nullish()
      .catch(undefined),
  }),
);
export type AuditRecord = z.infer<typeof auditRecordSchema>;

/** The documented filters: one per request (the API takes one SimpleFieldFilter). */
export type ActivityFilter =
  | { field: 'customerId'; value: string }
  | { field: 'companyName'; value: string }
  | { field: 'resourceType'; value: string };

export const activityFilterSchema = z.discriminatedUnion('field', [
  z.object({ field: z.literal('customerId'), value: customerIdSchema }),
  z.object({ field: z.literal('companyName'), value: z.string().trim().min(1).max(200) }),
  z.object({ field: z.literal('resourceType'), value: z.string().trim().regex(/^[a-z_]{1,64}$/i) }),
]);

const instant = z.union([z.date(), z.string().refine((s) => !Number.isNaN(Date.parse(s))), z.number().finite()]).transform((v) => new Date(v));

export const activityQuerySchema = z.object({
  /** From when (default: 30 days ago, the service's default). Sent as a date: the service works by day. */
  from: instant.optional(),
  /** Until when (default: now). */
  to: instant.optional(),
  filter: activityFilterSchema.optional(),
  /** Records per page (the throttling guidance's example asks for 50). */
  size: z.number().int().min(1).max(500).default(100),
  /** The opaque `next` of the previous page: the rest of the query is then ignored, as the SDK's enumerator does. */
  next: z.string().min(1).max(8192).optional(),
});
export type ActivityQuery = z.input<typeof activityQuerySchema>;
