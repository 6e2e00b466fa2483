/** A run of letters, marks, digits and underscores: an identifier, a number or a plain word. */
const WORD = /[\p{L}\p{M}\p{N}_]+/gu;

/**
 * Splits one identifier into its lower-case parts: at underscores, at lower→upper case changes
 * (`parseHttp`), before the last capital of an acronym that starts a word (`HTTPHeader` →
 * `http header`), and between letters and digits (`header2` → `header 2`).
 * `parseHTTPHeader2` → `["parse", "http", "header", "2"]`; `__init__` → `["init"]`; `""` → `[]`.
 */
export function splitIdentifier(identifier: string): string[] {
  return identifier
    .split("_")
    .flatMap((piece) =>
      piece
        .replace(/(\p{Ll})(\p{Lu})/gu, "$1 $2")
        .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, "$1 $2")
        .replace(/(\p{L})(\p{N})/gu, "$1 $2")
        .replace(/(\p{N})(\p{L})/gu, "$1 $2")
        .split(" "),
    )
    .filter((part) => part !== "")
    .map((part) => part.toLowerCase());
}

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
