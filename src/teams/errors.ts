/**
 * The one sink that turns any failure into a card a user understands: what failed, what to do next, and
 * the ids Partner Center support asks for. Never a stack trace, never a token.
 */
import { errorCard } from '../cards/common';
import { literal, type AdaptiveCard } from '../cards/render';
import type { Translator } from '../i18n';
import { SignInRequiredError } from '../identity';
import { isPartnerCenterError, isRefusal, PARTNER_CENTER_SERVICE_REQUESTS_URL, type PartnerCenterError } from '../partner-center';
import type { Turn } from './turn';

/** What went wrong, in the user's words: Partner Center's documented code first, then the kind of failure. */
function pcMessage(tr: Translator, e: PartnerCenterError): string {
  const byCode = tr.maybe('pc.code', e.code);
  if (byCode) return byCode;
  if (e.kind === 'throttled') return tr.t('pc.throttled', { seconds: Math.ceil((e.retryAfterMs ?? 60_000) / 1000) });
  if (e.kind !== 'http') return tr.t(`pc.${e.kind}` as const);
  if (e.status && e.status >= 500) return tr.t('pc.status.5xx');
  return tr.maybe('pc.status', e.status) ?? tr.t('pc.http');
}

function nextStep(tr: Translator, e: PartnerCenterError): string {
  if (e.code === '900421' || e.status === 401) return tr.t('error.next.signIn');
  if (e.kind === 'decommissioned') return tr.t('error.next.web');
  if (e.status === 404 || e.code === '20003') return tr.t('error.next.checkId');
  if (e.status === 403) return tr.t('error.next.role');
  if (e.status === 400 || e.kind === 'invalid-input') return tr.t('error.next.fix');
  return tr.t('error.next.retry');
}

/**
 * What the turn that failed had sent: whether a write left the bot (answered or not). "Nothing was changed"
 * may be said only when none did, or when Partner Center refused it.
 */
function wroteIn(t: Pick<Turn, 'calls'>): boolean {
  return t.calls.some((c) => c.method !== 'GET');
}

export function errorToCard(t: Pick<Turn, 'tr' | 'calls' | 'user'>, e: unknown): AdaptiveCard {
  const tr = t.tr;
  const correlationId = t.user.correlationId;
  const wrote = wroteIn(t);
  if (isPartnerCenterError(e)) {
    // Partner Center's own description is shown only where no plain-language message exists for the code.
    const own = pcMessage(tr, e);
    const outcome = !wrote ? '' : isRefusal(e) ? ` ${tr.t('error.refused')}` : ` ${tr.t('error.afterWrite')}`;
    const detail = e.kind === 'http' && !e.code?.match(/^\d+$/) && e.description && e.status === 400 ? ` (${literal(e.description)})` : '';
    return errorCard(tr, {
      message: own + detail + outcome,
      next: nextStep(tr, e),
      requestId: e.requestId,
      correlationId: e.correlationId ?? correlationId,
      link: e.kind === 'decommissioned' ? { title: tr.t('common.openInPartnerCenter'), url: PARTNER_CENTER_SERVICE_REQUESTS_URL } : undefined,
    });
  }
  if (e instanceof SignInRequiredError) {
    return errorCard(tr, { message: tr.t('error.signInRequired'), next: tr.t('error.next.signIn') });
  }
  return errorCard(tr, { message: `${tr.t('error.unexpected')} ${tr.t(wrote ? 'error.afterWrite' : 'error.nothingSent')}`, correlationId });
}
