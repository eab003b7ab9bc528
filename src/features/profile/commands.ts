/** `profile` and `profile set`. */
import { keyValues, noArgs } from '../../commands/args';
import { command, ok } from '../../commands/contract';
import * as profile from './handlers';

type ProfileFields = { email?: string; telephone?: string; website?: string };

export const profileShow = command({
  kind: 'profile.show',
  name: 'profile',
  usage: 'profile',
  example: 'profile',
  parse: (a) => noArgs(a, {}),
  run: (d, t) => profile.showProfile(d, t),
});

export const profileSet = command({
  kind: 'profile.set',
  name: 'profile set',
  usage: 'profile set email=… phone=… website=…',
  example: 'profile set phone="+1 425 555 0100"',
  writes: true,
  parse: (a) => {
    const pairs = keyValues(a, a.words);
    if (!Array.isArray(pairs)) return pairs;
    const fields: ProfileFields = {};
    for (const [key, v] of pairs) {
      if (key === 'email' || key === 'mail') fields.email = v;
      else if (key === 'phone' || key === 'telephone' || key === 'tel') fields.telephone = v;
      else if (key === 'website' || key === 'web' || key === 'url') fields.website = v;
      else return a.unknownField(key, 'email, phone, website');
    }
    return ok({ fields });
  },
  run: (d, t, a: { fields: ProfileFields }) => profile.setProfile(d, t, { ...a.fields }),
});

export const PROFILE_COMMANDS = [profileShow, profileSet];
