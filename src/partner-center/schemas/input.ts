/**
 * The inputs of the client's methods, the part every resource family shares. Writing is strict: invalid
 * input to a client method is refused before any request is sent.
 *
 * Every refusal carries an i18n message key (`field.*`), never English: forms show it in the user's
 * language next to the field, and a client-side `invalid-input` error lists the fields with their keys.
 */
import { z } from 'zod';
import type { FieldKey, FieldMessage, FieldProblem } from '../errors';

/** The message keys input schemas use. */
export const M = {
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

/** Free text as a form sends it: newlines normalised, trimmed, required, bounded. */
export const text = (max: number) =>
  z
    .string(M.invalid)
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, M.required).max(max, M.tooLong))
    // Control characters other than tab and newline have no business in a service request.
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), M.controlChars);

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
