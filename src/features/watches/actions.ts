/** The watch cards' buttons. */
import { z } from 'zod';
import { action } from '../../commands/contract';
import { VERB } from '../../cards/verbs';
import { customerIdSchema } from '../../partner-center/schemas';
import * as watches from './handlers';

const watch = z.looseObject({ watchId: z.string().regex(/^w-[0-9a-f]{8}$/) });

export const WATCH_ACTIONS = [
  action({ verb: VERB.watchRemove, data: watch, run: (d, t, data) => watches.unwatch(d, t, data.watchId) }),
  action({ verb: VERB.watchResume, data: watch, run: (d, t, data) => watches.resume(d, t, data.watchId) }),
  // A customer picked on the card `watch subs «name»` answers when the name matches several.
  action({ verb: VERB.watchSubs, data: z.looseObject({ customerId: customerIdSchema }), run: (d, t, data) => watches.watchSubscriptions(d, t, data.customerId) }),
];
