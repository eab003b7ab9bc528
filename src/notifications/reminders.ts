/**
 * Reminders: durable timers on the store the notifier already has (STYLE.md, "Durable timers on the outbox
 * you have"). A reminder is a write-once record with a due time: before a new-commerce seat window closes
 * (after seats were added through the bot, or seen on a watched subscription), and before a watched
 * subscription renews with auto-renew on. There is no second scheduler: the instance holding a partition's
 * lease runs that partition's due reminders in its notification cycle, on the injected clock.
 *
 * The record's key is derived from what it is about (kind, subscription, the window's or term's end date)
 * and where it posts (the conversation): asked twice (a seat add seen again by a watch, two cycles, two
 * instances) it is one record, created once (createIfAbsent).
 *
 * Running one: claim it (an ETag-guarded write: `claimed` by this instance), read the subscription again as
 * the user it belongs to (one GET, within the partner's request budget), post only if what it says is still
 * true (the seats are still removable until that date; the term still ends then, with auto-renew on), then
 * mark it `sent` (or `skipped`, with why). A reminder whose user can no longer get a token is skipped and
 * logged, never posted.
 *
 * What a crash can cause (the outbox's semantics, see notifier.ts): nothing is lost, since a record stays
 * `scheduled` until claimed, and a claim older than one lease period is taken for its instance's crash and
 * run again. So a post Teams accepted just before a crash, whose `sent` mark was not written yet (one storage
 * write), is posted again, once. Two instances never both post: only the lease holder runs a partition, the
 * claim is one conditional write that only one of them wins, and an instance whose re-read outlasted a lease
 * period renews its claim (conditionally) before posting: if the partition's new holder claimed it
 * meanwhile, the slow one posts nothing. What remains is a post to Teams itself taking longer than a lease
 * period (NOTIFY_LEASE_MS, 90 s by default), where both could post.
 */
