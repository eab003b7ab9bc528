/**
 * Free text from outside (Partner Center's error descriptions) masked for a debug line: its shape stays
 * readable ("Customer *** already has ***"), what may name a customer or a person does not. Partner Center
 * words its errors in lower case around the names it echoes, so what is masked is: anything quoted, e-mail
 * addresses, domain names, and every capitalised word or word with a digit in it but a sentence's first (bare numbers stay). A heuristic,
 * which is why such text is written at debug only, and never at info or warn.
 */
const QUOTED = /(["'`«“‘])[^"'`»”’]*(["'`»”’])/g;
const EMAIL = /[^\s@]+@[^\s@]+/g;
const DOMAIN = /\b[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+\b/gu;
/** A word with a capital letter or a digit (a name, an id), not at the start of the text or of a sentence. */
const NAMED_WORD = /(?<![.!?:]\s|^)(?<=\s|\(|,|\/)[\p{L}\p{N}_-]*[\p{Lu}\p{N}][\p{L}\p{N}_&.-]*/gu;
const MASK = '***';
/** Longer text is cut: a debug line needs the shape of the error, not a page of it. */
const MAX_CHARS = 300;

export function maskText(text: string): string {
  const cut = text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
  return cut
    .replace(QUOTED, (_m, open: string, close: string) => `${open}${MASK}${close}`)
    .replace(EMAIL, MASK)
    .replace(DOMAIN, MASK)
    .replace(NAMED_WORD, (word) => (/^\d+$/.test(word) ? word : MASK)); // a bare number (a quantity, a limit) names no one
}
