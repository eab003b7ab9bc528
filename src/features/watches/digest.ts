/**
 * `watch deadlines [«days»]`: the daily deadlines digest of a chat or channel (posted by
 * src/notifications/digest.ts). Setting it reads nothing of the partner's book (that is the digest's daily
 * work, within the partner's budget); it only makes sure the setter can get a token, since the digest reads
 * as them.
 */
import { messageCard } from '../../cards/common';
import { command, forAll, forInteractor, ok, type BotDeps, type Outcome, type Turn } from '../../commands/contract';
import { describe } from '../../notifications/cards';
import { firstRunAt } from '../../notifications/digest-schedule';
import { newWatch } from './new-watch';
import { instant } from '../deadlines/cards';

/** The horizon of a digest's renewals: a week by default, up to a quarter (a daily card of a longer one is mostly the same rows). */
export const DIGEST_DAYS = { default: 7, min: 1, max: 90 } as const;

declare module '../../commands/contract' {
  interface BotDeps {
    /** The hour (UTC) the digests post at: DIGEST_HOUR_UTC. */
    digestHourUtc: number;
  }
}

export const watchDeadlines = command({
  kind: 'watch.deadlines',
  name: 'watch deadlines',
  aliases: ['watch deadline', 'watch digest'],
  usage: 'watch deadlines [«days»]',
  example: 'watch deadlines 14',
  parse: (a) => {
    const word = a.words[0];
    if (word === undefined) return ok({ days: DIGEST_DAYS.default });
    const days = /^\d{1,3}$/.test(word) ? Number(word) : NaN;
    if (a.words.length > 1 || !(days >= DIGEST_DAYS.min && days <= DIGEST_DAYS.max)) return a.bad('days', a.words.join(' '));
    return ok({ days });
  },
  run: (d, t, a: { days: number }) => watchDeadlinesHere(d, t, a.days),
});

export async function watchDeadlinesHere(d: BotDeps, t: Turn, days: number): Promise<Outcome> {
  // The digest reads as the setter: a setter who cannot get a token is asked to sign in now, not at 07:00.
  await t.user.getToken();
  const timeZone = t.timeZone;
  // days and timeZone are not part of the id: one digest per conversation, whatever its horizon.
  const w = newWatch(d, t, 'deadlines', { days, ...(timeZone ? { timeZone } : {}) }, {});
  const { created, watch } = await d.watches.add(w);
  if (!created) return forInteractor(messageCard(t.tr.t('watch.already', { what: describe(t.tr, watch), id: watch.id })));
  const first = new Date(firstRunAt(w.createdAt, d.digestHourUtc)).toISOString();
  return forAll(
    messageCard(
      t.tr.t('digest.created', {
        id: w.id,
        days,
        // The hour as the reader's language writes a time, as `first` is written ("7:00 AM", "07:00"): one format per sentence.
        hour: new Intl.DateTimeFormat(t.tr.locale, { timeStyle: 'short', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, d.digestHourUtc)),
        first: instant({ tr: t.tr, timeZone }, first),
      }),
    ),
  );
}
