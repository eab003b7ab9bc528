/**
 * `activity [«customer»] [«days»]`: Partner Center's activity log, from any tool or person. `audit` is the
 * other record: only what was done from this chat. Not in the Teams command menu: both menus already hold
 * the 10 commands Teams shows, and this one is a read people reach through help.
 */
import { z } from 'zod';
import { VERB } from '../../cards/verbs';
import { action, command, ok } from '../../commands/contract';
import { DEFAULT_DAYS, MAX_DAYS, showActivity } from './handlers';

export const activity = command({
  kind: 'activity',
  name: 'activity',
  usage: 'activity [«customer»] [«days»]',
  example: 'activity contoso 30',
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
