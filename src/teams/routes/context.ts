/** What every route is given: the pieces of the bot it answers with. */
import type { TurnContext } from 'botbuilder';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../logging/logger';
import type { KeyValueStore } from '../../storage';
import type { WatchStore } from '../../notifications/watches';
import type { Delivery } from '../delivery';
import type { SignInFlow } from '../signin';
import type { Turn } from '../turn';
import type { Work } from '../work';

export interface RouteContext {
  work: Work;
  delivery: Delivery;
  /** Delegated sign-in, when configured. */
  signIn?: SignInFlow;
  turnOf(context: TurnContext): Turn;
  store: KeyValueStore;
  watches: WatchStore;
  clock: Clock;
  logger: Logger;
  /** Teams waits a few seconds for an invoke answer; past this the card says "working" and updates later. */
  invokeDeadlineMs: number;
}
