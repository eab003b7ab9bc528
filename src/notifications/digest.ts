/**
 * The daily deadlines digest (`watch deadlines [days]`, src/features/watches/digest.ts): once a day at
 * DIGEST_HOUR_UTC, the instance holding the setter's partition reads, as the setter and within the partner's
 * bulk-read budget (the one `renewals` uses), the renewals within the digest's days and the windows closing
 * in the next 48 hours across every customer the setter can see, and posts one card with them. Nothing is
 * posted on a day with nothing due; the run is recorded on the watch either way (`watches` shows it).
 *
 * Each notifier cycle makes one call here (`start`) with the watches of this instance's partitions. A due
 * digest's run goes on beside the cycle, not in it: a read of a large book takes minutes at the budget's
 * rate, and a cycle held that long would let this instance's leases lapse and hand its partitions (and this
 * very digest) to another instance mid-read.
 *
 * Once a day, across restarts and instances: a digest's day is a record, `digest/<watchId>/<yyyy-mm-dd>`,
 * created write-once before anything is read and moved through claimed → posting → posted (or empty,
 * failed, paused, dropped) by ETag-guarded updates that each check the claim is still the one this run
 * made. So two instances never both post: whoever lost the claim stops at its next step.
 * What a crash does:
 * - while reading (claimed): nothing was posted; the next run (the restarted instance, or the next holder
 *   of the partition) takes the claim over, reads again and posts once;
 * - during the post (posting): Teams may or may not have taken the card. The claim is taken over (at once
 *   by the same instance id after a restart, after POSTING_STALE_MS by another instance, which may be
 *   seeing a post still in flight) and the card posted again: **at least once**. A card Teams accepted
 *   just before the crash, before the posted mark was written, is then posted a second time. We chose
 *   that over at most once because a crash in that step most likely came before Teams had the card (the
 *   sender may wait on Teams' rate limits there), and a missed digest can cost a partner a closing window;
 *   Teams has no idempotency key that would make the repost harmless. Each day is claimed at most
 *   MAX_ATTEMPTS times, so a crash loop cannot post it more than that;
 * - after the posted mark: nothing more that day.
 * A setter who can no longer get a token pauses the digest (the pause card, once), as polling pauses the
 * other watches; it resumes when a run can read as them again, or from the card's button.
 */
import { randomUUID } from 'node:crypto';
import { SignInRequiredError } from '../identity';
import { readBook } from '../features/deadlines/read';
import { translator, resolveLocale } from '../i18n';
import type { PartnerCenterClient } from '../partner-center';
import type { RequestBudget } from '../partner-center/budget';
import { pausedCard } from './cards';
import { digestCard, dueRows } from './digest-card';
import { dayKey, dueDay, firstRunAt } from './digest-schedule';
import type { NotificationParts } from './parts';
import { DeliveryError } from './sender';
import { partitionOf, WatchStore, type DigestRun, type Watch } from './watches';

export interface DigestOptions extends NotificationParts {
  /** The partner tenants' bulk-read budget: the same object `renewals` and `windows` read within. */
  budget: RequestBudget;
  /** DIGEST_HOUR_UTC. */
  hourUtc: number;
}

/** A digest's day, as stored under digest/<watchId>/<day> (src/storage/records.ts). */
export interface DigestDay {
  state: 'claimed' | 'posting' | 'posted' | 'empty' | 'failed' | 'paused' | 'dropped';
  at: number;
  /** The instance that made the claim. */
  by: string;
  /** Claims made on this day (a failed or lost run is claimed again, up to MAX_ATTEMPTS). */
  attempts: number;
  /** Which run holds it: a step writes only while the claim is still its own. */
  claim?: string;
  sentId?: string;
  rows?: number;
}

/** Claims of one day: a failing Teams or Partner Center is tried again by the next cycles, up to this. */
const MAX_ATTEMPTS = 3;
/** A post another instance began this long ago is taken for lost (the sender may wait on Teams' limits before it). */
export const POSTING_STALE_MS = 5 * 60_000;
/** How long after a failed run of a day the next one starts. */
const RETRY_FAILED_MS = 10 * 60_000;

