/**
 * teams-ai's TeamsAdapter (botbuilder's CloudAdapter), with one correction: botbuilder answers 500 when a
 * token fails validation in some ways (a forged signature surfaces as a plain error, not an
 * AuthenticationError). Anything thrown before the bot's logic starts is a failed authentication: 401.
 */
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
// teams-ai's index also loads its AI half (openai, its tokenizer, models, planners): the bot uses none of it.
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';

export class PartnerOpsAdapter extends TeamsAdapter {
  /**
   * Runs one activity the HTTP layer has already read and checked (src/http/server.ts), without botbuilder's
   * own `process`, which answers with internal error text. Throws an AuthenticationError when the request
   * is not from the channel; the caller chooses what goes on the wire.
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
