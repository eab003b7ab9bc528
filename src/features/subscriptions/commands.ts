/** The `sub …` commands. */
import { customerAndSubscription, keyValues } from '../../commands/args';
import { levenshtein } from '../../commands/distance';
import { audited, command, confirmation, EVERYWHERE, failure, ok, unknown, type Args, type ArgsResult } from '../../commands/contract';
import { literal } from '../../cards/render';
import type { SubscriptionChange } from '../../partner-center';
import * as subs from './handlers';
import { applyNextTerm, requestNextTerm, type NextTermRequest, type NextTermWant } from './next-term';

type Target = { customer: string; subscriptionId: string };

/** "Alice Admin changed the subscription Microsoft 365 Business Basic of Contoso." */
export const CHANGED = audited({
  action: 'sub.update',
  sentence: (tr, e) => {
    const sub = e.item?.kind === 'sub' ? e.item : undefined;
    return tr.t('audit.did.sub.update', { who: literal(e.by.name), name: literal(sub?.name ?? e.target), customer: literal(sub?.customer) || '—' });
  },
});

/** A change that loses access (fewer seats, suspend, cancel) asks first; Confirm applies it. */
export const CHANGING = confirmation<subs.SubscriptionUpdateRequest>({
  op: 'sub.update',
  run: (d, t, p) => subs.applyConfirmed(d, t, p),
  progress: (p) => {
    const change = p.change;
    if (change?.status === 'suspended') return { key: 'progress.subSuspend' };
    if (change?.status === 'deleted') return { key: 'progress.subCancel' };
    if (change?.status === 'active') return { key: 'progress.subReactivate' };
    if (change?.quantity !== undefined) return { key: 'progress.subSeats' };
    return { key: 'progress.subUpdate' };
  },
  kept: (tr, p) => tr.t('confirm.kept.sub', { name: literal(p.subscriptionName ?? p.subscriptionId), customer: literal(p.customerName) }),
});

export const subList = command({
  kind: 'sub.list',
  name: 'sub list',
  usage: 'sub list «customer»',
  example: 'sub list contoso.onmicrosoft.com',
  menu: EVERYWHERE,
  parse: (a) => (a.words[0] ? ok({ customer: a.rest(0) }) : a.missing('customer')),
  run: (d, t, a: { customer: string }) => subs.listSubscriptions(d, t, a.customer),
});

const SUBCOMMANDS = ['list', 'set', 'next', 'suspend', 'reactivate', 'cancel'];

export const subShow = command({
  kind: 'sub.show',
  name: 'sub',
  usage: 'sub «customer» «subscription-id»',
  example: 'sub contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87',
  menu: EVERYWHERE,
  parse: (a): ArgsResult<Target> => {
    // `sub` alone most likely wanted the list.
    if (a.words.length === 0) return failure({ key: 'parse.missingArgument', params: { argument: 'customer' } }, subList);
    // The customer may be several words ("Contoso Ltd" or Contoso Ltd).
    const target = customerAndSubscription(a, a.words, false);
    const first = a.words[0]!.toLowerCase();
    if ('error' in target) return SUBCOMMANDS.some((w) => levenshtein(first, w) <= 2) ? unknown : target;
    return ok({ customer: target.customer, subscriptionId: target.subscriptionId });
  },
  run: (d, t, a: Target) => subs.showSubscription(d, t, a.customer, a.subscriptionId),
});

type SetFields = Pick<SubscriptionChange, 'quantity' | 'friendlyName' | 'autoRenewEnabled'>;

function parseFields(a: Args, args: string[]): ArgsResult<SetFields> {
  const pairs = keyValues(a, args);
  if (!Array.isArray(pairs)) return pairs;
  const value: SetFields = {};
  for (const [key, v] of pairs) {
    switch (key) {
      case 'quantity':
      case 'seats':
      case 'qty':
        if (!/^\d{1,7}$/.test(v)) return a.bad('quantity', v);
        value.quantity = Number(v);
        break;
      case 'name':
      case 'nickname':
      case 'friendlyname':
        if (!v.trim()) return a.bad('name', v);
        value.friendlyName = v.trim();
        break;
      case 'autorenew':
      case 'auto-renew':
      case 'autorenewenabled': {
        const on = ['on', 'true', 'yes', '1'].includes(v.toLowerCase());
        const off = ['off', 'false', 'no', '0'].includes(v.toLowerCase());
        if (!on && !off) return a.bad('autorenew', v);
        value.autoRenewEnabled = on;
        break;
      }
      default:
        return a.unknownField(key, 'quantity, name, autorenew');
    }
  }
  return ok(value);
}

