/**
 * Identifier splitting shared by the lexical index (rank/) and the text preparation of models
 * trained on split identifiers (embed/, `models/codesearch-small`). Pure functions, no I/O.
 * The training side is scripts/train-model/model_text.py; both are tested against
 * scripts/train-model/model-text-cases.json.
 */

/** A run of letters, marks, digits and underscores: an identifier, a number or a plain word. */
export const WORD = /[\p{L}\p{M}\p{N}_]+/gu;

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
 * The `split-identifiers` text preparation: the {@link splitIdentifier} parts of every word of
 * `text` ({@link WORD}), in text order, joined by single spaces; punctuation, operators and white
 * space are dropped. `def parseHTTPHeader(raw_bytes):` → `def parse http header raw bytes`.
 */
export function identifierWords(text: string): string {
  const out: string[] = [];
  for (const [word] of text.matchAll(WORD)) out.push(...splitIdentifier(word));
  return out.join(" ");
}
