/**
 * Running what a user asked for, whatever asked (a message, a card action, a resumed request after
 * sign-in): the command or action runs once per delivered activity when it writes, a sign-in requirement
 * becomes an answer of its own, and any other failure becomes the error card that says what happened.
 */
import { messageCard } from '../cards/common';
import { badSubmission } from '../commands';
import { forInteractor, type BotDeps, type Outcome, type Parsed } from '../commands/contract';
import { CARD_ACTIONS } from '../features';
import { MAX_SUBMISSION_CHARS } from '../features/common/forms';
import { SignInRequiredError, type SignInReason, type TokenProvider } from '../identity';
import type { DelegatedIdentity } from '../identity/delegated';
import { failureFacts, logFailure } from '../logging/failure';
import { isPartnerCenterError } from '../partner-center';
import { errorToCard } from './errors';
import type { Turn } from './turn';

export type Done = { outcome: Outcome } | { signIn: SignInReason };

/** Partner Center refusing the token itself means signing in again (with MFA for 900421). */
function signInReason(e: unknown): SignInReason | undefined {
  if (e instanceof SignInRequiredError) return e.reason;
  if (isPartnerCenterError(e) && e.code === '900421') return 'mfa';
  if (isPartnerCenterError(e) && e.status === 401) return 'expired';
  return undefined;
}

export class Work {
  constructor(
    private readonly deps: BotDeps,
    private readonly tokens: TokenProvider,
    /** Set when delegated sign-in is configured: a token Partner Center refused is dropped. */
    private readonly identity: DelegatedIdentity | undefined,
    /** Whether a sign-in requirement can be answered with a sign-in prompt. */
    private readonly canSignIn: boolean,
  ) {}

  /** A parsed command, as the person in this turn: the command it carries runs it. */
  command(t: Turn, command: Parsed): Promise<Done> {
    const { spec, args } = command;
    t.line.set({ command: command.kind });
    const run = () => (spec.writes ? this.oncePerActivity(t, () => spec.run(this.deps, t, args)) : spec.run(this.deps, t, args));
    return this.withSignInWithoutUi(t, run, command.kind);
  }

  /** A card action, as the person who clicked. */
  action(t: Turn, verb: string, data: Record<string, unknown>): Promise<Done> {
    // The verb is what the card sent: logged only when it is one of the bot's own.
    const known = CARD_ACTIONS.knows(verb) ? verb : 'unknown';
    t.line.set({ verb: known });
    const run = async () => {
      if (JSON.stringify(data).length > MAX_SUBMISSION_CHARS) return forInteractor(messageCard(t.tr.t('error.tooLarge')));
      // An unknown verb, or data not of its action's shape, is refused before any work.
      const a = CARD_ACTIONS.read(verb, data);
      if (!a) return badSubmission(t.tr);
      return a.spec.writes ? this.oncePerActivity(t, () => a.spec.run(this.deps, t, a.data)) : a.spec.run(this.deps, t, a.data);
    };
    return this.withSignInWithoutUi(t, run, known);
  }

  /**
   * Work of any shape as the person in this turn: a sign-in requirement is an answer of its own (after one
   * sign-in without UI, where the token provider can), and any other failure is the caller's to answer.
   */
  async asUser<T>(t: Turn, work: () => Promise<T>): Promise<{ value: T } | { signIn: SignInReason }> {
    const once = async (): Promise<{ value: T } | { signIn: SignInReason }> => {
      try {
        return { value: await work() };
      } catch (e) {
        const reason = signInReason(e);
        if (!reason) throw e;
        // A token Partner Center refused is of no further use.
        if (!(e instanceof SignInRequiredError)) await this.identity?.signOut(t.actor);
        return { signIn: reason };
      }
    };
    const first = await once();
    if ('signIn' in first && first.signIn !== 'mfa' && this.canSignIn && this.tokens.signInWithoutUi && (await this.tokens.signInWithoutUi(t.actor))) return once();
    return first;
  }

  /** A command or card action as the user: a sign-in requirement is an answer of its own, any other failure an error card. */
  private async withSignInWithoutUi(t: Turn, work: () => Promise<Outcome>, what: string): Promise<Done> {
    // Held until the work is done: a card action answered "working" at the deadline logs its line then.
    const release = t.line.hold();
    try {
      const r = await this.asUser(t, work);
      if ('signIn' in r) t.line.settle('signIn');
      else t.line.settle('ok');
      return 'signIn' in r ? r : { outcome: r.value };
    } catch (e) {
      t.line.settle('failed', failureFacts(e));
      // Codes and ids at warn; Partner Center's own words only at debug, masked: they echo customer names.
      logFailure(t.log, 'warn', e, { work: what }, 'user work failed');
      return { outcome: forInteractor(errorToCard(t, e)) };
    } finally {
      release();
    }
  }

  /**
   * One write per user action: a message or invoke Teams delivers again (the same activity id) gets the
   * first delivery's card, and Partner Center is not called twice.
   */
  private async oncePerActivity(t: Turn, work: () => Promise<Outcome>): Promise<Outcome> {
    const id = t.activityId;
    if (!id) return work();
    let outcome: Outcome | undefined;
    const { result } = await this.deps.dedupe.once(`activity/${t.conversationKey}/${t.actor.id}/${id}`, async () => {
      outcome = await work();
      return { card: outcome.card, scope: outcome.scope };
    });
    if (outcome) return outcome;
    return result ? { card: result.card, scope: result.scope } : forInteractor(messageCard(t.tr.t('common.alreadyHandled')));
  }
}
