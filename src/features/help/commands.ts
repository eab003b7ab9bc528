/** `help [command]`, and the welcome a conversation gets when the bot is added. */
import { COMMANDS } from '../../commands';
import { command, EVERYWHERE, ok } from '../../commands/registry';
import type { Translator } from '../../i18n';
import type { AdaptiveCard } from '../../cards/render';
import { forInteractor } from '../common/types';
import { helpCard } from './cards';

export const help = command({
  kind: 'help',
  name: 'help',
  usage: 'help [command]',
  example: 'help sub set',
  menu: EVERYWHERE,
  parse: (a) => ok(a.words.length > 0 ? { topic: a.words.join(' ').toLowerCase() } : {}),
  run: async (_d, t, a: { topic?: string }) => forInteractor(helpCard(t.tr, COMMANDS, a.topic)),
});

export function welcomeCard(tr: Translator): AdaptiveCard {
  return helpCard(tr, COMMANDS, undefined, tr.t('help.welcome'));
}