export const subSet = command({
  kind: 'sub.set',
  name: 'sub set',
  usage: 'sub set «customer» «subscription-id» quantity=N name="…" autorenew=on|off',
  example: 'sub set contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87 quantity=30',
  writes: true,
  audit: CHANGED,
  confirms: CHANGING,
  menu: EVERYWHERE,
  parse: (a) => {
    const target = customerAndSubscription(a, a.words, true);
    if ('error' in target) return target;
    const fields = parseFields(a, target.rest);
    if (!('ok' in fields)) return fields;
    return ok({ customer: target.customer, subscriptionId: target.subscriptionId, fields: fields.ok });
  },
  run: (d, t, a: Target & { fields: SetFields }) => subs.requestChange(d, t, a.customer, a.subscriptionId, a.fields),
});

/** "Alice Admin changed what Microsoft 365 Business Basic of Contoso renews with." */
export const SCHEDULED = audited({
  action: 'sub.next',
  sentence: (tr, e) => {
    const sub = e.item?.kind === 'sub' ? e.item : undefined;
    return tr.t('audit.did.sub.next', { who: literal(e.by.name), name: literal(sub?.name ?? e.target), customer: literal(sub?.customer) || '—' });
  },
});

/** Every next-term change asks first, saying from when the subscription renews with how many seats; Confirm writes it. */
export const SCHEDULING = confirmation<NextTermRequest>({
  op: 'sub.next',
  run: (d, t, p) => applyNextTerm(d, t, p),
  progress: (p) => ({ key: p.next === 'clear' ? 'progress.subNextClear' : 'progress.subNext' }),
  kept: (tr, p) => tr.t('sub.next.kept', { name: literal(p.subscriptionName ?? p.subscriptionId), customer: literal(p.customerName) }),
});

/** `quantity=N` (or seats=, qty=) or `clear`: what the next term is to have. */
function parseNext(a: Args, rest: string[]): ArgsResult<NextTermWant> {
  if (rest.length === 1 && rest[0]!.toLowerCase() === 'clear') return ok('clear');
  if (rest.length === 0) return a.missing('quantity');
  // `clear now`: "clear" was typed right; the word after it is the one to name.
  if (rest[0]!.toLowerCase() === 'clear' && rest.length > 1) return a.bad('field', rest[1]!);
  const pairs = keyValues(a, rest);
  if (!Array.isArray(pairs)) return pairs;
  if (pairs.length !== 1) return a.bad('quantity', rest.join(' '));
  const [key, v] = pairs[0]!;
  if (!['quantity', 'seats', 'qty'].includes(key)) return a.unknownField(key, 'quantity, clear');
  if (!/^\d{1,7}$/.test(v)) return a.bad('quantity', v);
  return ok({ quantity: Number(v) });
}

export const subNext = command({
  kind: 'sub.next',
  name: 'sub next',
  usage: 'sub next «customer» «subscription-id» quantity=N|clear',
  example: 'sub next contosohotels.onmicrosoft.com 5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1e3b quantity=25',
  writes: true,
  audit: SCHEDULED,
  confirms: SCHEDULING,
  parse: (a) => {
    const target = customerAndSubscription(a, a.words, true);
    if ('error' in target) return target;
    const next = parseNext(a, target.rest);
    if (!('ok' in next)) return next;
    return ok({ customer: target.customer, subscriptionId: target.subscriptionId, next: next.ok });
  },
  run: (d, t, a: Target & { next: NextTermWant }) => requestNextTerm(d, t, a.customer, a.subscriptionId, a.next),
});

/** `sub suspend|reactivate|cancel <customer> <subscription-id>`: a status change, asked first when it loses access. */
function statusCommand(action: 'suspend' | 'reactivate' | 'cancel', status: 'suspended' | 'active' | 'deleted', example: string) {
  return command({
    kind: `sub.${action}`,
    name: `sub ${action}`,
    usage: `sub ${action} «customer» «subscription-id»`,
    example,
    writes: true,
    audit: CHANGED,
    confirms: CHANGING,
    parse: (a) => {
      const target = customerAndSubscription(a, a.words, false);
      return 'error' in target ? target : ok({ customer: target.customer, subscriptionId: target.subscriptionId });
    },
    run: (d, t, a: Target) => subs.requestChange(d, t, a.customer, a.subscriptionId, { status }),
  });
}

export const SUBSCRIPTION_COMMANDS = [
  subList,
  subShow,
  subSet,
  subNext,
  statusCommand('suspend', 'suspended', 'sub suspend contoso a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87'),
  statusCommand('reactivate', 'active', 'sub reactivate fabrikam 1c3e5a7b-9d2f-4b6a-8c0e-2d4f6a8b0c1e'),
  statusCommand('cancel', 'deleted', 'sub cancel contoso e4b2d8c6-1a3f-4c5e-8b7d-9f0e2a4c6b81'),
];
