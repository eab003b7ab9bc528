/**
 * Observations and sources: the notifier's way in.
 *
 * A source says what an item looks like now, when it saw it and by what means (polling, the activity log, a
 * webhook); it never decides whether anything changed. The recorder (recorder.ts) compares each
 * observation with what every watch covering the item last saw, so duplicate, late and out-of-order
 * observations are harmless: one equal to the last state is not a change, one older than the last state
 * is ignored. That is "watch plus resync" (docs/STYLE): events say "look at this item", a periodic full
 * read repairs what events missed, and the comparison is the only judge.
 */
import { isNewCommerce, type ServiceRequest, type ServiceRequestState, type Subscription } from '../partner-center';
import type { Snapshot, Watch } from './watches';

/** Which item was seen: what a card needs of it besides the watch (a subscription's customer name is the watch's). */
export type ObservedItem = { kind: 'service-request'; id: string } | { kind: 'subscription'; id: string; customerId: string; nce: boolean };

export interface Observation {
  /**
   * The partner tenant whose item this is. Every watch set by someone of that partner that covers the item
   * hears of it: the item is the partner's, whoever of them read it.
   */
  tenantId: string;
  item: ObservedItem;
  /** What the item looks like (status, count, title, newest note). */
  state: Snapshot;
  /** When it looked like that (the clock of the instance that read it). */
  seenAt: number;
  /** By what means it was seen ('poll', 'activity-log', 'webhook'...): for logs and tests; the recorder never reads it. */
  via: string;
  /**
   * The subscription as read, when the source read it whole (polling's list does): what reminders derive a
   * closing seat window or a coming renewal from (reminders.ts). Optional: a source that only knows the state
   * (an activity-log record) leaves it out, and its observations make no reminder.
   */
  resource?: Subscription;
}

/** What a source found in one look. */
export interface Look {
  observations: Observation[];
  /**
   * Watches the source read in full as their setter: they are primed and active again (a paused watch whose
   * setter signed in resumes). A source that only hears of some items lists none.
   */
  covered: string[];
  /** Watches whose setter can no longer get a token: they are paused, and the setter asked once to sign in. */
  paused: string[];
  /** Partner Center calls the look made (the cycle's report adds them up). */
  partnerCenterCalls: number;
}

/**
 * A source of observations, asked once per notification cycle by the instance holding the watches'
 * partitions. A source that hears of changes between cycles (a webhook) can instead hand its observations
 * to `Notifier.observe`.
 */
export interface Source {
  /** What it is called in logs. */
  readonly name: string;
  /** Looks at what `watches` cover (the active and paused watches of this instance's partitions). */
  look(watches: Watch[]): Promise<Look>;
}

/** What a watch compares of a service request read in full (`watch` sets its first state with it). */
export function srSnapshot(sr: ServiceRequest): Snapshot {
  const notes = sr.notes ?? [];
  return { status: String(sr.status ?? 'none'), count: notes.length, title: sr.title ?? sr.id ?? '', detail: notes.at(-1)?.text ?? undefined, detailBy: notes.at(-1)?.createdByName ?? undefined };
}

/** The same, of a service request as the notifier lists it (listServiceRequestStates): equal for the same request. */
export function listedSnapshot(sr: ServiceRequestState): Snapshot {
  return { status: String(sr.status ?? 'none'), count: sr.noteCount, title: sr.title ?? sr.id ?? '', detail: sr.lastNote, detailBy: sr.lastNoteBy };
}

export function subSnapshot(s: Subscription): Snapshot {
  return { status: String(s.status ?? 'none'), count: s.quantity ?? 0, title: s.friendlyName || s.offerName || s.id };
}

/** What "watch sr all open" covers. */
/**
 * A subscription as read whole, by any source: `customerId` is spelled as the watch spells it (its cards
 * and threads are keyed by it), and the resource goes along for the reminders (reminders.ts).
 */
export function subObservation(tenantId: string, customerId: string, s: Subscription, seenAt: number, via: string): Observation {
  return { tenantId, item: { kind: 'subscription', id: s.id, customerId, nce: isNewCommerce(s) }, state: subSnapshot(s), seenAt, via, resource: s };
}

export function isOpen(sr: { status?: string | null }): boolean {
  return sr.status === 'open' || sr.status === 'attention_needed' || sr.status === 'none';
}

const same = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

/** Whether `w` covers the item `o` is about (its partner, kind and target). */
export function covers(w: Watch, o: Observation): boolean {
  // A digest hears no item: it reads at its hour (digest.ts), it does not compare states.
  if (w.kind === 'deadlines' || !same(w.setBy.tenantId, o.tenantId)) return false;
  const item = o.item;
  if (w.kind === 'subs') return item.kind === 'subscription' && same(item.customerId, w.customerId);
  if (item.kind !== 'service-request') return false;
  if (w.kind === 'sr') return item.id === w.srId;
  // "all open": open ones, and any that was open when last seen (so its closing is heard).
  return !w.openOnly || isOpen(o.state) || !!w.lastSeen[item.id];
}

/**
 * One batch of observations indexed by what a watch looks them up by, so that matching costs the
 * observations a watch may cover, not all of them (10,000 watches × 10,000 listed requests otherwise).
 */
export class ObservationIndex {
  private readonly srById = new Map<string, Observation[]>();
  private readonly srByTenant = new Map<string, Observation[]>();
  private readonly subsByCustomer = new Map<string, Observation[]>();

  constructor(observations: Iterable<Observation>) {
    for (const o of observations) {
      const tenant = o.tenantId.toLowerCase();
      if (o.item.kind === 'subscription') push(this.subsByCustomer, `${tenant}|${o.item.customerId.toLowerCase()}`, o);
      else {
        push(this.srById, `${tenant}|${o.item.id}`, o);
        push(this.srByTenant, tenant, o);
      }
    }
  }

  /**
   * What `w` hears of this batch, per item: the newest observation of each item it covers, unless that is
   * older than what the watch last saw (a late observation never moves a watch backwards).
   */
  heardBy(w: Watch): Map<string, Observation> {
    const tenant = w.setBy.tenantId.toLowerCase();
    const candidates =
      w.kind === 'subs' ? this.subsByCustomer.get(`${tenant}|${(w.customerId ?? '').toLowerCase()}`)
      : w.kind === 'sr' ? this.srById.get(`${tenant}|${w.srId ?? ''}`)
      : this.srByTenant.get(tenant);
    const out = new Map<string, Observation>();
    for (const o of candidates ?? []) {
      if (!covers(w, o)) continue;
      const last = w.lastSeen[o.item.id]?.seenAt;
      if (typeof last === 'number' && o.seenAt < last) continue;
      const kept = out.get(o.item.id);
      if (!kept || o.seenAt >= kept.seenAt) out.set(o.item.id, o);
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
