/**
 * When a daily deadlines digest is due: every day at DIGEST_HOUR_UTC, from the first such hour after the
 * digest was set. Days are UTC days (the hour is UTC): a digest's record of a day is keyed by its yyyy-mm-dd.
 */
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** The day (days since 1970-01-01 UTC) whose posting hour is the latest at or before `now`. */
export function dueDay(now: number, hourUtc: number): number {
  return Math.floor((now - hourUtc * HOUR_MS) / DAY_MS);
}

/** The posting hour of `day`. */
export function slotOf(day: number, hourUtc: number): number {
  return day * DAY_MS + hourUtc * HOUR_MS;
}

/** The first posting hour at or after `createdAt`: a digest set at 10:00 first posts the next morning, not at once. */
export function firstRunAt(createdAt: number, hourUtc: number): number {
  return slotOf(Math.ceil((createdAt - hourUtc * HOUR_MS) / DAY_MS), hourUtc);
}

/** The record key's day: yyyy-mm-dd. */
export function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * When a digest posts next, as `watches` says it: its first posting hour until that has come; the next
 * day's once today's run is done (posted, nothing due, or failed its last attempt: digest.ts records a
 * failure only then); else today's hour, already past (`due`): the run starts at the notifier's next cycle
 * (a paused one once the setter can read again). `lastRun` is the watch's record of its latest run (digest.ts writes it).
 */
export function nextRunAt(createdAt: number, lastRun: { day: string; outcome: string } | undefined, now: number, hourUtc: number): { at: number; due: boolean } {
  const first = firstRunAt(createdAt, hourUtc);
  if (first > now) return { at: first, due: false };
  const today = dueDay(now, hourUtc);
  const done = lastRun?.day === dayKey(today) && lastRun.outcome !== 'paused';
  return done ? { at: slotOf(today + 1, hourUtc), due: false } : { at: slotOf(today, hourUtc), due: true };
}
