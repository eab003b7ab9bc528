/**
 * A reminder's record (reminders.ts says how it is scheduled and run): what it is about, where it posts,
 * whose token re-reads, and where it stands. Its key names its partition (whose lease holder runs it) and an
 * id derived from kind, subscription, date and conversation, so the same reminder asked twice is one record.
 */
import { createHash } from 'node:crypto';
import type { ConversationReference } from 'botbuilder';
import type { Actor } from '../identity';

export interface ReminderSettings {
  /** How long before a seat window closes the reminder is due. */
  windowLeadMs: number;
  /** How long before a term ends (auto-renew on) the renewal reminder is due. */
  renewalLeadMs: number;
}

export const DEFAULT_REMINDERS: ReminderSettings = { windowLeadMs: 24 * 3_600_000, renewalLeadMs: 7 * 86_400_000 };

export type ReminderKind = 'window' | 'renewal';
export type ReminderState = 'scheduled' | 'claimed' | 'sent' | 'skipped';

export interface Reminder {
  id: string;
  kind: ReminderKind;
  customerId: string;
  customerName: string;
  subscriptionId: string;
  /** What it is about, as Partner Center stated it: the window's allowedUntilDateTime, or the term's end date. */
  date: string;
  dueAt: number;
  /** The partition of the user it belongs to (partitionOf): whose lease holder runs it. */
  partition: number;
  reference: Partial<ConversationReference>;
  conversationKey: string;
  /** Whose token reads the subscription again: who added the seats, or who set the watch. */
  user: Actor;
  locale: string;
  /** An IANA time zone Teams gave the person; without one, dates are in UTC, labelled. */
  timeZone?: string;
  /** Window: the seats it is about (those added through the bot; else all of that window's). */
  seats?: number;
  /** Who added the seats through the bot, and when; `personal`: in a one-to-one chat ("You added…"). */
  by?: { name: string; at: number; personal: boolean };
  watchId?: string;
  state: ReminderState;
  claimedBy?: string;
  claimedAt?: number;
  sentId?: string;
  reason?: string;
}

export const REMINDERS = 'reminders/';
export const prefixOf = (partition: number) => `${REMINDERS}${partition}/`;
/** The partition a key is filed under (-1 when it is not a reminder's key). */
export const partitionOfKey = (key: string): number => {
  const p = Number(key.slice(REMINDERS.length).split('/')[0]);
  return Number.isInteger(p) ? p : -1;
};
export const reminderKey = (r: Pick<Reminder, 'partition' | 'id'>) => `${prefixOf(r.partition)}${r.id}`;
/** A record is kept this long after its date (a watch seeing the same window again finds it, and stays quiet). */
/** How often the records of the partitions held are listed again (see ReminderRunner.refreshIndex). */
export const LIST_EVERY_MS = 10 * 60_000;
const KEEP_AFTER_MS = 7 * 86_400_000;

export function idOf(kind: ReminderKind, subscriptionId: string, date: string, conversationKey: string): string {
  return createHash('sha256').update(JSON.stringify([kind, subscriptionId.toLowerCase(), Date.parse(date), conversationKey])).digest('base64url').slice(0, 24);
}

/** How long the record of `r` is kept from now (its date, plus a week). */
export function keepFor(r: Pick<Reminder, 'date' | 'dueAt'>, now: number): number {
  const end = Date.parse(r.date);
  return Math.max(60_000, (Number.isNaN(end) ? r.dueAt : end) + KEEP_AFTER_MS - now);
}

