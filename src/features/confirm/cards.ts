/** The confirmation card: what will change (old → new), what it means, and Confirm / Cancel. */
import type { Translator } from '../../i18n';
import { expand, literal, type AdaptiveCard } from '../../cards/render';
import type { ChangeRow } from '../../cards/common';
import { VERB } from '../../cards/verbs';

export function confirmCard(tr: Translator, title: string, changes: ChangeRow[], consequences: string[], confirmation: unknown): AdaptiveCard {
  return expand('confirm', {
    title,
    // The values are names and nicknames as Partner Center or the user gave them: shown literally.
    changes: changes.map((c) => ({ field: c.field, from: literal(c.from), to: literal(c.to) })),
    consequences,
    confirmLabel: tr.t('common.confirm'),
    cancelLabel: tr.t('common.cancel'),
    confirmVerb: VERB.confirm,
    cancelVerb: VERB.cancel,
    // The signed confirmation travels as one opaque string, so the card's data keeps its shape.
    confirmation: JSON.stringify(confirmation),
  });
}
