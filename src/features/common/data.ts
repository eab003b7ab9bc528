/** Shapes card data shares across features: checked before any handler runs. */
import { z } from 'zod';

/** Anything a form sends: its fields are validated by the handler, field by field, with messages. */
export const formData = z.record(z.string(), z.unknown());

/** A list page's offset, as a card sends it (a number or its text). */
export const offset = z.preprocess((v) => (v === undefined || v === '' ? 0 : Number(v)), z.number().int().min(0).max(100_000));

/** An optional list offset: where "Back to the list" returns to (absent when the item was not opened from a list). */
export const listOffset = z.preprocess((v) => (v === undefined || v === '' || v === null ? undefined : Number(v)), z.number().int().min(0).max(100_000).optional());

/** What a customer search was (the list "Back to the customers" shows again); empty for none. */
export const searchQuery = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().min(1).max(200).optional());
