/** The subscription cards' buttons and edit form. */
import { z } from 'zod';
import { action } from '../../commands/contract';
import { customerIdSchema, subscriptionIdSchema } from '../../partner-center/schemas';
import { listOffset, offset, searchQuery } from '../common/data';
import { asBoolean, asNumber } from '../common/forms';
import { VERB } from '../../cards/verbs';
import { CHANGED, CHANGING, SCHEDULED, SCHEDULING } from './commands';
import * as subs from './handlers';
import { requestNextTerm } from './next-term';

const ids = z.looseObject({ customerId: customerIdSchema, subscriptionId: subscriptionIdSchema });
/** A subscription opened from a list carries the list's page (and the customer search before it), for "Back to the list". */
const shown = ids.extend({ listOffset, query: searchQuery });

export const SUBSCRIPTION_ACTIONS = [
  action({
    verb: VERB.customerSubscriptions,
    data: z.looseObject({ customerId: customerIdSchema, offset, query: searchQuery }),
    run: (d, t, data) => subs.listSubscriptions(d, t, data.customerId, data.offset, data.query),
  }),
  action({
    verb: VERB.subShow,
    data: shown,
    run: (d, t, data) =>
      subs.showSubscription(d, t, data.customerId, data.subscriptionId, data.listOffset === undefined ? undefined : { offset: data.listOffset, query: data.query }),
  }),
  action({
    verb: VERB.subUpdate,
    data: ids,
    writes: true,
    audit: CHANGED,
    confirms: CHANGING,
    progress: () => ({ key: 'progress.subUpdate' }),
    // The form sends every field; the handler validates them and changes only those that differ.
    run: (d, t, data) =>
      subs.requestChange(
        d,
        t,
        data.customerId,
        data.subscriptionId,
        { quantity: asNumber(data.quantity) as number, friendlyName: data.friendlyName as string, autoRenewEnabled: asBoolean(data.autoRenewEnabled) as boolean },
        data,
      ),
  }),
  action({
    // The "At renewal" part's form and Clear, and the renewals card's "Next-term seats" (no seats: the form opens).
    verb: VERB.subNext,
    data: ids.extend({ nextQuantity: z.unknown().optional(), clear: z.unknown().optional() }),
    writes: true,
    audit: SCHEDULED,
    confirms: SCHEDULING,
    run: (d, t, data) =>
      requestNextTerm(
        d,
        t,
        data.customerId,
        data.subscriptionId,
        data.clear === true || data.clear === 'true' ? 'clear' : data.nextQuantity === undefined ? undefined : { quantity: asNumber(data.nextQuantity) as number },
        data.nextQuantity,
      ),
  }),
  action({
    verb: VERB.subStatus,
    data: ids.extend({ status: z.enum(['active', 'suspended', 'deleted']) }),
    writes: true,
    audit: CHANGED,
    confirms: CHANGING,
    // Suspending and cancelling ask first (the confirmation's own step); reactivating goes straight through.
    progress: (data) => ({ key: data.status === 'active' ? 'progress.subReactivate' : data.status === 'suspended' ? 'progress.subSuspend' : 'progress.subCancel' }),
    run: (d, t, data) => subs.requestChange(d, t, data.customerId, data.subscriptionId, { status: data.status }),
  }),
];
