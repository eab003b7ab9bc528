/** The `sr …` commands. */
import { audited, command, confirmation, EVERYWHERE, ok, unknown, type AuditedWrite } from '../../commands/contract';
import { literal } from '../../cards/render';
import type { Translator } from '../../i18n';
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

/** "Alice Admin added a note to service request 616… “Cannot assign licenses”." (older entries name only the id) */
const aboutRequest = (key: 'audit.did.sr.create' | 'audit.did.sr.note' | 'audit.did.sr.close') => (tr: Translator, e: AuditedWrite) => {
  const sr = e.item?.kind === 'sr' ? e.item : { id: e.target, title: undefined };
  return tr.t(key, { who: literal(e.by.name), id: literal(sr.id), title: literal(sr.title) || '—' });
};
export const CREATED = audited({ action: 'sr.create', sentence: aboutRequest('audit.did.sr.create') });
export const NOTED = audited({ action: 'sr.note', sentence: aboutRequest('audit.did.sr.note') });
const CLOSED = audited({ action: 'sr.close', sentence: aboutRequest('audit.did.sr.close') });

/** Closing asks first (`sr close`, the card's Close button); Confirm closes it. */
export const CLOSING = confirmation<sr.CloseRequest>({
  op: 'sr.close',
  run: (d, t, p) => sr.close(d, t, p),
  progress: () => ({ key: 'progress.srClose' }),
  kept: (tr, p) => tr.t('confirm.kept.sr', { id: p.id, title: literal(p.title) || '—' }),
});

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
  audit: NOTED,
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
  confirms: CLOSING,
  audit: CLOSED,
  parse: (a) => {
    const id = a.words[0];
    if (!id) return a.missing('id');
    return SR_ID_PATTERN.test(id) ? ok({ id }) : a.bad('id', id);
  },
  run: (d, t, a: { id: string }) => sr.askToClose(d, t, a.id),
});

export const SERVICE_REQUEST_COMMANDS = [srNew, srList, srShow, srNote, srClose];
