/** The partner's support profile, as an edit form prefilled with the current values. */
import { VERB } from '../../cards/verbs';
import type { Translator } from '../../i18n';
import type { SupportProfile } from '../../partner-center';
import { bannerData, type Banner } from '../../cards/common';
import { expand, type AdaptiveCard } from '../../cards/render';

export interface ProfileFormState {
  values?: { email?: string; telephone?: string; website?: string };
  errors?: Partial<Record<'email' | 'telephone' | 'website', string>>;
  formError?: string;
}

export function profileCard(tr: Translator, p: SupportProfile, o: { banner?: Banner; form?: ProfileFormState } = {}): AdaptiveCard {
  const v = o.form?.values;
  return expand('profile', {
    formError: o.form?.formError ?? '',
    values: { email: v?.email ?? p.email ?? '', telephone: v?.telephone ?? p.telephone ?? '', website: v?.website ?? p.website ?? '' },
    errors: { email: o.form?.errors?.email ?? '', telephone: o.form?.errors?.telephone ?? '', website: o.form?.errors?.website ?? '' },
    labels: {
      title: tr.t('profile.title'),
      intro: tr.t('profile.intro'),
      email: tr.t('profile.field.email'),
      telephone: tr.t('profile.field.telephone'),
      website: tr.t('profile.field.website'),
      save: tr.t('common.save'),
      refresh: tr.t('common.refresh'),
    },
    verbs: { update: VERB.profileUpdate, show: VERB.profileShow },
    // Last: spread first, it would leave V8 a slow (dictionary) object for every key after it (3× the card's cost).
    ...bannerData(o.banner),
  });
}
