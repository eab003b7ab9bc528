/**
 * The command machinery, for whatever commands and card actions it is handed: it names none of them.
 * src/features/index.ts assembles the lists above the features and hands them to the parser and to the
 * card actions' table; src/teams/ runs what these find.
 */
import { messageCard } from '../cards/common';
import type { Message, Translator } from '../i18n';
import { forInteractor, type ActionSpec, type Outcome } from './contract';

/** A card action as it arrived: the action its verb names, and its data, of that action's shape. */
export interface ReadAction<D = unknown> {
  spec: ActionSpec<D>;
  data: D;
}

/** Every card button's action, by verb. */
export class CardActions {
  private readonly byVerb: ReadonlyMap<string, ActionSpec>;
  constructor(all: readonly ActionSpec[]) {
    this.byVerb = new Map(all.map((a) => [a.verb as string, a]));
  }

  /** Whether a verb is one of the bot's own (a log line names only those). */
  knows(verb: string): boolean {
    return this.byVerb.has(verb);
  }

  /** The action a verb names, with its data, when the data is of its shape: one lookup for the whole action. */
  read(verb: string, data: Record<string, unknown>): ReadAction | undefined {
    const spec = this.byVerb.get(verb);
    const parsed = spec?.data.safeParse(data);
    return spec && parsed?.success ? { spec, data: parsed.data } : undefined;
  }

  /** The step a card action's "working" card names, when its data is of its action's shape and it names one. */
  progress(verb: string, data: Record<string, unknown>): Message | undefined {
    const a = this.read(verb, data);
    return a?.spec.progress?.(a.data);
  }
}

/** What a card action that is not one gets: an unknown verb, or data not of its action's shape (a stale or tampered card). */
export function badSubmission(tr: Translator): Outcome {
  return forInteractor(messageCard(tr.t('error.badSubmission')));
}

export { commandParser, MAX_COMMAND_LENGTH, type ParseResult } from './parse';
export type { ActionSpec, CommandSpec, ParseError, Parsed } from './contract';
