/** `profile` and `profile set`, and the profile form. */
import { profileCard } from './cards';
import type { SupportProfileChange } from '../../partner-center';
import { supportProfileChangeSchema } from '../../partner-center/schemas';
import { echoValues, validateForm } from '../common/forms';
import { forAll, forInteractor, type Turn, type BotDeps, type Outcome } from '../../commands/contract';
import { messageCard } from '../../cards/common';
import { reportWrite } from '../common/written';

const FIELDS = ['email', 'telephone', 'website'] as const;
type Field = (typeof FIELDS)[number];

export async function showProfile(d: BotDeps, t: Turn): Promise<Outcome> {
  return forAll(profileCard(t.tr, await d.client.getSupportProfile(t.user)));
}

/**
 * From a command (only the fields named) or the form (every field): only those that differ are sent.
 * Partner Center replaces the whole profile, so the client reads, merges and puts.
 */
export async function setProfile(d: BotDeps, t: Turn, wanted: Record<string, unknown>): Promise<Outcome> {
  // Only what differs is a change; values the profile already has are "nothing to change", as everywhere.
  const before = await d.client.getSupportProfile(t.user);
  const change: Record<string, unknown> = {};
  for (const f of FIELDS) if (wanted[f] !== undefined && wanted[f] !== (before[f] ?? '')) change[f] = wanted[f];
  if (Object.keys(change).length === 0 && FIELDS.some((f) => typeof wanted[f] === 'string')) {
    return forAll(profileCard(t.tr, before, { banner: { text: t.tr.t('profile.noChange'), style: 'accent' } }));
  }
  const v = validateForm<typeof supportProfileChangeSchema, Field>(t.tr, supportProfileChangeSchema, change);
  if (!v.ok) {
    const { _form, ...errors } = v.errors;
    return forInteractor(profileCard(t.tr, before, { form: { values: echoValues(wanted, FIELDS), errors, formError: _form ?? t.tr.t('common.fixFields') } }));
  }
  const { result, previous } = await d.client.updateSupportProfile(t.user, v.value as SupportProfileChange);
  const rows = FIELDS.filter((f) => v.value[f] !== undefined).map((f) => ({
    field: t.tr.t(`profile.field.${f}`),
    from: previous[f] || '—',
    to: v.value[f] || '—',
  }));
  const banner = await reportWrite(d, t, {
    outcome: result.outcome,
    rows,
    audit: { action: 'profile.update', target: t.tr.t('profile.title') },
    requestId: result.requestId,
    confirmedByRead: result.outcome === 'applied' && result.confirmedByRead,
  });
  const shown = result.outcome === 'applied' ? result.resource : result.current;
  if (!shown) return forAll(messageCard([banner.text, ...(banner.lines ?? []), t.tr.t('write.unread')].join('\n\n')));
  return forAll(profileCard(t.tr, shown, { banner }));
}
