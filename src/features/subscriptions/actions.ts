/** The subscription cards' buttons and edit form. */
import { z } from 'zod';
import { action } from '../../commands/registry';
import { customerIdSchema, subscriptionIdSchema } from '../../partner-center/schemas';
import { offset } from '../common/data';
import { asBoolean, asNumber } from '../common/forms';
import { VERB } from '../../cards/verbs';
import * as subs from './handlers';

const ids = z.looseObject({ customerId: customerIdSchema, subscriptionId: subscriptionIdSchema });

export const SUBSCRIPTION_ACTIONS = [
  action({
    verb: VERB.customerSubscriptions,
    data: z.looseObject({ customerId: customerIdSchema, offset }),
    run: (d, t, data) => subs.listSubscriptions(d, t, data.customerId, data.offset),
  }),
  action({ verb: VERB.subShow, data: ids, run: (d, t, data) => subs.showSubscription(d, t, data.customerId, data.subscriptionId) }),
  action({
    verb: VERB.subUpdate,
    data: ids,
    writes: true,
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
    verb: VERB.subStatus,
    data: ids.extend({ status: z.enum(['active', 'suspended', 'deleted']) }),
    writes: true,
    run: (d, t, data) => subs.requestChange(d, t, data.customerId, data.subscriptionId, { status: data.status }),
  }),
];
