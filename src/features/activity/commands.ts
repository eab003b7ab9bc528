/**
 * `activity [«customer»] [«days»]`: Partner Center's activity log, from any tool or person. `audit` is the
 * other record: only what was done from this chat. In the Teams command menu of every scope (ranked ahead of
 * the older commands: docs/teams-package.md says why); `audit` is reached through help.
 */
import { z } from 'zod';
import { VERB } from '../../cards/verbs';
import { action, command, EVERYWHERE, ok } from '../../commands/contract';
import { DEFAULT_DAYS, MAX_DAYS, showActivity } from './handlers';

export const activity = command({
  kind: 'activity',
  name: 'activity',
  usage: 'activity [«customer»] [«days»]',
  example: 'activity contoso 30',
  menu: EVERYWHERE,
  menuRank: -1,
  parse: (a) => {
    const words = [...a.words];
    let days = DEFAULT_DAYS;
    // The last word is the number of days when it is a number: "activity contoso 30", "activity 30".
    const last = words.at(-1);
    if (last !== undefined && /^\d+$/.test(last)) {
      days = Number(last);
      if (days < 1 || days > MAX_DAYS) return a.bad('days', last);
      words.pop();
    }
    return ok({ customer: words.length > 0 ? words.join(' ') : undefined, days });
  },
  run: (d, t, a: { customer?: string; days: number }) => showActivity(d, t, a),
});

export const ACTIVITY_COMMANDS = [activity];

/** "Next page" and "Previous page" of the activity card: the same question, another page. */
export const ACTIVITY_ACTIONS = [
  action({
    verb: VERB.activityList,
    data: z.looseObject({
      customer: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().min(1).max(200).optional()),
      days: z.preprocess((v) => Number(v), z.number().int().min(1).max(MAX_DAYS)),
      offset: z.preprocess((v) => (v === undefined || v === '' ? 0 : Number(v)), z.number().int().min(0).max(10_000)),
    }),
    run: (d, t, data) => showActivity(d, t, data),
  }),
];
