/**
 * The reader's time zone, read one way for every card that shows an instant (renewals, windows, activity,
 * the "At renewal" part of a subscription and its confirmations).
 *
 * Teams states it in two places, and a client may send either: Bot Framework's `Activity.localTimezone` (an
 * IANA name on messages), and the `clientInfo` entity, whose field is `timezone` in Teams' own payloads and
 * `localTimezone` in others'. Whatever arrives is checked by Intl; anything else means UTC, labelled as such.
 */
import type { Translator } from '../../i18n';

/** Dates as the reader reads them: instants in their time zone (named), else in UTC (labelled). */
export interface Dates {
  tr: Translator;
  /** An IANA time zone Teams gave, validated; undefined: UTC. */
  timeZone?: string;
}

/** Zones already checked: every turn reads the reader's zone, and building a DateTimeFormat to check one is not free. */
const checked = new Map<string, boolean>();

/** A time zone Teams sent, if Intl knows it (anything else is ignored, and dates stay in UTC). */
export function validTimeZone(tz: unknown): string | undefined {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return undefined;
  let known = checked.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    // IANA has a few hundred names; past that the senders are making them up, and are checked each time.
    if (checked.size < 1_000) checked.set(tz, known);
  }
  return known ? tz : undefined;
}

type WithZone = { localTimezone?: unknown; entities?: ReadonlyArray<{ type?: string; timezone?: unknown; localTimezone?: unknown }> };

/** The activity's `localTimezone`, then the clientInfo entity's `timezone` or `localTimezone`: the first valid one. */
export function userTimeZone(activity: object): string | undefined {
  const a = activity as WithZone;
  const info = a.entities?.find((e) => e?.type === 'clientInfo');
  for (const tz of [a.localTimezone, info?.timezone, info?.localTimezone]) {
    const valid = validTimeZone(tz);
    if (valid) return valid;
  }
  return undefined;
}

/** The translator and time zone of a turn (read when the turn began: valid in background work too). */
export function datesOf(t: { tr: Translator; timeZone?: string }): Dates {
  return { tr: t.tr, timeZone: t.timeZone };
}

const zoned = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant (a window's end, a renewal's start) in the reader's time zone, the zone's short name after it
 * ("PDT", "GMT+1"); without one, as the translator says it, in UTC labelled "UTC".
 */
export function instant(dates: Dates, iso: string): string {
  if (!dates.timeZone) return dates.tr.dateTime(iso);
  const key = `${dates.tr.locale}/${dates.timeZone}`;
  let f = zoned.get(key);
  if (!f) {
    const fields = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' } as const;
    zoned.set(key, (f = new Intl.DateTimeFormat(dates.tr.locale, { ...fields, timeZone: dates.timeZone })));
  }
  return f.format(new Date(iso));
}
