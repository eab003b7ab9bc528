/**
 * What the notifier (notifier.ts), the digests (digest.ts) and the reminders (reminders.ts) each work with,
 * in one type: a file of its own, so that none of the three imports another for it.
 */
import type { TokenProvider } from '../identity';
import type { Logger } from '../logging/logger';
import type { PartnerCenterClient } from '../partner-center';
import type { KeyValueStore } from '../storage';
import type { Clock } from '../util/clock';
import type { Leases } from './leases';
import type { TeamsSender } from './sender';

export interface NotificationParts {
  store: KeyValueStore;
  client: PartnerCenterClient;
  tokens: TokenProvider;
  sender: TeamsSender;
  leases: Leases;
  clock: Clock;
  logger: Logger;
}
