/** The "who changed what, when" strip shown on a resource after a write. */
import type { Banner, ChangeRow } from '../../cards/common';
import type { Turn } from '../turn';

export function changedBanner(turn: Turn, now: number, rows: ChangeRow[], key: 'common.changedBy' | 'common.createdBy' = 'common.changedBy'): Banner {
  return {
    text: turn.tr.t(key, { name: turn.actor.name, when: turn.tr.dateTime(new Date(now).toISOString()) }),
    style: 'good',
    lines: rows.map((r) => turn.tr.t('sub.change.row', { field: r.field, from: r.from, to: r.to })),
  };
}
