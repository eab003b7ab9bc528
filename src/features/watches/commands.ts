/** `watch …`, `unwatch`, `watches`. */
import { noArgs } from '../../commands/args';
import { command, ok } from '../../commands/contract';
import { SR_ID_PATTERN } from '../../partner-center/schemas';
import { watchDeadlines } from './digest';
import * as watches from './handlers';

export const WATCH_ID = /^w-[0-9a-f]{8}$/i;

export const watchSr = command({
  kind: 'watch.sr',
  name: 'watch sr',
  usage: 'watch sr «id»',
  example: 'watch sr 616122292874576',
  parse: (a) => {
    const id = a.words[0];
    if (!id) return a.missing('id');
    if (!SR_ID_PATTERN.test(id) || a.words.length > 1) return a.bad('id', a.words.join(' '));
    return ok({ id });
  },
  run: (d, t, a: { id: string }) => watches.watchServiceRequest(d, t, a.id),
});

export const watchSrAll = command({
  kind: 'watch.srAll',
  name: 'watch sr all',
  usage: 'watch sr all [open]',
  example: 'watch sr all open',
  parse: (a) => {
    const filter = a.words[0]?.toLowerCase();
    if (a.words.length > 1 || (filter !== undefined && filter !== 'open')) return a.bad('filter', a.words.join(' '));
    return ok({ openOnly: filter === 'open' });
  },
  run: (d, t, a: { openOnly: boolean }) => watches.watchAllServiceRequests(d, t, a.openOnly),
});

export const watchSubs = command({
  kind: 'watch.subs',
  name: 'watch subs',
  aliases: ['watch sub', 'watch subscriptions'],
  usage: 'watch subs «customer»',
  example: 'watch subs contoso.onmicrosoft.com',
  parse: (a) => (a.words[0] ? ok({ customer: a.rest(0) }) : a.missing('customer')),
  run: (d, t, a: { customer: string }) => watches.watchSubscriptions(d, t, a.customer),
});

export const unwatch = command({
  kind: 'unwatch',
  name: 'unwatch',
  usage: 'unwatch «watch-id»',
  example: 'unwatch w-1a2b3c4d',
  parse: (a) => {
    const id = a.words[0];
    if (!id) return a.missing('watch-id');
    if (!WATCH_ID.test(id) || a.words.length > 1) return a.bad('watch-id', a.words.join(' '));
    return ok({ id: id.toLowerCase() });
  },
  run: (d, t, a: { id: string }) => watches.unwatch(d, t, a.id),
});

export const listWatches = command({
  kind: 'watches',
  name: 'watches',
  usage: 'watches',
  example: 'watches',
  parse: (a) => noArgs(a, {}),
  run: (d, t) => watches.listWatches(d, t),
});

export const WATCH_COMMANDS = [watchSr, watchSrAll, watchSubs, watchDeadlines, unwatch, listWatches];
