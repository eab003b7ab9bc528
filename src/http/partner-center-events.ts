/**
 * POST /api/partner-center/events: Partner Center's webhook callbacks ("Partner Center webhooks").
 *
 * The body comes through the process's one gate (server.ts `receive`: the same caps, timeout and
 * 413/415/503 answers as /api/messages), and only when the three signature headers are there (401,
 * unread, otherwise). Nothing is done with it until the signature verifies (src/webhooks/verify.ts): any
 * failure is 401 and nothing is processed. Answers carry no data: an empty 200, or a fixed text.
 */
import { randomUUID } from 'node:crypto';
import type restify from 'restify';
import type { Logger } from '../logging/logger';
import type { Clock } from '../util/clock';
import { isPartnerCenterError } from '../partner-center/errors';
import { readEvent, subscriptionOf, type ChangeSink } from '../webhooks/events';
import { WebhookVerifier } from '../webhooks/verify';

export const PARTNER_CENTER_EVENTS_PATH = '/api/partner-center/events';

export interface PartnerCenterEventsOptions {
  verifier: WebhookVerifier;
  sink: ChangeSink;
  clock: Clock;
}

/** server.ts's body gate: answers its own refusals and resolves undefined then. */
export type Receive = (req: restify.Request, res: restify.Response, requestId: string, authorized: () => boolean) => Promise<Buffer | undefined>;

const UNAUTHORIZED = JSON.stringify({ error: { code: 'Unauthorized', message: 'The request is not authorized.' } });

export function registerPartnerCenterEvents(server: restify.Server, receive: Receive, o: PartnerCenterEventsOptions, logger: Logger): void {
  const log = logger.child({ component: 'webhooks' });
  server.post(PARTNER_CENTER_EVENTS_PATH, async (req, res) => {
    const requestId = randomUUID();
    const headers = WebhookVerifier.headers(req.headers);
    const body = await receive(req, res, requestId, () => typeof headers !== 'string');
    if (!body || typeof headers === 'string') return;
    const verdict = await o.verifier.verify(headers, body);
    if (!verdict.ok) {
      // The host only: the rest of a URL someone else chose is not worth a log line's trust.
      log.warn({ requestId, refused: verdict.refused, certificateHost: headers.certificateUrl.host, bytes: body.length }, 'webhook refused');
      if (!res.headersSent) {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': requestId });
        res.end(UNAUTHORIZED);
      }
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const event = readEvent(json);
    // Signed by Partner Center, so sending it again would not make it readable: acknowledged, logged, dropped.
    if (!event) log.warn({ requestId }, 'webhook event unreadable; ignored');
    else if (event.name === 'subscription-updated') {
      const target = subscriptionOf(event);
      // Which customer and subscription is customer data: the log says only whether the event named one.
      log.info({ requestId, event: event.name, namesSubscription: !!target }, 'webhook event');
      // Answered first: the re-read waits its turn behind other events, and Partner Center retries a slow answer.
      if (target) {
        void o.sink.subscriptionChanged({ ...target, seenAt: o.clock.now() }).then(
          (r) => {
            if (r.dropped) log.warn({ requestId }, 'webhook backlog full; the event is left to polling');
            else if (r.read === 0 && r.unreadable === 0 && !r.joined) log.debug({ requestId }, 'webhook event for a customer no active watch covers; nothing read');
            else if (r.unreadable > 0) log.warn({ requestId, ...r }, 'webhook event: no setter of a covering watch could get a token; polling pauses their watches');
            else log.info({ requestId, ...r }, 'webhook event re-read');
          },
          (err: unknown) => log.warn({ requestId, ...failureOf(err) }, 'webhook re-read failed; polling will see the change'),
        );
      }
    } else if (event.name === 'test-created') log.info({ requestId, event: event.name }, 'webhook test event received');
    else log.debug({ requestId, event: event.name }, 'webhook event ignored');
    res.writeHead(200, { 'cache-control': 'no-store', 'x-request-id': requestId });
    res.end();
  });
}

/**
 * What a failed re-read is, for the log: Partner Center's answer and the ids its support asks for. Not the
 * error itself, whose request URL names the customer and the subscription (customer data, kept out of logs).
 */
function failureOf(err: unknown): Record<string, unknown> {
  if (!isPartnerCenterError(err)) return { error: err instanceof Error ? err.name : typeof err };
  return { kind: err.kind, status: err.status, code: err.code, pcRequestId: err.requestId, correlationId: err.correlationId };
}
