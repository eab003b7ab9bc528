/**
 * One log line per turn (Stripe's "canonical log line"): written at info when the turn is over, with what
 * an operator filters on: what was asked (the activity's type, the command or card verb, never their
 * arguments), the outcome, the duration, and each Partner Center call with its status and MS-RequestId.
 * The detail lines (one per call) are at debug. The line's logger carries the conversation, activity and
 * correlation ids, once each.
 *
 * "Over" means the turn has answered and the user's work has finished: a card action Teams was answered
 * for before its deadline ("working…") is over when its work is, so its calls are on its line.
 */
import type { FailureFacts } from './failure';
import type { Logger } from './logger';

/** A Partner Center call as the line lists it (the pipeline's CallRecord, read structurally). */
export interface LineCall {
  method: string;
  path: string;
  status: number;
  requestId?: string;
  failure?: string;
  ms?: number;
}

/** What became of the turn: answered, asked the user to sign in, answered with an error card, or threw. */
export type TurnOutcome = 'ok' | 'signIn' | 'failed' | 'error';

export class TurnLine {
  private readonly calls: LineCall[] = [];
  private readonly fields: Record<string, unknown> = {};
  private outcome?: TurnOutcome;
  private failure?: FailureFacts;
  private holds = 0;
  private ended = false;
  private written = false;
  private log?: Logger;

  constructor(
    private readonly now: () => number,
    private readonly started = now(),
  ) {}

  /** A Partner Center call of the turn, as it answers. Calls after the line is written (a follow-up's polls) are at debug only. */
  record(call: LineCall): void {
    if (!this.written) this.calls.push(call);
  }

  /** Adds what was asked or how it went (`command`, `verb`, `late`, `followUp`): names and flags, never arguments. */
  set(fields: Record<string, string | number | boolean | undefined>): void {
    Object.assign(this.fields, fields);
  }

  /**
   * A fact for the line (a write's audit facts), or, once the line is written (a write that landed in a
   * follow-up), a line of its own at info: either way it is logged once.
   */
  add(fields: Record<string, unknown>, msg: string): void {
    if (this.written && this.log) this.log.info(fields, msg);
    else Object.assign(this.fields, fields);
  }

  /** The outcome of the user's work; the first one said stands (a later `error` from the turn does not hide it). */
  settle(outcome: TurnOutcome, failure?: FailureFacts): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.failure = failure;
  }

  /** Work that may outlive the turn's answer holds the line until it releases it. */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.writeIfOver();
    };
  }

  /** The turn has answered: the line is written now, or when the last work holding it is done. */
  end(log: Logger, outcome: 'ok' | 'error', failure?: FailureFacts): void {
    if (this.ended) return;
    this.ended = true;
    this.log = log;
    if (outcome === 'error') this.settle('error', failure);
    if (this.holds > 0) this.fields.late = true;
    this.writeIfOver();
  }

  private writeIfOver(): void {
    if (!this.ended || this.holds > 0 || this.written || !this.log) return;
    this.written = true;
    this.log.info(
      {
        ...this.fields,
        outcome: this.outcome ?? 'ok',
        ...(this.failure ? { failure: this.failure } : {}),
        ms: this.now() - this.started,
        calls: this.calls.map((c) => ({ method: c.method, path: c.path, status: c.status, requestId: c.requestId, failure: c.failure, ms: c.ms })),
      },
      'turn',
    );
  }
}
