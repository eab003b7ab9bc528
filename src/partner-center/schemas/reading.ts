/**
 * Reading Partner Center resources, the part every resource family shares. Reading is tolerant, as the
 * service is: the documented casing (PascalCase in requests, camelCase in responses) is accepted either
 * way, enums may come as strings or integers, unknown enum values are kept (never rejected), and
 * `0001-01-01T00:00:00` (.NET's DateTime.MinValue) means "no date".
 */
import { z } from 'zod';

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
export function enumValue(values: readonly string[], v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return values[v] ?? String(v);
  if (typeof v === 'string') {
    // "AttentionNeeded", "attention_needed" and "attentionNeeded" are the same value.
    const snake = v.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    return values.includes(snake) ? snake : v;
  }
  return v;
}

/** A string enum that also accepts the integer form and keeps values it does not know. */
export function tolerantEnum<const T extends readonly string[]>(values: T) {
  return z.preprocess((v) => enumValue(values, v), z.string() as z.ZodType<T[number] | (string & {})>);
}

const NO_DATE = /^0001-01-01/;
/** An ISO date, or null for "no date" (missing, null, or DateTime.MinValue). */
export const pcDate = z.preprocess(
  (v) => (v === undefined || v === null || v === '' || (typeof v === 'string' && NO_DATE.test(v)) ? null : v),
  z.string().nullable(),
);
/** A date that may be absent (undefined: Partner Center did not say) or null (it says there is none). */
export const pcDateOrNone = z.preprocess((v) => (v === '' || (typeof v === 'string' && NO_DATE.test(v)) ? null : v), z.string().nullable()).optional();
export const str = z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string()).nullish();

export function resource<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(camelizeKeys, z.looseObject(shape));
}

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
