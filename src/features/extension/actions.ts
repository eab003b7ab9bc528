/**
 * The shared card's refresh (Universal Actions `refresh`, an `adaptiveCard/action` invoke for each viewer
 * whose client refreshes it): the item read again as that viewer, the card answered to them alone. The
 * message itself was sent by the person who shared it, so it is never edited for everyone.
 */
import { z } from 'zod';
import { action, forInteractor } from '../../commands/contract';
import { customerIdSchema, serviceRequestIdSchema, subscriptionIdSchema } from '../../partner-center/schemas';
import { VERB } from '../../cards/verbs';
import { sharedCard } from './cards';
import { readItem } from './search';

/** A Teams user id (`29:…`), as the card's `userIds` carries it. */
const sharedBy = z.string().regex(/^29:[A-Za-z0-9_\-:.]{1,200}$/).optional();

const refreshData = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('customer'), customerId: customerIdSchema, sharedBy }),
  z.looseObject({ kind: z.literal('subscription'), customerId: customerIdSchema, subscriptionId: subscriptionIdSchema, sharedBy }),
  z.looseObject({ kind: z.literal('serviceRequest'), id: serviceRequestIdSchema, sharedBy }),
]);

export const EXTENSION_ACTIONS = [
  action({
    verb: VERB.extRefresh,
    data: refreshData,
    run: async (d, t, data) => {
      const ref =
        data.kind === 'customer'
          ? { kind: data.kind, customerId: data.customerId }
          : data.kind === 'subscription'
            ? { kind: data.kind, customerId: data.customerId, subscriptionId: data.subscriptionId }
            : { kind: data.kind, id: data.id };
      const found = await readItem(d, t, ref);
      const a = t.context.activity;
      return forInteractor(sharedCard(t.tr, found.value, found.readAt, { botId: a.recipient?.id ?? '', tenantId: t.actor.tenantId }, data.sharedBy));
    },
  }),
];
