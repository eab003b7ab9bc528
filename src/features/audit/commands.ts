/** `audit`: the writes made from this chat or channel. */
import { noArgs } from '../../commands/args';
import { command, forAll } from '../../commands/contract';
import { auditCard, type AuditSentences } from './cards';

/** The sentences come from the commands' own declarations, which this feature cannot import (they are above it). */
export function auditCommands(sentences: AuditSentences) {
  const audit = command({
    kind: 'audit',
    name: 'audit',
    usage: 'audit',
    example: 'audit',
    parse: (a) => noArgs(a, {}),
    run: async (d, t) => forAll(auditCard(t.tr, await d.audit.recent(t), sentences)),
  });
  return [audit];
}
