/** Splitting a command into words: whitespace separates; quotes group. */
import type { ParseError } from './contract';

export interface Token {
  text: string;
  /** Where the token starts in the input, so "the rest of the line" keeps its spacing. */
  start: number;
  quoted: boolean;
}

const OPEN_QUOTES = '"“„«';
const CLOSE_FOR: Record<string, string> = { '"': '"', '“': '”', '„': '“', '«': '»' };

/** Splits on whitespace; "double", “curly” and «guillemet» quotes group words; key="a b" is one token. */
export function tokenize(input: string): Token[] | ParseError {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    while (i < input.length && /\s/.test(input[i]!)) i++;
    if (i >= input.length) break;
    const start = i;
    let text = '';
    let quoted = false;
    while (i < input.length && !/\s/.test(input[i]!)) {
      const ch = input[i]!;
      if (OPEN_QUOTES.includes(ch)) {
        const close = CLOSE_FOR[ch]!;
        const end = input.indexOf(close, i + 1);
        const altEnd = ch === '“' ? input.indexOf('"', i + 1) : -1;
        const stop = end >= 0 ? end : altEnd;
        if (stop < 0) return { key: 'parse.unclosedQuote', params: {} };
        text += input.slice(i + 1, stop);
        quoted = true;
        i = stop + 1;
      } else {
        text += ch;
        i++;
      }
    }
    tokens.push({ text, start, quoted });
  }
  return tokens;
}
