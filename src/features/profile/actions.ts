/** The support profile card's buttons and form. */
import { z } from 'zod';
import { action, audited } from '../../commands/contract';
import { literal } from '../../cards/render';
import { formData } from '../common/data';
import { VERB } from '../../cards/verbs';
import * as profile from './handlers';

const UPDATED = audited({ action: 'profile.update', sentence: (tr, e) => tr.t('audit.did.profile.update', { who: literal(e.by.name) }) });

export const PROFILE_ACTIONS = [
  action({ verb: VERB.profileShow, data: z.unknown(), run: (d, t) => profile.showProfile(d, t) }),
  action({
    verb: VERB.profileUpdate,
    data: formData,
    writes: true,
    audit: UPDATED,
    progress: () => ({ key: 'progress.profile' }),
    run: (d, t, data) => profile.setProfile(d, t, { email: data.email, telephone: data.telephone, website: data.website }),
  }),
];
