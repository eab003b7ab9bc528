/**
 * The reminder cards (cards/reminder.json): a seat window about to close, with a Remove button (the existing
 * seat-change confirmation, quantity minus those seats; Cancel when those are all its seats), and a renewal coming, with the seats it renews with
 * and a button to turn auto-renew off (the existing confirmation). Dates in the person's time zone when Teams
 * gave one, else in UTC, labelled.
 */
import { expand, literal, type AdaptiveCard } from '../cards/render';
import { VERB } from '../cards/verbs';
import { resolveLocale, translator, type Translator } from '../i18n';
import type { Subscription } from '../partner-center';
import type { Reminder } from './reminders-record';

const formats = new Map<string, Intl.DateTimeFormat>();

/** "Tuesday, November 28 at 2:00 PM UTC" (with `time`), "Monday, November 21" (without), in `timeZone` or UTC. */
function when(tr: Translator, ms: number, timeZone: string | undefined, time: boolean): string {
  const zone = timeZone ?? 'UTC';
  const key = `${tr.locale}|${zone}|${time}`;
  let f = formats.get(key);
  if (!f) {
    const day = { weekday: 'long', month: 'long', day: 'numeric' } as const;
    formats.set(key, (f = new Intl.DateTimeFormat(tr.locale, time ? { ...day, hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: zone } : { ...day, timeZone: zone })));
  }
  return f.format(new Date(ms));
}

function nameOf(s: Subscription): string {
  return s.friendlyName || s.offerName || s.id;
}

/** The card `r` posts about `s` (as just read), `seats` being what is still true of it (stillTrue). */
export function reminderCard(r: Reminder, s: Subscription, seats: number, now: number): AdaptiveCard {
  const tr = translator(resolveLocale(r.locale));
  const names = { customer: literal(r.customerName), subscription: literal(nameOf(s)) };
  const open = { title: tr.t('sub.action.open'), verb: VERB.subShow, style: 'default', data: { customerId: r.customerId, subscriptionId: r.subscriptionId } };
  const footer = r.watchId ? tr.t('reminder.footer.watch', { id: r.watchId, name: literal(r.user.name) }) : tr.t('reminder.footer.change');
  // The offer after the customer only when the title (its nickname) does not already say it, as the subscription card.
  const offer = s.offerName ? literal(s.offerName) : tr.t('sub.kind.nce');
  const heading = s.offerName && s.offerName === nameOf(s) ? literal(r.customerName) : `${literal(r.customerName)} · ${offer}`;
  const quantity = { title: tr.t('sub.field.quantity'), value: tr.number(s.quantity ?? 0) };
  if (r.kind === 'window') {
    const until = when(tr, Date.parse(r.date), r.timeZone, true);
    const said = r.by
      ? tr.t(r.by.personal ? 'reminder.window.byYou' : 'reminder.window.by', { ...names, name: literal(r.by.name), count: seats, when: when(tr, r.by.at, r.timeZone, false), until })
      : tr.t('reminder.window.seen', { ...names, count: seats, until });
    return expand('reminder', {
      banner: tr.t('reminder.window.banner', { until }),
      lines: [said, tr.t('reminder.window.after', { count: seats })],
      heading,
      title: literal(nameOf(s)),
      facts: [quantity],
      footer,
      actions: [
        // The existing seat change: a decrease asks for confirmation first, naming what it costs. Removing every seat
        // is no seat change (a subscription keeps at least one) but a cancellation, as the windows list offers.
        (s.quantity ?? 0) - seats >= 1
          ? { title: tr.t('reminder.window.remove', { count: seats }), verb: VERB.subUpdate, style: 'default', data: { customerId: r.customerId, subscriptionId: r.subscriptionId, quantity: String((s.quantity ?? 0) - seats) } }
          : { title: tr.t('deadlines.action.cancel'), verb: VERB.subStatus, style: 'destructive', data: { customerId: r.customerId, subscriptionId: r.subscriptionId, status: 'deleted' } },
        open,
      ],
    });
  }
  const date = tr.date(r.date);
  const today = s.quantity ?? 0;
  const lines = [tr.t('reminder.renewal.text', { ...names, date, count: seats })];
  if (seats !== today) lines.push(tr.t('reminder.renewal.scheduled', { count: seats, today }));
  const days = Math.max(0, Math.ceil((Date.parse(r.date) - now) / 86_400_000));
  return expand('reminder', {
    banner: tr.t('reminder.renewal.banner', { days }),
    lines,
    heading,
    title: literal(nameOf(s)),
    facts: [quantity],
    footer,
    actions: [
      { title: tr.t('reminder.renewal.off'), verb: VERB.subUpdate, style: 'default', data: { customerId: r.customerId, subscriptionId: r.subscriptionId, autoRenewEnabled: 'false' } },
      open,
    ],
  });
}

/** What a change made through the bot did to what a reminder is about (ReminderBook.actedOn). */
export type ActedOn = { what: 'seats'; count: number } | { what: 'cancelled' } | { what: 'autoRenewOff' };

/**
 * A posted reminder once acted on: who did what, and when, with the subscription as it is now, and only the
 * button to open it (its Remove or auto-renew button would now ask for something else).
 */
export function actedOnCard(r: Reminder, s: Subscription, done: ActedOn & { by: string; at: number }): AdaptiveCard {
  const tr = translator(resolveLocale(r.locale));
  const at = when(tr, done.at, r.timeZone, true);
  const name = literal(done.by);
  const line =
    done.what === 'seats'
      ? tr.t('reminder.done.seats', { name, count: done.count, when: at })
      : done.what === 'cancelled'
        ? tr.t('reminder.done.cancelled', { name, when: at })
        : tr.t('reminder.done.autoRenewOff', { name, when: at, date: tr.date(r.date) });
  const offer = s.offerName ? literal(s.offerName) : tr.t('sub.kind.nce');
  const heading = s.offerName && s.offerName === nameOf(s) ? literal(r.customerName) : `${literal(r.customerName)} · ${offer}`;
  return expand('reminder', {
    banner: tr.t('reminder.done.banner'),
    lines: [line],
    heading,
    title: literal(nameOf(s)),
    facts: [{ title: tr.t('sub.field.quantity'), value: tr.number(s.quantity ?? 0) }],
    footer: r.watchId ? tr.t('reminder.footer.watch', { id: r.watchId, name: literal(r.user.name) }) : tr.t('reminder.footer.change'),
    actions: [{ title: tr.t('sub.action.open'), verb: VERB.subShow, style: 'default', data: { customerId: r.customerId, subscriptionId: r.subscriptionId } }],
  });
}