export const digestKey = (watchId: string, day: string) => `digest/${watchId}/${day}`;

const DONE: ReadonlySet<DigestDay['state']> = new Set(['posted', 'empty', 'dropped']);

export class Digests {
  /** Runs in flight on this instance, by day key. */
  private readonly running = new Map<string, Promise<void>>();
  /** Runs past their read, posting: shutdown waits for these (a read in flight is simply abandoned). */
  private readonly posting = new Set<Promise<void>>();
  private stopped = false;
  private readonly watches: WatchStore;
  private finished = { runs: 0, partnerCenterCalls: 0 };

  constructor(private readonly o: DigestOptions) {
    this.watches = new WatchStore(o.store);
  }

  /**
   * The notifier cycle's call: starts the run of each digest among `watches` (this instance's) that is due
   * and has not run today, and returns at once. Reads no record for a digest whose watch says it ran today.
   */
  start(watches: readonly Watch[]): void {
    if (this.stopped) return;
    const now = this.o.clock.now();
    const day = dayKey(dueDay(now, this.o.hourUtc));
    for (const w of watches) {
      if (w.kind !== 'deadlines' || w.state === 'disabled') continue;
      if (firstRunAt(w.createdAt, this.o.hourUtc) > now) continue;
      if (w.lastRun?.day === day && w.lastRun.outcome !== 'paused') continue;
      if (!this.o.leases.holds(partitionOf(w.setBy))) continue;
      const key = digestKey(w.id, day);
      if (this.running.has(key)) continue;
      const tally: Tally = { startedAt: now, calls: 0, customers: 0, unread: 0, rows: 0 };
      const run = this.run(w, day, key, tally)
        .catch((err: unknown) => {
          tally.outcome ??= 'failed';
          this.o.logger.warn({ err, watch: w.id }, 'deadlines digest not done; a later cycle tries again');
        })
        .finally(() => {
          this.running.delete(key);
          this.report(w, day, tally);
        });
      this.running.set(key, run);
    }
  }

  /**
   * The digest runs that ended since the last call, and their Partner Center calls: the notifier's cycle
   * report holds them apart from the cycle's own calls, since a run goes on beside the cycles (a read of a
   * large book spans many), so a run's calls belong to no one cycle; they are counted when the run ends.
   */
  takeFinished(): { runs: number; partnerCenterCalls: number } {
    const out = this.finished;
    this.finished = { runs: 0, partnerCenterCalls: 0 };
    return out;
  }

  /**
   * One info line per run that read Partner Center (a run that found its day done or busy elsewhere read
   * nothing, and says nothing): counts and the outcome only; no customer, subscription or person is named.
   */
  private report(w: Watch, day: string, t: Tally): void {
    if (!t.read) return;
    this.finished.runs++;
    this.finished.partnerCenterCalls += t.calls;
    const ms = this.o.clock.now() - t.startedAt;
    this.o.logger.info({ watch: w.id, day, outcome: t.outcome ?? 'lost', partnerCenterCalls: t.calls, customers: t.customers, unreadCustomers: t.unread, rows: t.rows, ms }, 'deadlines digest run');
  }

