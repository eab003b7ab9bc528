/** The `sr …` commands. */
import { command, EVERYWHERE, IN_CHANNELS_AND_GROUPS, ok, unknown } from '../../commands/contract';
import { SR_ID_PATTERN } from '../../partner-center/schemas';
import type { SrFilter } from './cards';
import * as sr from './handlers';

const FILTERS: Readonly<Record<string, SrFilter>> = {
  open: 'open',
  closed: 'closed',
  attention: 'attention',
  attention_needed: 'attention',
  'attention-needed': 'attention',
};

export const srNew = command({
  kind: 'sr.new',
  name: 'sr new',
  aliases: ['sr create'],
  usage: 'sr new',
  example: 'sr new',
  menu: EVERYWHERE,
  parse: () => ok({}),
  run: (d, t) => sr.newServiceRequestForm(d, t),
});

export const srList = command({
  kind: 'sr.list',
  name: 'sr list',
  usage: 'sr list [open|closed|attention]',
  example: 'sr list open',
  menu: EVERYWHERE,
  parse: (a) => {
    const f = a.words[0]?.toLowerCase();
    if (f === undefined) return ok({});
    const filter = FILTERS[f];
    return filter ? ok({ filter }) : a.bad('filter', a.words[0]!);
  },
  run: (d, t, a: { filter?: SrFilter }) => sr.listServiceRequests(d, t, a.filter),
});

export const srShow = command({
  kind: 'sr.show',
  name: 'sr',
  usage: 'sr «id»',
  example: 'sr 616122292874576',
  menu: EVERYWHERE,
  parse: (a) => {
    const id = a.words[0];
    if (id === undefined) return a.missing('id');
    // Ids are alphanumeric; one with a digit in it is an id, a plain word is a mistyped subcommand.
    if (SR_ID_PATTERN.test(id) && /\d/.test(id) && a.words.length === 1) return ok({ id });
    if (/^\d/.test(id)) return a.bad('id', id);
    return unknown;
  },
  run: (d, t, a: { id: string }) => sr.showServiceRequest(d, t, a.id),
});

export const srNote = command({
  kind: 'sr.note',
  name: 'sr note',
  usage: 'sr note «id» «text»',
  example: 'sr note 616122292874576 Customer confirmed the fix',
  writes: true,
  menu: EVERYWHERE,
  parse: (a) => {
    const id = a.words[0];
    if (!id) return a.missing('id');
    if (!SR_ID_PATTERN.test(id)) return a.bad('id', id);
    const text = a.rest(1);
    return text ? ok({ id, text }) : a.missing('text');
  },
  run: (d, t, a: { id: string; text: string }) => sr.addNote(d, t, a.id, a.text),
});

export const srClose = command({
  kind: 'sr.close',
  name: 'sr close',
  usage: 'sr close «id»',
  example: 'sr close 616122292874576',
  menu: IN_CHANNELS_AND_GROUPS,
  parse: (a) => {
    const id = a.words[0];
    if (!id) return a.missing('id');
    return SR_ID_PATTERN.test(id) ? ok({ id }) : a.bad('id', id);
  },
  run: (d, t, a: { id: string }) => sr.askToClose(d, t, a.id),
});

export const SERVICE_REQUEST_COMMANDS = [srNew, srList, srShow, srNote, srClose];
