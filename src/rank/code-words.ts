import { WORD, splitIdentifier } from "../model/identifier-words.js";

export { splitIdentifier };

/**
 * The words of `text` as the full-text index sees them: each word lower-cased, followed by its
 * {@link splitIdentifier} parts when they differ from it, so `parse_http_header` is found both as
 * itself and as `parse http header`. Punctuation, operators and
 * words of underscores alone are dropped.
 * @returns the words in text order, space-separated (for LanceDB's whitespace tokenizer).
 */
export function codeWords(text: string): string {
  const out: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    const parts = splitIdentifier(word);
    if (parts.length === 0) continue;
    const whole = word.toLowerCase();
    if (parts.length !== 1 || parts[0] !== whole) out.push(whole);
    out.push(...parts);
  }
  return out.join(" ");
}
