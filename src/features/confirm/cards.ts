/**
 * The confirmation card: what it is about (the customer and subscription, or the service request), what
 * will change (old → new), what it means, and Confirm / Keep as is.
 */
import type { Translator } from '../../i18n';
import { expand, literal, type AdaptiveCard } from '../../cards/render';
import type { ChangeRow } from '../../cards/common';
import { VERB } from '../../cards/verbs';

/** A line of what the change is about, e.g. "Customer: Contoso Ltd (contoso.onmicrosoft.com)". Values are shown literally. */
export interface SubjectRow {
  title: string;
  value: string;
}

export interface Confirmation {
  /** The question, naming the item: "Close service request 616…?" */
  title: string;
  subject: SubjectRow[];
  changes: ChangeRow[];
  /** What the change does that loses nothing ("renews with 25 seats"): said in the default colour, first. */
  notes?: string[];
  /** What the change loses or risks: in the attention colour, so it stands out from the notes. */
  consequences: string[];
  /** The signed payload Confirm sends back. */
  confirmation: unknown;
}

export function confirmCard(tr: Translator, c: Confirmation): AdaptiveCard {
  return expand('confirm', {
    title: c.title,
    // Names, nicknames, titles and values come from Partner Center or the user: shown literally.
    subject: c.subject.map((s) => ({ title: s.title, value: literal(s.value) })),
    changesTitle: tr.t('confirm.changes'),
    changes: c.changes.map((r) => ({ field: r.field, from: literal(r.from), to: literal(r.to) })),
    notes: c.notes ?? [],
    consequences: c.consequences,
    next: tr.t('confirm.next'),
    confirmLabel: tr.t('common.confirm'),
    cancelLabel: tr.t('confirm.keep'),
    confirmVerb: VERB.confirm,
    cancelVerb: VERB.cancel,
    // The signed confirmation travels as one opaque string, so the card's data keeps its shape. Keep as is
    // sends it too, so the answer can name what was left unchanged.
    confirmation: JSON.stringify(c.confirmation),
  });
}
