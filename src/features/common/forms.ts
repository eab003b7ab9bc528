/**
 * Card submissions are untrusted input: a client can send anything in `value.action.data`. Each form is
 * validated with the same zod schemas the Partner Center client enforces, and every problem becomes a
 * localized message next to its field: the schemas carry message keys (`field.*`), shown here as they are.
 */
import type { z } from 'zod';
import type { Translator } from '../../i18n';
import { fieldMessage } from '../../partner-center/schemas';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** Largest card submission accepted, in characters of JSON: the longest form (a service request) fits easily. */
export const MAX_SUBMISSION_CHARS = 16_000;

/**
 * Parses with `schema`; on failure returns one localized message per field. `rename` maps schema paths to
 * the form's input ids (e.g. `notes` → `text`); problems without a field go to `_form`.
 */
export function validateForm<S extends z.ZodType, F extends string>(
  tr: Translator,
  schema: S,
  input: unknown,
  rename: Record<string, F> = {},
): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors<F | '_form'> } {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors<F | '_form'> = {};
  for (const issue of r.error.issues) {
    const top = String(issue.path[0] ?? '');
    const field = (rename[top] ?? (top || '_form')) as F | '_form';
    errors[field] ??= tr.text(fieldMessage(issue));
  }
  return { ok: false, errors };
}

/** Form values as the card sent them: strings only, trimmed of nothing, truncated for re-display. */
export function echoValues<K extends string>(data: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = data[k];
    if (typeof v === 'string') out[k] = v.slice(0, 8000);
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Input.Number and Input.Toggle arrive as strings from Teams: read them as the types the schemas expect. */
export function asNumber(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return v === '' ? undefined : v;
}

export function asBoolean(v: unknown): unknown {
  if (v === 'true') return true;
  if (v === 'false') return false;
  return v;
}
