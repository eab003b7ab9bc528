/** `whoami` and `signout`. */
import { noArgs } from '../../commands/args';
import { command } from '../../commands/contract';
import * as account from './handlers';

export const whoami = command({
  kind: 'whoami',
  name: 'whoami',
  usage: 'whoami',
  example: 'whoami',
  parse: (a) => noArgs(a, {}),
  run: (d, t) => account.whoami(d, t),
});

export const signout = command({
  kind: 'signout',
  name: 'signout',
  aliases: ['logout', 'sign out'],
  usage: 'signout',
  example: 'signout',
  parse: (a) => noArgs(a, {}),
  run: (d, t) => account.signOut(d, t),
});

export const ACCOUNT_COMMANDS = [whoami, signout];
