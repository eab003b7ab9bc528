/** The "who changed what, when" strip shown on a resource after a write. */
import type { Banner, ChangeRow } from '../../cards/common';
import { literal } from '../../cards/render';
import type { Turn } from '../../commands/contract';

export function changedBanner(turn: Turn, now: number, rows: ChangeRow[], key: 'common.changedBy' | 'common.createdBy' = 'common.changedBy'): Banner {
  return {
    text: turn.tr.t(key, { name: literal(turn.actor.name), when: turn.tr.dateTime(new Date(now).toISOString()) }),
    style: 'good',
    // Something just created has no "before": its card below shows what it is ("Title: — → …" said nothing).
    lines: key === 'common.createdBy' ? [] : rows.map((r) => changeLine(turn, r)),
  };
}

/** "Seats: 20 → 25"; the values are Partner Center's or the user's words, shown literally. */
export function changeLine(turn: Turn, r: ChangeRow): string {
  return turn.tr.t('sub.change.row', { field: r.field, from: literal(r.from), to: literal(r.to) });
}
