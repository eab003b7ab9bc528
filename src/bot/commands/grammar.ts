/**
 * The command grammar: the product's interface. `help` shows it and the app manifest's command list
 * mirrors it (a test keeps them in step).
 *
 * Text in, a typed Command (a discriminated union) or a ParseError out. Routing is on exact keys, never on
 * substrings. Command words are case-insensitive; values keep their case.
 */

import { SR_ID_PATTERN } from '../../partner-center/schemas';
import type { Message } from '../../i18n';

export type SrListFilter = 'open' | 'closed' | 'attention';
export type SubscriptionAction = 'suspend' | 'reactivate' | 'cancel';

export interface SubscriptionSetFields {
  quantity?: number;
  friendlyName?: string;
  autoRenewEnabled?: boolean;
}

export interface ProfileSetFields {
  email?: string;
  telephone?: string;
  website?: string;
}

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'sr.new' }
  | { kind: 'sr.list'; filter?: SrListFilter }
  | { kind: 'sr.show'; id: string }
  | { kind: 'sr.note'; id: string; text: string }
  | { kind: 'sr.close'; id: string }
  | { kind: 'customer.find'; query: string }
  | { kind: 'sub.list'; customer: string }
  | { kind: 'sub.show'; customer: string; subscriptionId: string }
  | { kind: 'sub.set'; customer: string; subscriptionId: string; fields: SubscriptionSetFields }
  | { kind: `sub.${SubscriptionAction}`; customer: string; subscriptionId: string }
  | { kind: 'profile.show' }
  | { kind: 'profile.set'; fields: ProfileSetFields }
  | { kind: 'whoami' }
  | { kind: 'signout' }
  | { kind: 'watch.sr'; id: string }
  | { kind: 'watch.srAll'; openOnly: boolean }
  | { kind: 'watch.subs'; customer: string }
  | { kind: 'unwatch'; id: string }
  | { kind: 'watches' }
  | { kind: 'audit' };

export type CommandKind = Command['kind'];

/** Why a text is not a command: an i18n message (key and values), and the closest valid usage. */
export type ParseError = Message<
  'parse.empty' | 'parse.unknown' | 'parse.missingArgument' | 'parse.badArgument' | 'parse.unknownField' | 'parse.tooLong' | 'parse.unclosedQuote'
> & {
  /** The usage line of the command the user most likely meant. */
  usage?: string;
};

export type ParseResult = { ok: true; command: Command } | { ok: false; error: ParseError };

/** Usage lines, in the order `help` shows them. `name` is what `help <name>` accepts. */
export const USAGE = [
  { name: 'help', usage: 'help [command]', example: 'help sub set' },
  { name: 'sr new', usage: 'sr new', example: 'sr new' },
  { name: 'sr list', usage: 'sr list [open|closed|attention]', example: 'sr list open' },
  { name: 'sr', usage: 'sr <id>', example: 'sr 616122292874576' },
  { name: 'sr note', usage: 'sr note <id> <text>', example: 'sr note 616122292874576 Customer confirmed the fix' },
  { name: 'sr close', usage: 'sr close <id>', example: 'sr close 616122292874576' },
  { name: 'customer find', usage: 'customer find <name or domain prefix>', example: 'customer find contoso' },
  { name: 'sub list', usage: 'sub list <customer>', example: 'sub list contoso.onmicrosoft.com' },
  { name: 'sub', usage: 'sub <customer> <subscription-id>', example: 'sub contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87' },
  {
    name: 'sub set',
    usage: 'sub set <customer> <subscription-id> quantity=N name="…" autorenew=on|off',
    example: 'sub set contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87 quantity=30',
  },
  { name: 'sub suspend', usage: 'sub suspend <customer> <subscription-id>', example: 'sub suspend contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87' },
  { name: 'sub reactivate', usage: 'sub reactivate <customer> <subscription-id>', example: 'sub reactivate fabrikam 1c3e5a7b-9d2f-4b6a-8c0e-2d4f6a8b0c1e' },
  { name: 'sub cancel', usage: 'sub cancel <customer> <subscription-id>', example: 'sub cancel contoso e4b2d8c6-1a3f-4c5e-8b7d-9f0e2a4c6b81' },
  { name: 'profile', usage: 'profile', example: 'profile' },
  { name: 'profile set', usage: 'profile set email=… phone=… website=…', example: 'profile set phone="+1 425 555 0100"' },
  { name: 'watch sr', usage: 'watch sr <id>', example: 'watch sr 616122292874576' },
  { name: 'watch sr all', usage: 'watch sr all [open]', example: 'watch sr all open' },
  { name: 'watch subs', usage: 'watch subs <customer>', example: 'watch subs contoso.onmicrosoft.com' },
  { name: 'unwatch', usage: 'unwatch <watch-id>', example: 'unwatch w-1a2b3c4d' },
  { name: 'watches', usage: 'watches', example: 'watches' },
  { name: 'audit', usage: 'audit', example: 'audit' },
  { name: 'whoami', usage: 'whoami', example: 'whoami' },
  { name: 'signout', usage: 'signout', example: 'signout' },
] as const;

