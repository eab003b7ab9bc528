/** Cards for watches: the root card of an item's thread, a change in that thread, a paused watch, the list of watches. */
import { VERB } from '../cards/verbs';
import type { Translator } from '../i18n';
import type { Snapshot, Watch } from './watches';
import { expand, literal, type AdaptiveCard } from '../cards/render';
import { instant } from '../features/common/time-zone';
import { nextRunAt } from './digest-schedule';

export type ItemView =
  | { kind: 'service-request'; id: string }
  | { kind: 'subscription'; id: string; customerId: string; customerName: string; nce: boolean };

function label(tr: Translator, prefix: 'sr.status' | 'sub.status', value: string): string {
  return tr.maybe(prefix, value) ?? value;
}

function open(tr: Translator, v: ItemView) {
  return v.kind === 'service-request'
    ? { title: tr.t('sr.action.open'), verb: VERB.srShow, data: { id: v.id } }
    : { title: tr.t('sub.action.open'), verb: VERB.subShow, data: { customerId: v.customerId, subscriptionId: v.id } };
}

function heading(tr: Translator, v: ItemView): string {
  return v.kind === 'service-request' ? tr.t('sr.title', { id: v.id }) : `${literal(v.customerName)} · ${tr.t(v.nce ? 'sub.kind.nce' : 'sub.kind.legacy')}`;
}

function facts(tr: Translator, v: ItemView, s: Snapshot) {
  return v.kind === 'service-request'
    ? [
        { title: tr.t('sr.field.status'), value: label(tr, 'sr.status', s.status) },
        { title: tr.t('sr.notes'), value: tr.number(s.count) },
      ]
    : [
        { title: tr.t('sub.field.status'), value: label(tr, 'sub.status', s.status) },
        { title: tr.t('sub.field.quantity'), value: tr.number(s.count) },
      ];
}

/** What changed, one line per field. */
export function changeLines(tr: Translator, v: ItemView, before: Snapshot | undefined, after: Snapshot): string[] {
  if (!before) return [];
  const lines: string[] = [];
  const prefix = v.kind === 'service-request' ? 'sr.status' : 'sub.status';
  if (before.status !== after.status) {
    lines.push(tr.t('sub.change.row', { field: tr.t(v.kind === 'service-request' ? 'sr.field.status' : 'sub.field.status'), from: label(tr, prefix, before.status), to: label(tr, prefix, after.status) }));
  }
  if (before.count !== after.count) {
    if (v.kind === 'service-request') {
      const text = after.detail ? literal(after.detail.slice(0, 500)) : undefined;
      // Partner Center names the note's author: Microsoft Support, or whoever in the partner wrote it.
      lines.push(text === undefined ? tr.t('notify.notes', { from: before.count, to: after.count }) : after.detailBy ? tr.t('notify.newNoteBy', { name: literal(after.detailBy), text }) : tr.t('notify.newNote', { text }));
    }
    else lines.push(tr.t('sub.change.row', { field: tr.t('sub.field.quantity'), from: tr.number(before.count), to: tr.number(after.count) }));
  }
  return lines;
}

/** "Alice Admin made this change through Partner Ops.", first, when the bot knows who made it (authors.ts). */
function byLines(tr: Translator, by: string | undefined): string[] {
  return by ? [tr.t('notify.byBot', { name: literal(by) })] : [];
}

/** The first card of an item's thread, kept up to date in place: the item as it is now. */
export function rootCard(tr: Translator, w: Watch, v: ItemView, now: Snapshot, last?: { before?: Snapshot; at: number; by?: string }): AdaptiveCard {
  const lines = last ? [...byLines(tr, last.by), ...changeLines(tr, v, last.before, now)] : [];
  return expand('notification', {
    banner: last ? tr.t('notify.lastChange', { when: tr.dateTime(new Date(last.at).toISOString()) }) : '',
    bannerStyle: 'accent',
    bannerLines: lines,
    heading: heading(tr, v),
    title: literal(now.title),
    facts: facts(tr, v, now),
    footer: tr.t('notify.footer', { id: w.id, name: literal(w.setBy.name) }),
    actions: [open(tr, v), { title: tr.t('notify.stop'), verb: VERB.watchRemove, data: { watchId: w.id } }],
  });
}