  /** Stops starting runs; waits for the posts in flight. A read in flight is abandoned: its claim is taken over. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.posting]);
  }

  private async run(w: Watch, day: string, key: string, tally: Tally): Promise<void> {
    const claim = randomUUID();
    const got = await this.claim(key, claim);
    if (got === 'busy') return;
    if (got !== 'ours') {
      // Done already (by another instance, or before a crash): the watch says so, and nothing is read again.
      const outcome = got.state === 'posted' ? 'posted' : got.state === 'empty' ? 'empty' : 'failed';
      await this.recordRun(w, { day, at: got.at, outcome, rows: got.rows ?? 0 });
      return;
    }
    const step = (state: DigestDay['state'], extra: Partial<DigestDay> = {}) => this.step(key, claim, state, extra);

    let book;
    tally.read = true;
    try {
      const user = { getToken: this.o.tokens.tokenFor(w.setBy), tenantId: w.setBy.tenantId, locale: w.locale };
      book = await readBook({ client: counting(this.o.client, tally), clock: this.o.clock, deadlines: { budget: this.o.budget } }, { user, log: this.o.logger }, () => undefined);
    } catch (e) {
      if (e instanceof SignInRequiredError) {
        tally.outcome = 'paused';
        await step('paused');
        await this.pause(w, day);
        return;
      }
      const rec = await step('failed');
      if (rec && rec.attempts >= MAX_ATTEMPTS) await this.recordRun(w, { day, at: this.o.clock.now(), outcome: 'failed', rows: 0 });
      throw e;
    }
    tally.customers = book.customers;
    tally.unread = book.unread;
    if (this.stopped) return; // the claim stays: whoever runs next reads again
    if (w.state === 'paused') await this.watches.patch(w.id, (cur) => (cur.createdAt === w.createdAt ? { ...cur, state: 'active', reason: undefined } : cur));

    const now = this.o.clock.now();
    const rows = dueRows(book, now, w.days ?? 7);
    const count = rows.windows.length + rows.renewals.length;
    tally.rows = count;
    if (count === 0) {
      if (await step('empty', { rows: 0 })) {
        tally.outcome = 'empty';
        await this.recordRun(w, { day, at: now, outcome: 'empty', rows: 0 });
      }
      return;
    }
    // Posted only by the holder of the setter's partition, and only while the claim is still this run's.
    if (!this.o.leases.holds(partitionOf(w.setBy)) || !(await step('posting'))) return;
    const posting = this.post(w, day, claim, key, digestCard(translatorFor(w.locale), w, book, rows, now), count, tally);
    this.posting.add(posting);
    try {
      await posting;
    } finally {
      this.posting.delete(posting);
    }
  }

  private async post(w: Watch, day: string, claim: string, key: string, card: ReturnType<typeof digestCard>, count: number, tally: Tally): Promise<void> {
    let sentId: string;
    try {
      sentId = await this.o.sender.post(w.reference, card);
    } catch (e) {
      if (e instanceof DeliveryError && e.kind === 'gone') {
        tally.outcome = 'dropped';
        await this.step(key, claim, 'dropped');
        await this.disable(w, e);
        return;
      }
      const rec = await this.step(key, claim, 'failed');
      if (rec && rec.attempts >= MAX_ATTEMPTS) await this.recordRun(w, { day, at: this.o.clock.now(), outcome: 'failed', rows: 0 });
      throw e;
    }
    const at = this.o.clock.now();
    tally.outcome = 'posted';
    await this.step(key, claim, 'posted', { sentId, rows: count });
    await this.recordRun(w, { day, at, outcome: 'posted', rows: count });
  }

  /**
   * Takes the day: creates its record, or takes over one whose run failed, paused, or was lost (see the
   * header). 'ours' when this run holds it now; 'busy' when another run may (a post in flight elsewhere, or
   * a lost race); else the record of a day that needs no run.
   */
  private async claim(key: string, claim: string): Promise<'ours' | 'busy' | DigestDay> {
    const me = this.o.leases.instanceId;
    const now = this.o.clock.now();
    if (await this.o.store.createIfAbsent<DigestDay>(key, { state: 'claimed', at: now, by: me, attempts: 1, claim })) return 'ours';
    let seen: DigestDay | undefined;
    const after = await this.o.store.update<DigestDay>(key, (cur) => {
      seen = cur;
      if (!cur || DONE.has(cur.state)) return undefined;
      if (cur.state === 'posting' && cur.by !== me && now - cur.at < POSTING_STALE_MS) return undefined;
      // A failure is tried again a while later, not every cycle: Partner Center or Teams may need the time.
      if (cur.state === 'failed' && now - cur.at < RETRY_FAILED_MS) return undefined;
      // Paused is no failure: claimed again (the setter may have signed in) without counting.
      const attempts = cur.state === 'paused' ? cur.attempts : cur.attempts + 1;
      if (attempts > MAX_ATTEMPTS) return undefined;
      return { ...cur, state: 'claimed', at: now, by: me, attempts, claim };
    });
    if (after?.claim === claim) return 'ours';
    // Done, or failed MAX_ATTEMPTS times: the day needs no more runs. Anything else is another run's, or waits.
    if (seen && (DONE.has(seen.state) || (seen.state === 'failed' && seen.attempts >= MAX_ATTEMPTS))) return seen;
    return 'busy';
  }