export type UsageName = (typeof USAGE)[number]['name'];

/** Longest command text accepted; the rest of Teams' 28 KB message limit is no use to a command. */
export const MAX_COMMAND_LENGTH = 4000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SR_ID = SR_ID_PATTERN;

interface Token {
  text: string;
  /** Where the token starts in the input, so "the rest of the line" keeps its spacing. */
  start: number;
  quoted: boolean;
}

const OPEN_QUOTES = '"“„«';
const CLOSE_FOR: Record<string, string> = { '"': '"', '“': '”', '„': '“', '«': '»' };

/** Splits on whitespace; "double", “curly” and «guillemet» quotes group words; key="a b" is one token. */
export function tokenize(input: string): Token[] | ParseError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i]!)) i++;
    if (i >= input.length) break;
    const start = i;
    let text = '';
    let quoted = false;
    while (i < input.length && !/\s/.test(input[i]!)) {
      const ch = input[i]!;
      if (OPEN_QUOTES.includes(ch)) {
        const close = CLOSE_FOR[ch]!;
        const end = input.indexOf(close, i + 1);
        const altEnd = ch === '“' ? input.indexOf('"', i + 1) : -1;
        const stop = end >= 0 ? end : altEnd;
        if (stop < 0) return { key: 'parse.unclosedQuote', params: {} };
        text += input.slice(i + 1, stop);
        quoted = true;
        i = stop + 1;
      } else {
        text += ch;
        i++;
      }
    }
    tokens.push({ text, start, quoted });
  }
  return tokens;
}

