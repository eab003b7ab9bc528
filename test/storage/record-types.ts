/**
 * The stored records' schemas (src/storage/records.ts) are the types the code uses, checked by the compiler
 * (`npm test` type-checks test/ first) so the two cannot drift apart: a required field added to Watch fails
 * here until the schema has it, and so does a value added to a union (a narrower schema would otherwise pass
 * the first check and set aside every record using the new value). The ties live here, not in src/storage,
 * so that storage imports no feature, notifier or Teams module.
 */
import type { z } from 'zod';
import type { AuditAction, AuditEntry, AuditItem } from '../../src/features/audit/log';
import type { SetterLog } from '../../src/notifications/activity-source';
import type { Authored } from '../../src/notifications/authors';
import type { DigestDay } from '../../src/notifications/digest';
import type { Reminder } from '../../src/notifications/reminders';
import type { ItemView } from '../../src/notifications/cards';
import type { Snapshot, Watch, WatchKind, WatchState } from '../../src/notifications/watches';
import { SCHEMAS } from '../../src/storage/records';
import type { PendingWork } from '../../src/teams/signin';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const { digestDay, watch, snapshot, watchKind, watchState, itemView, auditEntry, auditAction, pendingWork, authored, reminder, setterLog } = SCHEMAS;

export const TIES = [
  ((): z.ZodType<Watch> => watch)(),
  ((): z.ZodType<DigestDay> => digestDay)(),
  ((): z.ZodType<Snapshot> => snapshot)(),
  ((): z.ZodType<ItemView> => itemView)(),
  ((): z.ZodType<AuditEntry> => auditEntry)(),
  ((): z.ZodType<PendingWork> => pendingWork)(),
  ((): z.ZodType<Authored> => authored)(),
  ((): z.ZodType<Reminder> => reminder)(),
  ((): z.ZodType<SetterLog> => setterLog)(),
] as const;
export const SAME: ReadonlyArray<true> = [
  true satisfies Same<z.infer<typeof watchKind>, WatchKind>,
  true satisfies Same<z.infer<typeof watchState>, WatchState>,
  true satisfies Same<z.infer<typeof itemView>['kind'], ItemView['kind']>,
  true satisfies Same<z.infer<typeof auditAction>, AuditAction>,
  true satisfies Same<NonNullable<z.infer<typeof auditEntry>['item']>['kind'], AuditItem['kind']>,
  true satisfies Same<z.infer<typeof pendingWork>['kind'], PendingWork['kind']>,
];