  /** Moves the day to `state` if this run still holds it; the record written, else undefined. */
  private async step(key: string, claim: string, state: DigestDay['state'], extra: Partial<DigestDay> = {}): Promise<DigestDay | undefined> {
    const at = this.o.clock.now();
    const after = await this.o.store.update<DigestDay>(key, (cur) => (cur?.claim === claim ? { ...cur, ...extra, state, at } : undefined));
    return after?.claim === claim && after.state === state ? after : undefined;
  }

  /** What `watches` shows of the digest (the watch as it is now, unless it was removed and set again). */
  private async recordRun(w: Watch, run: DigestRun): Promise<void> {
    await this.watches.patch(w.id, (cur) => (cur.createdAt === w.createdAt ? { ...cur, lastRun: run } : cur));
  }

  /** The setter must sign in again: paused, and said once (by the run that paused it). */
  private async pause(w: Watch, day: string): Promise<void> {
    let pausedNow = false;
    await this.watches.patch(w.id, (cur) => {
      if (cur.createdAt !== w.createdAt) return cur;
      pausedNow = cur.state === 'active';
      return { ...cur, state: 'paused', reason: 'sign-in', lastRun: { day, at: this.o.clock.now(), outcome: 'paused', rows: 0 } };
    });
    if (!pausedNow) return;
    try {
      await this.o.sender.post(w.reference, pausedCard(translatorFor(w.locale), w));
    } catch (e) {
      if (e instanceof DeliveryError && e.kind === 'gone') await this.disable(w, e);
      else this.o.logger.warn({ err: e, watch: w.id }, 'deadlines digest paused; the pause card was not posted');
    }
  }

  /** Teams says the bot cannot reach the conversation any more: the digest stops, as delivery stops a watch. */
  private async disable(w: Watch, e: DeliveryError): Promise<void> {
    const code = e.code ?? String(e.status);
    this.o.logger.warn({ watch: w.id, code }, 'conversation unreachable: deadlines digest disabled');
    await this.watches.patch(w.id, (cur) => ({ ...cur, state: 'disabled', reason: code, reference: {} }));
  }
}

const translators = new Map<string, ReturnType<typeof translator>>();
/** Built once per locale, not per card. */
function translatorFor(locale: string): ReturnType<typeof translator> {
  const tr = translators.get(locale) ?? translator(resolveLocale(locale));
  translators.set(locale, tr);
  return tr;
}

/** What one run did, for its log line (Digests.report). */
interface Tally {
  startedAt: number;
  /** The run got the day and began reading. */
  read?: boolean;
  /** Unset while running; a run that ends unset lost its claim, or was stopped ('lost'). */
  outcome?: 'posted' | 'empty' | 'paused' | 'failed' | 'dropped';
  calls: number;
  customers: number;
  unread: number;
  rows: number;
}

/**
 * The client as the run reads through it, counting each call it makes (one Partner Center request each; a
 * 429 answered with Retry-After is waited out inside the call and not counted again). The shared budget
 * cannot tell a digest's calls from `renewals`', so the run counts its own.
 */
function counting(client: PartnerCenterClient, tally: Tally): PartnerCenterClient {
  return new Proxy(client, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        tally.calls++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
