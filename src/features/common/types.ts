/** What handlers share: their dependencies, and what they return. */
import type { AdaptiveCard } from '../../cards/render';
import type { DelegatedIdentity } from '../../identity/delegated';
import type { Logger } from '../../logging/logger';
import type { WatchStore } from '../../notifications/watches';
import type { Authors } from '../../notifications/authors';
import type { PartnerCenterClient } from '../../partner-center';
import type { Clock } from '../../util/clock';
import type { AuditLog } from '../audit/log';
import type { BackgroundWork } from '../../teams/background';
import type { Dedupe } from '../../storage/once';
import type { Signer } from '../confirm/signing';

export interface BotDeps {
  client: PartnerCenterClient;
  clock: Clock;
  signer: Signer;
  dedupe: Dedupe;
  background: BackgroundWork;
  logger: Logger;
  watches: WatchStore;
  audit: AuditLog;
  /** Who changed which item through the bot: what notifications name, and where they do not echo it. */
  authors: Authors;
  /** The delegated sign-in, when configured (whoami, signout). */
  identity?: DelegatedIdentity;
  /** People are signed in without any prompt when they need to be (the sandbox): what signout and whoami say. */
  signsInWithoutUi?: boolean;
  /** How long a subscription change answered 202 is followed inline before the card says "in progress". */
  inlineWaitMs: number;
  /** How long it is then followed in the background, updating the card when it lands. */
  followUpWaitMs: number;
  followUpIntervalMs: number;
}

/** Replaces the card a handler posted, later (when Partner Center finishes after Teams got its answer). */
export type CardUpdater = (card: AdaptiveCard) => Promise<void>;

export interface Outcome {
  card: AdaptiveCard;
  /**
   * For card actions: `all` replaces the card for everyone in the conversation (results), `interactor` only
   * for the person who clicked (validation errors, failures).
   */
  scope: 'all' | 'interactor';
  /** Background continuation that may update the posted card. */
  followUp?: (update: CardUpdater) => Promise<void>;
}

export const forAll = (card: AdaptiveCard, followUp?: Outcome['followUp']): Outcome => ({ card, scope: 'all', ...(followUp ? { followUp } : {}) });
export const forInteractor = (card: AdaptiveCard): Outcome => ({ card, scope: 'interactor' });