/** A change, posted in the item's thread. */
export function changeCard(tr: Translator, w: Watch, v: ItemView, before: Snapshot | undefined, after: Snapshot, at: number, by?: string): AdaptiveCard {
  return expand('notification', {
    banner: tr.t('notify.changed', { when: tr.dateTime(new Date(at).toISOString()) }),
    bannerStyle: after.status === 'closed' || after.status === 'suspended' || after.status === 'deleted' ? 'warning' : 'good',
    bannerLines: [...byLines(tr, by), ...changeLines(tr, v, before, after)],
    heading: heading(tr, v),
    title: literal(after.title),
    facts: [],
    footer: tr.t('notify.footer', { id: w.id, name: literal(w.setBy.name) }),
    actions: [open(tr, v)],
  });
}

export function pausedCard(tr: Translator, w: Watch): AdaptiveCard {
  return expand('notification', {
    banner: tr.t('notify.paused', { id: w.id }),
    bannerStyle: 'attention',
    bannerLines: [tr.t('notify.pausedWho', { name: literal(w.setBy.name) })],
    heading: tr.t('watch.title'),
    title: describe(tr, w),
    facts: [],
    footer: '',
    actions: [{ title: tr.t('notify.resume'), verb: VERB.watchResume, data: { watchId: w.id } }],
  });
}

export function describe(tr: Translator, w: Watch): string {
  if (w.kind === 'sr') return tr.t('watch.what.sr', { id: w.srId ?? '' });
  if (w.kind === 'sr-all') return tr.t(w.openOnly ? 'watch.what.srOpen' : 'watch.what.srAll');
  if (w.kind === 'deadlines') return tr.t('watch.what.deadlines', { days: w.days ?? 7 });
  return tr.t('watch.what.subs', { customer: literal(w.customerName ?? w.customerId ?? '') });
}

/** When the digests post: now (the injected clock) and DIGEST_HOUR_UTC. */
export interface DigestClock {
  now: number;
  hourUtc: number;
}

/**
 * `polled`: active watches whose setter cannot read the activity log (activity-source.ts), listed in full every cycle.
 * `digests`: without it, a digest's next run is not said.
 */
export function watchListCard(tr: Translator, watches: Watch[], polled: ReadonlySet<string> = new Set(), digests?: DigestClock): AdaptiveCard {
  return expand('watch-list', {
    title: tr.t('watch.list.title'),
    empty: tr.t('watch.list.empty'),
    items: watches.map((w) => ({
      id: w.id,
      what: `${w.id} · ${describe(tr, w)}`,
      detail: [tr.t('watch.setBy', { name: literal(w.setBy.name), when: tr.date(new Date(w.createdAt).toISOString()) }), ...lastRunLine(tr, w), ...nextRunLine(tr, w, digests)].join(' · '),
      state: w.state === 'active' ? (polled.has(w.id) ? tr.t('watch.state.polled', { name: literal(w.setBy.name) }) : tr.t('watch.state.active')) : w.state === 'paused' ? tr.t('watch.state.paused', { name: literal(w.setBy.name) }) : tr.t('watch.state.disabled', { reason: literal(w.reason) }),
      stateColor: w.state === 'active' ? 'Good' : w.state === 'paused' ? 'Warning' : 'Attention',
      buttonLabel: tr.t('notify.stop'),
      verb: VERB.watchRemove,
    })),
  });
}

/** A digest's last run, as `watches` lists it (empty for a watch that is not a digest, or has not run yet). */
function lastRunLine(tr: Translator, w: Watch): string[] {
  const r = w.lastRun;
  if (w.kind !== 'deadlines' || !r) return [];
  const when = tr.dateTime(new Date(r.at).toISOString());
  if (r.outcome === 'posted') return [tr.t('digest.lastRun.posted', { when, count: r.rows })];
  if (r.outcome === 'empty') return [tr.t('digest.lastRun.empty', { when })];
  if (r.outcome === 'paused') return [tr.t('digest.lastRun.paused', { when })];
  return [tr.t('digest.lastRun.failed', { when })];
}

/**
 * When an active digest posts next, in the time zone Teams gave its setter when it was set (as its cards
 * are), else UTC, labelled. A disabled one posts nothing again; a paused one waits for its setter.
 */
function nextRunLine(tr: Translator, w: Watch, c: DigestClock | undefined): string[] {
  if (w.kind !== 'deadlines' || !c || w.state !== 'active') return [];
  const next = nextRunAt(w.createdAt, w.lastRun, c.now, c.hourUtc);
  const when = instant({ tr, timeZone: w.timeZone }, new Date(next.at).toISOString());
  return [tr.t(next.due ? 'digest.nextRun.due' : 'digest.nextRun', { when })];
}
