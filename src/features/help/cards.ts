/** The help card: every command (or those a topic names) with what it does and an example. */
import type { Translator } from '../../i18n';
import { expand, type AdaptiveCard } from '../../cards/render';
import { usageText } from '../../commands/usage';

export interface HelpRow {
  name: string;
  usage: string;
  example: string;
}

export function helpCard(tr: Translator, all: readonly HelpRow[], topic?: string, greeting?: string): AdaptiveCard {
  const matching = topic ? all.filter((u) => u.name === topic || u.name.startsWith(`${topic} `)) : [];
  const shown = matching.length > 0 ? matching : all;
  const intro = topic && matching.length === 0 ? tr.t('help.unknownTopic', { topic }) : `${greeting ? `${greeting} ` : ''}${tr.t('help.intro')}`;
  return expand('help', {
    title: tr.t('help.title'),
    intro,
    commands: shown.map((u) => ({
      usage: usageText(tr, u.usage),
      description: tr.maybe('help.cmd', u.name) ?? '',
      example: u.example === u.usage ? '' : `${tr.t('help.examples')}: ${u.example}`,
    })),
    more: shown.length > 1 ? tr.t('help.more') : '',
  });
}
