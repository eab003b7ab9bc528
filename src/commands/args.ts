/** Argument shapes several commands share. */
import { GUID } from '../partner-center/schemas';
import type { Args, ParseError } from './contract';

/**
 * `<customer> <subscription-id> [fields…]`: the subscription id is the first GUID after the customer, so a
 * customer may be a tenant id, a domain, or a multi-word name.
 */
export function customerAndSubscription(
  a: Pick<Args, 'missing' | 'bad'>,
  args: string[],
  allowFields: boolean,
): { customer: string; subscriptionId: string; rest: string[] } | { error: ParseError } {
  if (args.length === 0) return a.missing('customer');
  const subAt = args.findIndex((w, i) => i > 0 && GUID.test(w));
  if (subAt < 0) {
    // The word meant as the id is the last one that is not a field: in `contoso not-a-guid quantity=5` the
    // answer names "not-a-guid", not "quantity=5" (what a newcomer typed right).
    const words = allowFields ? args.filter((w) => !w.includes('=')) : args;
    if (words.length <= 1) return a.missing('subscription-id');
    return a.bad('subscription-id', words[words.length - 1]!);
  }
  const rest = args.slice(subAt + 1);
  if (!allowFields && rest.length > 0) return a.bad('subscription-id', rest.join(' '));
  return { customer: args.slice(0, subAt).join(' '), subscriptionId: args[subAt]!.toLowerCase(), rest };
}

/** `key=value` words; keys lower-cased. */
export function keyValues(a: Pick<Args, 'missing' | 'bad'>, args: string[]): Array<[string, string]> | { error: ParseError } {
  const pairs: Array<[string, string]> = [];
  for (const w of args) {
    const eq = w.indexOf('=');
    if (eq <= 0) return a.bad('field', w);
    pairs.push([w.slice(0, eq).toLowerCase(), w.slice(eq + 1)]);
  }
  if (pairs.length === 0) return a.missing('field');
  return pairs;
}

/** Commands that take nothing: any word after them means the user meant something else. */
export function noArgs<A extends object>(a: Args, value: A): { ok: A } | { unknown: true } {
  return a.words.length === 0 ? { ok: value } : { unknown: true };
}
