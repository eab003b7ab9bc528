/** `audit`: the writes made from this chat or channel. */
import { noArgs } from '../../commands/args';
import { command, forAll } from '../../commands/contract';
import { auditCard } from './cards';

export const audit = command({
  kind: 'audit',
  name: 'audit',
  usage: 'audit',
  example: 'audit',
  parse: (a) => noArgs(a, {}),
  run: async (d, t) => forAll(auditCard(t.tr, await d.audit.recent(t))),
});

export const AUDIT_COMMANDS = [audit];
