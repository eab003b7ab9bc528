/** `customer find` and `customer`. */
import { levenshtein } from '../../commands/distance';
import { z } from 'zod';
import { action, command, ok, unknown } from '../../commands/contract';
import { VERB } from '../../cards/verbs';
import { findCustomers, showCustomer } from './handlers';

export const customerFind = command({
  kind: 'customer.find',
  name: 'customer find',
  usage: 'customer find «name or domain prefix»',
  example: 'customer find contoso',
  parse: (a) => (a.words[0] ? ok({ query: a.rest(0) }) : a.missing('name or domain prefix')),
  run: (d, t, a: { query: string }) => findCustomers(d, t, a.query),
});

export const customerShow = command({
  kind: 'customer.show',
  name: 'customer',
  usage: 'customer «tenant-id, domain or name»',
  example: 'customer contoso.onmicrosoft.com',
  parse: (a) => {
    if (!a.words[0]) return a.missing('tenant-id, domain or name');
    // "customer fnd contoso" meant `customer find`.
    if (a.words.length > 1 && levenshtein(a.words[0].toLowerCase(), 'find') <= 2) return unknown;
    return ok({ query: a.rest(0) });
  },
  run: (d, t, a: { query: string }) => showCustomer(d, t, a.query),
});

export const CUSTOMER_COMMANDS = [customerFind, customerShow];

/** "Back to the customers" on a customer's subscriptions: the search again. */
export const CUSTOMER_ACTIONS = [
  action({ verb: VERB.customerFind, data: z.looseObject({ query: z.string().trim().min(1).max(200) }), run: (d, t, data) => findCustomers(d, t, data.query) }),
];
