/**
 * The watch a person sets in a conversation, as every `watch …` command stores it: posting to the conversation
 * (a channel's root, not the thread the command was typed in), set by the person who asked, in their language,
 * active and primed from `lastSeen` (what they saw when they set it). One place, so a field added to Watch is
 * filled the same way for the digest (digest.ts) and the change watches (handlers.ts).
 */
import type { BotDeps, Turn } from '../../commands/contract';
import { postingReference, watchIdFor, type Snapshot, type Watch, type WatchKind } from '../../notifications/watches';

/** `target` is what is watched (its srId, openOnly or customerId make the id; anything else is stored as is). */
export function newWatch(d: Pick<BotDeps, 'clock'>, t: Turn, kind: WatchKind, target: Partial<Watch>, lastSeen: Record<string, Snapshot>): Watch {
  const conversationKey = t.conversationKey;
  return {
    id: watchIdFor({ conversationKey, kind, ...target }),
    kind,
    ...target,
    reference: postingReference(t.reference),
    conversationKey,
    setBy: { id: t.actor.id, name: t.actor.name, tenantId: t.actor.tenantId },
    locale: t.locale,
    createdAt: d.clock.now(),
    state: 'active',
    primed: true,
    lastSeen,
    threads: {},
  };
}
