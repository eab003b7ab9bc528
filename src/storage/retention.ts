/**
 * How long each kind of write-once record is kept. Every record under one of these prefixes gets an
 * `expiresAt` when it is written (unless the write names its own `ttlMs`); reads then take it for absent
 * and the sweep deletes it. One table, so every feature's records expire on the file store and on Blob
 * storage alike, and nothing grows without bound.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface RetentionRule {
  prefix: string;
  ttlMs: number;
  /** Why this long. */
  why: string;
}

export const RETENTION: readonly RetentionRule[] = [
  { prefix: 'dedupe/', ttlMs: 7 * DAY, why: 'a card action re-delivered or double-clicked within days runs once' },
  { prefix: 'welcome/', ttlMs: 365 * DAY, why: 'a conversation is welcomed once a year at most' },
  { prefix: 'outbox/', ttlMs: 30 * DAY, why: 'a change is delivered (or dropped) long before; the key stops a re-post of the same change' },
  { prefix: 'digest/', ttlMs: 7 * DAY, why: "a digest's claim on a day is read on that day only; a week leaves room for any clock skew" },
  { prefix: 'signin/state/', ttlMs: HOUR, why: 'a sign-in ticket (valid 10 minutes) is marked used here' },
  { prefix: 'signin/codes/', ttlMs: HOUR, why: 'a sign-in code is valid 10 minutes' },
  { prefix: 'signin/pending/', ttlMs: HOUR, why: 'the command waiting for sign-in is kept 15 minutes' },
  { prefix: 'signin/exchanges/', ttlMs: DAY, why: "duplicates of one SSO exchange arrive within seconds" },
];

/** The retention of a key, or undefined: kept until deleted. */
export function ttlFor(key: string): number | undefined {
  return RETENTION.find((r) => key.startsWith(r.prefix))?.ttlMs;
}
