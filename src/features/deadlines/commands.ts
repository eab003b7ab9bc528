/** The `renewals` and `windows` commands, and their cards' paging action. */
import { z } from 'zod';
import { VERB } from '../../cards/verbs';
import { action, command, EVERYWHERE, ok, type Args, type ArgsResult } from '../../commands/contract';
import { offset } from '../common/data';
import { DEFAULT_DAYS, showDeadlines } from './handlers';

/** The most days `renewals` looks ahead: a year and a day covers every annual term. */
const MAX_DAYS = 366;

/** `[«customer»] [«days»]`: a last word that is a whole number is the days; the words before it, the customer. */
function parseRenewals(a: Args): ArgsResult<{ customer: string; days: number }> {
  const words = a.words;
  const last = words.at(-1);
  if (last !== undefined && /^\d+$/.test(last)) {
    const days = Number(last);
    if (days < 1 || days > MAX_DAYS) return a.bad('days', last);
    return ok({ customer: words.slice(0, -1).join(' '), days });
  }
  return ok({ customer: words.length > 0 ? a.rest(0) : '', days: DEFAULT_DAYS });
}

export const renewals = command({
  kind: 'renewals',
  name: 'renewals',
  usage: 'renewals [«customer»] [«days»]',
  example: 'renewals 60',
  menu: EVERYWHERE,
  menuRank: -1,
  parse: parseRenewals,
  run: (d, t, a: { customer: string; days: number }) => showDeadlines(d, t, { view: 'renewals', customer: a.customer, days: a.days }),
});

export const windows = command({
  kind: 'windows',
  name: 'windows',
  usage: 'windows [«customer»]',
  example: 'windows wingtiptoys.onmicrosoft.com',
  menu: EVERYWHERE,
  menuRank: -1,
  parse: (a) => ok({ customer: a.words.length > 0 ? a.rest(0) : '' }),
  run: (d, t, a: { customer: string }) => showDeadlines(d, t, { view: 'windows', customer: a.customer, days: DEFAULT_DAYS }),
});

export const DEADLINE_COMMANDS = [renewals, windows];

export const DEADLINE_ACTIONS = [
  action({
    verb: VERB.deadlinesPage,
    data: z.looseObject({
      view: z.enum(['renewals', 'windows']),
      customer: z.string().max(200).optional(),
      days: z.coerce.number().int().min(1).max(MAX_DAYS).optional(),
      offset,
      fresh: z.preprocess((v) => v === true || v === 'true', z.boolean()),
    }),
    run: (d, t, data) => showDeadlines(d, t, { view: data.view, customer: data.customer, days: data.days ?? DEFAULT_DAYS, offset: data.offset ?? 0, fresh: data.fresh }),
  }),
];
