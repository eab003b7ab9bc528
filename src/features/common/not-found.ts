/**
 * "Not found" answers that say which id was wrong: a service request number, a customer's tenant id, or a
 * subscription id of a customer. Partner Center answers 404 (code 20003, or ServiceRequestNotFound).
 */
import { errorCard } from '../../cards/common';
import { isPartnerCenterError } from '../../partner-center';
import { forInteractor, type Turn, type Outcome } from '../../commands/contract';

export function isNotFound(e: unknown): boolean {
  return isPartnerCenterError(e) && (e.status === 404 || e.code === '20003' || e.code === 'ServiceRequestNotFound');
}

/** The value of `read`, or undefined when Partner Center says it does not exist; any other failure is thrown. */
export async function found<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * The answer to an id that was not found: what was not found (echoing the id), how to find the right one, and
 * the ids of Partner Center's 404 answer for support.
 */
export function notFound(t: Turn, message: string, next: string): Outcome {
  // A write Partner Center refused with 404 changed nothing; a read never did.
  const wrote = t.calls.some((c) => c.method !== 'GET');
  const answer = [...t.calls].reverse().find((c) => c.status === 404);
  return forInteractor(
    errorCard(t.tr, {
      message: wrote ? `${message} ${t.tr.t('error.refused')}` : message,
      next,
      requestId: answer?.requestId,
      correlationId: answer?.correlationId ?? t.user.correlationId,
    }),
  );
}

/**
 * Runs a service request command or action; a 404 from Partner Center becomes "service request N was not
 * found" with the way to list the valid ones.
 */
export async function forServiceRequest(t: Turn, id: string, work: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await work();
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return notFound(t, t.tr.t('sr.notFound', { id }), t.tr.t('sr.notFound.next'));
  }
}