import type { ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render';
import { SignInRequiredError, type Actor } from '../identity';
import { isPartnerCenterError, type Subscription, type UserContext } from '../partner-center';
import { DEFAULT_BUDGET, RequestBudget } from '../partner-center/budget';
import { isNewCommerce, openSeatWindows, renewalOf } from '../partner-center/deadlines';
import { isETagConflict, type KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import type { NotificationParts } from './parts';
import type { Observation } from './observations';
import { actedOnCard, reminderCard, type ActedOn } from './reminders-cards';
import { DeliveryError } from './sender';
import { DEFAULT_REMINDERS, idOf, keepFor, LIST_EVERY_MS, partitionOfKey, prefixOf, reminderKey, type Reminder, type ReminderSettings } from './reminders-record';
import { conversationKeyOf, partitionOf, PARTITIONS, postingReference, type Watch } from './watches';

/** Replaces the card of a posted activity (the bot's Teams delivery gives it; see ReminderBook.actedOn). */
export type CardReplacer = (reference: Partial<ConversationReference>, activityId: string, card: AdaptiveCard) => Promise<void>;

export { DEFAULT_REMINDERS, reminderKey, type Reminder, type ReminderKind, type ReminderSettings, type ReminderState } from './reminders-record';

/** What the bot knows of the person who just added seats (the command's Turn has all of it). */
export interface Asker {
  actor: Actor;
  reference: Partial<ConversationReference>;
  locale: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  /** The reader's time zone, read when the turn began (the turn's context may be gone by now). */
  timeZone?: string;
}

/** The bot's side: schedules the reminder of a seat add (src/features/subscriptions/handlers.ts calls it). */
export class ReminderBook {
  constructor(
    private readonly store: KeyValueStore,
    private readonly clock: Clock,
    private readonly settings: ReminderSettings = DEFAULT_REMINDERS,
    /** Replaces a posted card in place (Teams' updateActivity, by the id the post got); without it, posted reminders stay as they are. */
    private readonly updateCard?: CardReplacer,
  ) {}

  /**
   * What a seat add made in this turn will be reminded with, captured now (the turn's context is valid only
   * while the turn is served; a 202 lands later). The function it returns is called with the subscription
   * before and after the write (as Partner Center answered it, or as read once it landed): when seats were
   * added to a new-commerce subscription, it schedules a reminder in this conversation before the window of
   * those seats closes. The window is the one Partner Center states for the newest batch (the latest
   * allowedUntilDateTime); none stated yet, no reminder.
   */
  forTurn(t: Asker, customer: { id: string; name: string }): (before: Subscription, after: Subscription) => Promise<boolean> {
    const reference = postingReference(t.reference);
    const conversationKey = conversationKeyOf(reference);
    const timeZone = t.timeZone;
    const user: Actor = { id: t.actor.id, name: t.actor.name, tenantId: t.actor.tenantId };
    const personal = t.conversationType === 'personal';
    const locale = t.locale;
    const scheduleAdded = async (before: Subscription, after: Subscription): Promise<boolean> => {
      const added = (after.quantity ?? 0) - (before.quantity ?? 0);
      if (added <= 0 || !isNewCommerce(after)) return false;
      const now = this.clock.now();
      const window = openSeatWindows(after, now).at(-1);
      if (!window) return false;
      return this.schedule({
        id: idOf('window', after.id, window.until, conversationKey),
        kind: 'window',
        customerId: customer.id,
        customerName: customer.name,
        subscriptionId: after.id,
        date: window.until,
        dueAt: Date.parse(window.until) - this.settings.windowLeadMs,
        partition: partitionOf(user),
        reference,
        conversationKey,
        user,
        locale,
        ...(timeZone ? { timeZone } : {}),
        seats: Math.min(added, window.quantity),
        by: { name: user.name, at: now, personal },
        state: 'scheduled',
      });
    };
    return async (before, after) => {
      // Both, independently: a reminder card not replaced does not keep the next one from being scheduled.
      const acted = this.actedOn(before, after, { conversationKey, partition: partitionOf(user), name: user.name }).then(
        () => undefined,
        (e: unknown) => new Error('a posted reminder card was not replaced', { cause: e }),
      );
      const scheduled = await scheduleAdded(before, after);
      const failed = await acted;
      if (failed) throw failed;
      return scheduled;
    };
  }

  /**
   * A change made through the bot that answers this conversation's reminders about the subscription (its
   * seats removed, it cancelled, its auto-renew turned off): each such reminder already posted has its card
   * replaced in place, saying who did what and when, without the button that would now do something else
   * (Remove N seats would remove seats the window may no longer hold). A reminder not posted yet needs
   * nothing: it reads the subscription again before posting, and stays quiet (stillTrue). Only this
   * conversation's are found (a record's id names its conversation); a change made elsewhere leaves the
   * card as it was, and its button's confirmation shows the seats as they are then.
   */
  private async actedOn(before: Subscription, after: Subscription, here: { conversationKey: string; partition: number; name: string }): Promise<void> {
    const update = this.updateCard;
    if (!update) return;
    const cancelled = after.status === 'deleted' && before.status !== 'deleted';
    const removed = (before.quantity ?? 0) - (after.quantity ?? 0);
    const keys = new Map<string, ActedOn>();
    const key = (kind: 'window' | 'renewal', date: string) => reminderKey({ partition: here.partition, id: idOf(kind, after.id, date, here.conversationKey) });
    if (cancelled || removed > 0) {
      for (const d of before.refundableQuantity?.details ?? []) if (d.allowedUntilDateTime) keys.set(key('window', d.allowedUntilDateTime), cancelled ? { what: 'cancelled' } : { what: 'seats', count: removed });
    }
    const endDate = renewalOf(before).endDate;
    if (endDate && (cancelled || (before.autoRenewEnabled === true && after.autoRenewEnabled === false))) keys.set(key('renewal', endDate), { what: cancelled ? 'cancelled' : 'autoRenewOff' });
    if (keys.size === 0) return;
    const now = this.clock.now();
    for (const [k, rec] of await this.store.getMany<Reminder>([...keys.keys()])) {
      const r = rec.value;
      if (r.state !== 'sent' || !r.sentId) continue;
      // The card is replaced first: a failed replacement leaves the reminder as it was, and is only logged by the caller.
      await update(r.reference, r.sentId, actedOnCard(r, after, { ...keys.get(k)!, by: here.name, at: now }));
    }
  }

  /** Writes the reminder unless the same one is there; true when this call created it. */
  async schedule(r: Reminder): Promise<boolean> {
    return this.store.createIfAbsent<Reminder>(reminderKey(r), r, { ttlMs: keepFor(r, this.clock.now()) });
  }
}


export interface ReminderRunnerOptions extends NotificationParts {
  settings?: ReminderSettings;
  /** The partner tenants' request budget (shared with `renewals`); default: its own, at the default share. */
  budget?: RequestBudget;
}

/** The notifier's side: derives reminders from what a cycle saw, and runs the due ones of this instance's partitions. */
export class ReminderRunner {
  private readonly settings: ReminderSettings;
  private readonly budget: RequestBudget;
  /** Keys this instance saw settled (sent or skipped): not read again. */
  private readonly settled = new Set<string>();
  /** Keys this instance created or found already there from what watches saw: not written again. */
  private readonly known = new Set<string>();
  /** Records of this instance's partitions not settled yet, with when each is due (-Infinity: not read yet). */
  private readonly pending = new Map<string, number>();
  /** Partitions listed since they were last taken, and when every held one was last listed. */
  private readonly listed = new Set<number>();
  private listedAt = -Infinity;

  constructor(private readonly o: ReminderRunnerOptions) {
    this.settings = o.settings ?? DEFAULT_REMINDERS;
    this.budget = o.budget ?? new RequestBudget(DEFAULT_BUDGET, o.clock);
  }

  /** One step of a notification cycle: what `watches` (this instance's) saw now, then every due reminder. */
  async cycle(watches: Watch[], observations: Observation[]): Promise<{ partnerCenterCalls: number; posted: number }> {
    await this.fromObservations(watches, observations);
    return this.runDue();
  }

  /**
   * A watched subscription with a seat window closing within the lead, or a term ending within the renewal
   * lead with auto-renew on: its reminder, due now, in the watch's conversation (one record per conversation,
   * window or term, however many cycles see it).
   */
  private async fromObservations(watches: Watch[], observations: Observation[]): Promise<void> {
    const now = this.o.clock.now();
    const byCustomer = new Map<string, Observation[]>();
    for (const ob of observations) {
      if (ob.item.kind !== 'subscription' || !ob.resource) continue;
      const k = `${ob.tenantId.toLowerCase()}|${ob.item.customerId.toLowerCase()}`;
      const list = byCustomer.get(k);
      if (list) list.push(ob);
      else byCustomer.set(k, [ob]);
    }
    for (const w of watches) {
      if (w.kind !== 'subs' || w.state !== 'active' || !w.customerId) continue;
      for (const ob of byCustomer.get(`${w.setBy.tenantId.toLowerCase()}|${w.customerId.toLowerCase()}`) ?? []) {
        const s = ob.resource!;
        const base = { customerId: w.customerId, customerName: w.customerName ?? w.customerId, subscriptionId: s.id, partition: partitionOf(w.setBy), reference: w.reference, conversationKey: w.conversationKey, user: w.setBy, locale: w.locale, watchId: w.id, state: 'scheduled' as const };
        for (const win of isNewCommerce(s) ? openSeatWindows(s, now) : []) {
          const dueAt = Date.parse(win.until) - this.settings.windowLeadMs;
          if (dueAt <= now) await this.create({ ...base, id: idOf('window', s.id, win.until, w.conversationKey), kind: 'window', date: win.until, dueAt, seats: win.quantity });
        }
        const r = renewalOf(s);
        if (!r.renews || !r.endDate || !r.processingFrom) continue;
        const dueAt = Date.parse(r.endDate) - this.settings.renewalLeadMs;
        if (dueAt <= now && now < Date.parse(r.processingFrom)) await this.create({ ...base, id: idOf('renewal', s.id, r.endDate, w.conversationKey), kind: 'renewal', date: r.endDate, dueAt });
      }
    }
  }

  private async create(r: Reminder): Promise<void> {
    const key = reminderKey(r);
    if (this.known.has(key)) return;
    await this.o.store.createIfAbsent<Reminder>(key, r, { ttlMs: keepFor(r, this.o.clock.now()) });
    this.known.add(key);
    if (!this.settled.has(key)) this.pending.set(key, -Infinity); // read at once: it may be another's already
  }

  /**
   * Which records this instance's partitions hold, and when each is due: listed when a partition is first
   * held, then every LIST_EVERY_MS (listing costs a read of every record in the file store, so it is not
   * done every cycle); a record is read again only once it is due. A reminder another instance's bot just
   * scheduled is due days later (a window lead before a 7-day window ends), well after the next listing.
   */
  private async refreshIndex(now: number): Promise<void> {
    const stale = now - this.listedAt >= LIST_EVERY_MS || now < this.listedAt;
    for (let p = 0; p < PARTITIONS; p++) {
      if (!this.o.leases.holds(p)) {
        this.listed.delete(p);
        continue;
      }
      if (!stale && this.listed.has(p)) continue;
      for (const k of await this.o.store.state.list(prefixOf(p))) if (!this.settled.has(k) && !this.pending.has(k)) this.pending.set(k, -Infinity);
      this.listed.add(p);
    }
    if (stale) this.listedAt = now;
  }

  /** Runs every due reminder of the partitions this instance holds. */
  private async runDue(): Promise<{ partnerCenterCalls: number; posted: number }> {
    const out = { partnerCenterCalls: 0, posted: 0 };
    const before = this.o.clock.now();
    await this.refreshIndex(before);
    const keys = [...this.pending].filter(([k, due]) => due <= before && this.o.leases.holds(partitionOfKey(k))).map(([k]) => k);
    if (keys.length === 0) return out;
    const records = await this.o.store.getMany<Reminder>(keys);
    for (const key of keys) {
      const rec = records.get(key);
      if (!rec) {
        this.pending.delete(key); // expired, or set aside: nothing to run
        continue;
      }
      const { value: r, eTag } = rec;
      if (!this.o.leases.holds(r.partition)) continue; // the lease went to another instance meanwhile: theirs now
      const now = this.o.clock.now();
      if (r.state === 'sent' || r.state === 'skipped') {
        this.settle(key);
        continue;
      }
      this.pending.set(key, r.dueAt);
      // A claim older than one lease period belongs to an instance that stopped (crashed) before marking it.
      const runnable = r.dueAt <= now && (r.state === 'scheduled' || (r.claimedAt ?? 0) + this.o.leases.leaseMs <= now);
      if (!runnable) continue;
      const claimed: Reminder = { ...r, state: 'claimed', claimedBy: this.o.leases.instanceId, claimedAt: now };
      if (!(await this.write(key, claimed, eTag))) continue; // another instance claimed it first
      const r2 = await this.run(key, claimed);
      out.partnerCenterCalls += r2.calls;
      if (r2.posted) out.posted++;
    }
    return out;
  }

  private settle(key: string): void {
    this.settled.add(key);
    this.pending.delete(key);
  }

  /** Reads the subscription again, posts if still true, marks the outcome. */
  private async run(key: string, r: Reminder): Promise<{ calls: number; posted: boolean }> {
    const log = this.o.logger.child({ reminder: r.id, kind: r.kind });
    const tenant = r.user.tenantId;
    const user: UserContext = { getToken: this.o.tokens.tokenFor(r.user), tenantId: tenant, locale: r.locale, onThrottled: (ms) => this.budget.pause(tenant, ms) };
    let s: Subscription | undefined;
    try {
      s = await this.budget.run(tenant, () => this.o.client.getSubscription(user, r.customerId, r.subscriptionId));
    } catch (e) {
      if (e instanceof SignInRequiredError) {
        log.warn({ user: r.user.id }, 'reminder not posted: its user can no longer get a Partner Center token');
        await this.finish(key, r, { state: 'skipped', reason: 'signed-out' });
        return { calls: 0, posted: false };
      }
      if (isPartnerCenterError(e) && (e.status === 404 || e.status === 403)) {
        await this.finish(key, r, { state: 'skipped', reason: `partner-center-${e.status}` });
        return { calls: 1, posted: false };
      }
      // A passing failure: back to scheduled, the next cycle tries again (while it is still before the date).
      log.warn({ err: e }, 'reminder: the subscription could not be read; next cycle will try again');
      await this.finish(key, r, { state: 'scheduled' });
      return { calls: 1, posted: false };
    }
    const now = this.o.clock.now();
    const still = stillTrue(r, s, now);
    if (!still) {
      log.debug('reminder not posted: no longer true');
      await this.finish(key, r, { state: 'skipped', reason: 'no-longer-true' });
      return { calls: 1, posted: false };
    }
    // Still ours? A read that outlasted a lease period may have been taken for a crash, and the reminder
    // claimed again by whoever holds the partition now: then it is theirs to post, not this instance's.
    const mine = await this.renew(key, r);
    if (!mine) {
      log.info('reminder claimed by another instance meanwhile: not posted here');
      return { calls: 1, posted: false };
    }
    try {
      const sentId = await this.o.sender.post(r.reference, reminderCard(r, s, still.seats, now));
      await this.finish(key, mine, { state: 'sent', sentId });
      return { calls: 1, posted: true };
    } catch (e) {
      if (e instanceof DeliveryError && e.kind === 'gone') {
        log.warn({ code: e.code ?? e.status }, 'reminder not posted: the conversation is unreachable');
        await this.finish(key, mine, { state: 'skipped', reason: 'unreachable' });
      } else {
        log.warn({ err: e }, 'reminder not delivered; next cycle will try again');
        await this.finish(key, mine, { state: 'scheduled' });
      }
      return { calls: 1, posted: false };
    }
  }

  /** Writes the outcome over this instance's claim (a mark that fails is logged: the claim then ages out, see above). */
  private async finish(key: string, r: Reminder, change: Partial<Reminder>): Promise<void> {
    const { claimedBy: _b, claimedAt: _a, ...rest } = r;
    const next: Reminder = { ...(change.state === 'scheduled' ? rest : r), ...change };
    try {
      await this.o.store.put<Reminder>(key, next, '*', { ttlMs: keepFor(r, this.o.clock.now()) });
      if (next.state === 'sent' || next.state === 'skipped') this.settle(key);
    } catch (err) {
      this.o.logger.warn({ err, reminder: r.id }, 'reminder mark not written');
    }
  }

  /** Renews this instance's claim on `r` (ETag-guarded), unless another instance's claim or mark replaced it. */
  private async renew(key: string, r: Reminder): Promise<Reminder | undefined> {
    const cur = await this.o.store.get<Reminder>(key);
    const v = cur?.value;
    if (!cur || v?.state !== 'claimed' || v.claimedBy !== r.claimedBy || v.claimedAt !== r.claimedAt) return undefined;
    const again: Reminder = { ...r, claimedAt: this.o.clock.now() };
    return (await this.write(key, again, cur.eTag)) ? again : undefined;
  }

  private async write(key: string, r: Reminder, eTag: string): Promise<boolean> {
    try {
      await this.o.store.put<Reminder>(key, r, eTag, { ttlMs: keepFor(r, this.o.clock.now()) });
      return true;
    } catch (e) {
      if (isETagConflict(e)) return false;
      throw e;
    }
  }
}

/**
 * Whether what `r` would say is still true of `s` now: the seats are still removable until that date (the
 * window Partner Center states still ends then and has seats; `seats`: as many as the reminder's, at most);
 * or the term still ends on that date, has not begun renewing, and renews (auto-renew on, live).
 */
export function stillTrue(r: Reminder, s: Subscription, now: number): { seats: number } | undefined {
  if (r.kind === 'window') {
    const at = Date.parse(r.date);
    const win = openSeatWindows(s, now).find((w) => Date.parse(w.until) === at);
    if (!win) return undefined;
    return { seats: Math.min(win.quantity, r.seats ?? win.quantity, s.refundableQuantity?.totalQuantity ?? win.quantity) };
  }
  const renewal = renewalOf(s);
  if (!renewal.renews || !renewal.endDate || !renewal.processingFrom) return undefined;
  if (Date.parse(renewal.endDate) !== Date.parse(r.date) || now >= Date.parse(renewal.processingFrom)) return undefined;
  const next = renewal.next?.sameOffer !== false ? renewal.next?.quantity : undefined;
  return { seats: next ?? s.quantity ?? 0 };
}
