/**
 * teams-ai's TeamsAdapter (botbuilder's CloudAdapter), with corrections:
 * - botbuilder answers 500 when a token fails validation in some ways (a forged signature surfaces as a plain
 *   error, not an AuthenticationError). Anything thrown before the bot's logic starts is a failed
 *   authentication: 401.
 * - A turn whose error handler fails too (the reply cannot reach the connector) ends as a TurnFailedError
 *   that carries the turn's own answer, so the HTTP layer answers what the turn would have, and logs why.
 * - When the reply failed because the connector cannot be reached at all, the error handler is not run: its
 *   error card would go the same way, after the same retries (about 5 s each).
 */
import { INVOKE_RESPONSE_KEY, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
// teams-ai's index also loads its AI half (openai, its tokenizer, models, planners): the bot uses none of it.
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';

type TurnErrorHandler = (context: TurnContext, error: Error) => Promise<void>;

/** A turn that started (the request was authenticated) and failed beyond what its error handler could mend. */
export class TurnFailedError extends Error {
  override readonly name = 'TurnFailedError';
  constructor(
    /** What the turn failed with first. */
    override readonly cause: unknown,
    /** Why no error card went out: the connector was unreachable, or the error handler failed too. */
    readonly stage: 'connector-unreachable' | 'error-handler-failed',
    /** What the turn had answered, for an invoke (its card); undefined when it had answered nothing. */
    readonly invokeResponse: InvokeResponse | undefined,
    /** The error handler's own failure, when it ran. */
    readonly handlerError?: unknown,
  ) {
    super('the turn failed and its reply could not be sent');
  }
}

/**
 * A call to the Bot Framework connector that got no HTTP answer at all (refused, reset, DNS, timeout): the
 * SDK's RestError names the request it was making; a status means the connector did answer.
 */
export function isConnectorUnreachable(e: unknown, serviceUrl: string | undefined): boolean {
  if (!e || typeof e !== 'object' || (e as { name?: unknown }).name !== 'RestError') return false;
  const { statusCode, request } = e as { statusCode?: unknown; request?: { url?: unknown } };
  if (statusCode !== undefined || typeof request?.url !== 'string' || !serviceUrl) return false;
  try {
    return new URL(request.url).origin === new URL(serviceUrl).origin;
  } catch {
    return false;
  }
}

export class PartnerOpsAdapter extends TeamsAdapter {
  private handler?: TurnErrorHandler;

  /** Whether Bot Framework requests must carry a channel token: an app id (BOT_ID) is configured. */
  get authenticates(): boolean {
    return !!this.botFrameworkAuthConfig?.MicrosoftAppId;
  }

  /** The handler teams-ai's `app.error` sets, wrapped: see the file comment. */
  override get onTurnError(): TurnErrorHandler {
    return async (context, error) => {
      const turnState = context.turnState;
      const answered = () => (turnState.get(INVOKE_RESPONSE_KEY) as { value?: InvokeResponse } | undefined)?.value;
      if (isConnectorUnreachable(error, context.activity.serviceUrl)) throw new TurnFailedError(error, 'connector-unreachable', answered());
      if (!this.handler) throw error;
      try {
        await this.handler(context, error);
      } catch (handlerError) {
        throw new TurnFailedError(error, 'error-handler-failed', answered(), handlerError);
      }
    };
  }

  override set onTurnError(handler: TurnErrorHandler) {
    this.handler = handler;
  }

  /**
   * Runs one activity the HTTP layer has already read and checked (src/http/server.ts), without botbuilder's
   * own `process`, which answers with internal error text. Throws an AuthenticationError when the request
   * is not from the channel, a TurnFailedError when the turn failed and could not say so; the caller chooses
   * what goes on the wire.
   */
  async handle(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authorization, activity, logic);
  }

  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    let started = false;
    const run = async (context: TurnContext) => {
      started = true;
      await logic(context);
    };
    try {
      return await (typeof auth === 'string' ? super.processActivity(auth, activity, run) : super.processActivity(auth, activity, run));
    } catch (e) {
      if (started || e instanceof AuthenticationError) throw e;
      throw new AuthenticationError(e instanceof Error ? e.message : 'Unauthorized', 401);
    }
  }
}
