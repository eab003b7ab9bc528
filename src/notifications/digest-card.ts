/**
 * The digest's card (cards/digest.json): the windows closing within 48 hours (they cost money first), then
 * the renewals within the digest's days, each row as the `windows` and `renewals` cards draw it, with the same
 * buttons; dates in the setter's time zone when Teams gave one when the digest was set, else in UTC, labelled.
 */
import { expandFitting, literal, type AdaptiveCard } from '../cards/render';
import { VERB } from '../cards/verbs';
import { closesAt, instant, renewing, ROWS_PER_PAGE, rowItems, windowsOpen, type Dates } from '../features/deadlines/cards';
import type { Book, DeadlineRow } from '../features/deadlines/read';
import type { Translator } from '../i18n';
import type { Watch } from './watches';

/** The windows a digest lists: those closing within 48 hours (issue 20: "the windows closing in the next 48 hours"). */
export const WINDOW_HORIZON_MS = 48 * 60 * 60 * 1000;

export interface DueRows {
  windows: DeadlineRow[];
  renewals: DeadlineRow[];
}

/** What is due at `now`: windows closing within 48 hours, terms ending within `days`, each soonest first. */
export function dueRows(book: Book, now: number, days: number): DueRows {
  return { windows: windowsOpen(book, now).filter((r) => closesAt(r, now) <= now + WINDOW_HORIZON_MS), renewals: renewing(book, now, days) };
}

export function digestCard(tr: Translator, w: Watch, book: Book, rows: DueRows, now: number): AdaptiveCard {
  const dates: Dates = { tr, timeZone: w.timeZone };
  const days = w.days ?? 7;
  const readAt = instant(dates, new Date(book.readAt).toISOString());
  const subtitle = [tr.t('deadlines.readAt', { when: readAt }), book.unread ? tr.t('deadlines.unread', { count: book.unread }) : ''].filter(Boolean).join(' ');
  const windows = rows.windows.slice(0, ROWS_PER_PAGE);
  const renewals = rows.renewals.slice(0, ROWS_PER_PAGE);
  // Windows first, they close soonest; a card too large for Teams keeps the first rows of each (expandFitting).
  return expandFitting('digest', windows.length + renewals.length, (shown) => {
    const w1 = Math.min(windows.length, shown);
    const r1 = Math.min(renewals.length, shown - w1);
    const section = (heading: string, all: DeadlineRow[], kept: DeadlineRow[], view: 'windows' | 'renewals', command: string) => ({
      heading,
      items: rowItems(dates, view, kept, now),
      more: all.length > kept.length ? tr.t('digest.more', { count: all.length - kept.length, command }) : '',
    });
    return {
      title: tr.t('digest.title', { date: tr.date(new Date(now).toISOString()) }),
      subtitle,
      sections: [
        ...(rows.windows.length ? [section(tr.t('digest.windows'), rows.windows, windows.slice(0, w1), 'windows', 'windows')] : []),
        ...(rows.renewals.length ? [section(tr.t('deadlines.renewals.title', { days }), rows.renewals, renewals.slice(0, r1), 'renewals', `renewals ${days}`)] : []),
      ],
      footer: tr.t('notify.footer', { id: w.id, name: literal(w.setBy.name) }),
      stopLabel: tr.t('notify.stop'),
      stopVerb: VERB.watchRemove,
      watchId: w.id,
    };
  });
}
