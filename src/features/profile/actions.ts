/** The support profile card's buttons and form. */
import { z } from 'zod';
import { action } from '../../commands/contract';
import { formData } from '../common/data';
import { VERB } from '../../cards/verbs';
import * as profile from './handlers';

export const PROFILE_ACTIONS = [
  action({ verb: VERB.profileShow, data: z.unknown(), run: (d, t) => profile.showProfile(d, t) }),
  action({
    verb: VERB.profileUpdate,
    data: formData,
    writes: true,
    progress: () => ({ key: 'progress.profile' }),
    run: (d, t, data) => profile.setProfile(d, t, { email: data.email, telephone: data.telephone, website: data.website }),
  }),
];
