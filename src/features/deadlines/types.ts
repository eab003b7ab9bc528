/**
 * What `renewals` and `windows` own, added to the bot's services (the contract's BotDeps, as
 * src/features/common/types.ts does for the others): the partner tenants' request budget, and where a read
 * across every customer is kept for the same person's next ask.
 */
import type { RequestBudget } from '../../partner-center/budget';
import type { KeyValueStore } from '../../storage';
import type { Book } from './read';

export interface DeadlineServices {
  budget: RequestBudget;
  /** Reads across every customer, per user, for `cacheMs` (0: none kept). */
  store: KeyValueStore;
  cacheMs: number;
  /** Reads under way on this instance, per user: a second ask while one runs waits for it instead of reading again. */
  reading: Map<string, Promise<Book>>;
}

declare module '../../commands/contract' {
  interface BotDeps {
    deadlines: DeadlineServices;
  }
}

export function deadlineServices(o: { budget: RequestBudget; store: KeyValueStore; cacheMs: number }): DeadlineServices {
  return { ...o, reading: new Map() };
}