export function parseCommand(raw: string): ParseResult {
  const input = raw.replace(/\u00a0/g, ' ').trim();
  if (input.length === 0) return fail({ key: 'parse.empty' });
  if (input.length > MAX_COMMAND_LENGTH) return fail({ key: 'parse.tooLong', params: { max: MAX_COMMAND_LENGTH } });
  const tokens = tokenize(input);
  if (!Array.isArray(tokens)) return { ok: false, error: tokens };
  const words = tokens.map((t) => t.text);
  const head = words[0]!.toLowerCase().replace(/^\//, '');
  const sub = words[1]?.toLowerCase();
  const restFrom = (n: number) => (tokens[n] ? input.slice(tokens[n]!.start).trim() : '');

  switch (head) {
    case 'help':
    case '?':
      return ok({ kind: 'help', ...(words.length > 1 ? { topic: words.slice(1).join(' ').toLowerCase() } : {}) });

    case 'sr':
      return parseSr(words, sub, restFrom);

    case 'customer':
    case 'customers':
      if (sub !== 'find') return unknown(input, 'customer');
      if (!words[2]) return missing('customer find', 'name or domain prefix');
      return ok({ kind: 'customer.find', query: restFrom(2) });

    case 'sub':
    case 'subs':
    case 'subscription':
      return parseSub(words, sub, restFrom);

    case 'watch':
      return parseWatch(words, restFrom);
    case 'unwatch':
      if (!words[1]) return missing('unwatch', 'watch-id');
      if (!/^w-[0-9a-f]{8}$/i.test(words[1]) || words.length > 2) return bad('unwatch', 'watch-id', words.slice(1).join(' '));
      return ok({ kind: 'unwatch', id: words[1].toLowerCase() });
    case 'watches':
      return words.length === 1 ? ok({ kind: 'watches' }) : unknown(input);
    case 'audit':
      return words.length === 1 ? ok({ kind: 'audit' }) : unknown(input);
    case 'whoami':
      return words.length === 1 ? ok({ kind: 'whoami' }) : unknown(input);
    case 'signout':
    case 'logout':
      return words.length === 1 ? ok({ kind: 'signout' }) : unknown(input);
    case 'sign':
      return sub === 'out' && words.length === 2 ? ok({ kind: 'signout' }) : unknown(input);

    case 'profile':
      if (words.length === 1) return ok({ kind: 'profile.show' });
      if (sub !== 'set') return unknown(input, 'profile');
      return parseProfileSet(words.slice(2));

    default:
      return unknown(input);
  }
}

function parseSr(words: string[], sub: string | undefined, restFrom: (n: number) => string): ParseResult {
  switch (sub) {
    case undefined:
      return missing('sr', 'id');
    case 'new':
    case 'create':
      return ok({ kind: 'sr.new' });
    case 'list': {
      const f = words[2]?.toLowerCase();
      if (f === undefined) return ok({ kind: 'sr.list' });
      const filter = f === 'attention_needed' || f === 'attention-needed' ? 'attention' : f;
      if (filter !== 'open' && filter !== 'closed' && filter !== 'attention') {
        return bad('sr list', 'filter', words[2]!);
      }
      return ok({ kind: 'sr.list', filter });
    }
    case 'note': {
      const id = words[2];
      if (!id) return missing('sr note', 'id');
      if (!SR_ID.test(id)) return bad('sr note', 'id', id);
      const text = restFrom(3);
      if (!text) return missing('sr note', 'text');
      return ok({ kind: 'sr.note', id, text });
    }
    case 'close': {
      const id = words[2];
      if (!id) return missing('sr close', 'id');
      if (!SR_ID.test(id)) return bad('sr close', 'id', id);
      return ok({ kind: 'sr.close', id });
    }
    default:
      // Ids are alphanumeric; one with a digit in it is an id, a plain word is a mistyped subcommand.
      if (SR_ID.test(words[1]!) && /\d/.test(words[1]!) && words.length === 2) return ok({ kind: 'sr.show', id: words[1]! });
      if (/^\d/.test(words[1]!)) return bad('sr', 'id', words[1]!);
      return unknown(words.join(' '), 'sr');
  }
}

function parseWatch(words: string[], restFrom: (n: number) => string): ParseResult {
  const what = words[1]?.toLowerCase();
  if (what === 'sr') {
    const arg = words[2]?.toLowerCase();
    if (!arg) return missing('watch sr', 'id');
    if (arg === 'all') {
      const filter = words[3]?.toLowerCase();
      if (words.length > 4 || (filter !== undefined && filter !== 'open')) return bad('watch sr all', 'filter', words.slice(3).join(' '));
      return ok({ kind: 'watch.srAll', openOnly: filter === 'open' });
    }
    if (!SR_ID.test(arg) || words.length > 3) return bad('watch sr', 'id', words.slice(2).join(' '));
    return ok({ kind: 'watch.sr', id: words[2]! });
  }
  if (what === 'subs' || what === 'sub' || what === 'subscriptions') {
    if (!words[2]) return missing('watch subs', 'customer');
    return ok({ kind: 'watch.subs', customer: restFrom(2) });
  }
  return unknown(words.join(' '), 'watch');
}

function parseSub(words: string[], sub: string | undefined, restFrom: (n: number) => string): ParseResult {
  switch (sub) {
    case undefined:
      return missing('sub list', 'customer');
    case 'list':
      if (!words[2]) return missing('sub list', 'customer');
      return ok({ kind: 'sub.list', customer: restFrom(2) });
    case 'set': {
      const target = customerAndSubscription(words.slice(2), 'sub set', true);
      if ('error' in target) return target.error;
      const fields = parseSubFields(target.rest);
      if ('error' in fields) return fields.error;
      return ok({ kind: 'sub.set', customer: target.customer, subscriptionId: target.subscriptionId, fields: fields.value });
    }
    case 'suspend':
    case 'reactivate':
    case 'cancel': {
      const target = customerAndSubscription(words.slice(2), `sub ${sub}`, false);
      if ('error' in target) return target.error;
      return ok({ kind: `sub.${sub}`, customer: target.customer, subscriptionId: target.subscriptionId });
    }
    default: {
      // `sub <customer> <subscription-id>`: the customer may be several words ("Contoso Ltd" or Contoso Ltd).
      const target = customerAndSubscription(words.slice(1), 'sub', false);
      const typo = ['list', 'set', 'suspend', 'reactivate', 'cancel'].some((w) => levenshtein(sub, w) <= 2);
      if ('error' in target && typo) return unknown(words.join(' '), 'sub');
      if ('error' in target) return target.error;
      return ok({ kind: 'sub.show', customer: target.customer, subscriptionId: target.subscriptionId });
    }
  }
}

/**
 * `<customer> <subscription-id> [fields…]`: the subscription id is the first GUID after the customer, so a
 * customer may be a tenant id, a domain, or a multi-word name.
 */
function customerAndSubscription(
  args: string[],
  usage: UsageName,
  allowFields: boolean,
): { customer: string; subscriptionId: string; rest: string[] } | { error: ParseResult } {
  if (args.length === 0) return { error: missing(usage, 'customer') };
  const subAt = args.findIndex((a, i) => i > 0 && GUID.test(a));
  if (subAt < 0) {
    const last = args[args.length - 1]!;
    if (args.length === 1) return { error: missing(usage, 'subscription-id') };
    return { error: bad(usage, 'subscription-id', last) };
  }
  const rest = args.slice(subAt + 1);
  if (!allowFields && rest.length > 0) return { error: bad(usage, 'subscription-id', rest.join(' ')) };
  return { customer: args.slice(0, subAt).join(' '), subscriptionId: args[subAt]!.toLowerCase(), rest };
}

function keyValues(args: string[], usage: UsageName): Array<[string, string]> | ParseResult {
  const pairs: Array<[string, string]> = [];
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) return bad(usage, 'field', a);
    pairs.push([a.slice(0, eq).toLowerCase(), a.slice(eq + 1)]);
  }
  if (pairs.length === 0) return missing(usage, 'field');
  return pairs;
}

