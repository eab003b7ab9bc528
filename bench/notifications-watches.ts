/**
 * The watches the notification benchmarks seed straight into the store: each set by Alice in a Teams channel
 * of the benchmark's connector, already primed, so the first cycle measures changes and not the priming read.
 */
import { conversationKeyOf, watchIdFor, type Watch } from '../src/notifications/watches';

export const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';
export const USER = { id: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'Alice Admin', tenantId: TENANT };

/** An active, primed watch of `what` in `channel`, posting through Teams' connector at `connectorUrl`. */
export function channelWatch(connectorUrl: string, channel: string, what: Pick<Watch, 'kind' | 'srId' | 'customerId' | 'customerName'>, lastSeen: Watch['lastSeen']): Watch {
  const reference = { channelId: 'msteams', serviceUrl: connectorUrl, conversation: { id: channel, name: '', conversationType: 'channel', tenantId: TENANT, isGroup: true }, bot: { id: '28:partner-ops', name: 'Partner Ops' }, user: { id: '29:alice', name: USER.name } };
  const conversationKey = conversationKeyOf(reference);
  return {
    id: watchIdFor({ conversationKey, ...what }),
    ...what,
    reference,
    conversationKey,
    setBy: USER,
    locale: 'en-US',
    createdAt: Date.now(),
    state: 'active',
    primed: true,
    lastSeen,
    threads: {},
  };
}