function parseSubFields(args: string[]): { value: SubscriptionSetFields } | { error: ParseResult } {
  const pairs = keyValues(args, 'sub set');
  if (!Array.isArray(pairs)) return { error: pairs };
  const value: SubscriptionSetFields = {};
  for (const [key, v] of pairs) {
    switch (key) {
      case 'quantity':
      case 'seats':
      case 'qty':
        if (!/^\d{1,7}$/.test(v)) return { error: bad('sub set', 'quantity', v) };
        value.quantity = Number(v);
        break;
      case 'name':
      case 'nickname':
      case 'friendlyname':
        if (!v.trim()) return { error: bad('sub set', 'name', v) };
        value.friendlyName = v.trim();
        break;
      case 'autorenew':
      case 'auto-renew':
      case 'autorenewenabled': {
        const on = ['on', 'true', 'yes', '1'].includes(v.toLowerCase());
        const off = ['off', 'false', 'no', '0'].includes(v.toLowerCase());
        if (!on && !off) return { error: bad('sub set', 'autorenew', v) };
        value.autoRenewEnabled = on;
        break;
      }
      default:
        return { error: fail({ key: 'parse.unknownField', params: { field: key, allowed: 'quantity, name, autorenew' } }, 'sub set') };
    }
  }
  return { value };
}

function parseProfileSet(args: string[]): ParseResult {
  const pairs = keyValues(args, 'profile set');
  if (!Array.isArray(pairs)) return pairs;
  const fields: ProfileSetFields = {};
  for (const [key, v] of pairs) {
    if (key === 'email' || key === 'mail') fields.email = v;
    else if (key === 'phone' || key === 'telephone' || key === 'tel') fields.telephone = v;
    else if (key === 'website' || key === 'web' || key === 'url') fields.website = v;
    else return fail({ key: 'parse.unknownField', params: { field: key, allowed: 'email, phone, website' } }, 'profile set');
  }
  return ok({ kind: 'profile.set', fields });
}

// ---------------------------------------------------------------------------------------------------------

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

function usageOf(name: UsageName): string {
  return USAGE.find((u) => u.name === name)!.usage;
}

function fail(message: Message<ParseError['key']>, usage?: UsageName): ParseResult {
  return { ok: false, error: { ...message, ...(usage ? { usage: usageOf(usage) } : {}) } };
}

function missing(usage: UsageName, argument: string): ParseResult {
  return fail({ key: 'parse.missingArgument', params: { argument } }, usage);
}

function bad(usage: UsageName, argument: string, value: string): ParseResult {
  return fail({ key: 'parse.badArgument', params: { argument, value: value.slice(0, 80) } }, usage);
}

/**
 * An unknown command: suggest the usage whose words are closest to what was typed. When the first word
 * was known (`sr lsit`), only that family's subcommands are candidates.
 */
function unknown(input: string, family?: string): ParseResult {
  const typed = input.toLowerCase().split(/\s+/);
  const candidates = USAGE.filter((u) => (family ? u.name.startsWith(`${family} `) : true));
  let best: { name: UsageName; distance: number } | undefined;
  for (const u of candidates) {
    const words = u.name.split(' ').length;
    const d = levenshtein(typed.slice(0, words).join(' '), u.name);
    if (!best || d < best.distance) best = { name: u.name, distance: d };
  }
  const close = best && best.distance <= Math.max(2, Math.floor(best.name.length / 3));
  return fail({ key: 'parse.unknown', params: { text: typed.slice(0, 2).join(' ').slice(0, 40) } }, close ? best!.name : 'help');
}

export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
