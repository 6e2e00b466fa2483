/**
 * Identifier splitting shared by the lexical index (rank/) and the text preparation of models
 * trained on split identifiers (embed/, `models/codesearch-small`). Pure functions, no I/O.
 * The training side is scripts/train-model/model_text.py; both are tested against
 * scripts/train-model/model-text-cases.json.
 */

/** A run of letters, marks, digits and underscores: an identifier, a number or a plain word. */
export const WORD = /[\p{L}\p{M}\p{N}_]+/gu;

/** Distinct identifiers whose parts are remembered by {@link splitIdentifier}; emptied when full (~10 MB at most). */
const SPLIT_CACHE_LIMIT = 100_000;
const splitCache = new Map<string, readonly string[]>();

/**
 * Splits one identifier into its lower-case parts: at underscores, at lower→upper case changes
 * (`parseHttp`), before the last capital of an acronym that starts a word (`HTTPHeader` →
 * `http header`), and between letters and digits (`header2` → `header 2`).
 * `parseHTTPHeader2` → `["parse", "http", "header", "2"]`; `__init__` → `["init"]`; `""` → `[]`.
 * Results are memoised per identifier (code repeats its words: this function was 40% of the CPU
 * of indexing the benchmark corpus with codesearch-small before), so the returned array is shared
 * and read-only.
 */
export function splitIdentifier(identifier: string): readonly string[] {
  const cached = splitCache.get(identifier);
  if (cached !== undefined) return cached;
  const parts = identifier
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
  if (splitCache.size >= SPLIT_CACHE_LIMIT) splitCache.clear();
  splitCache.set(identifier, parts);
  return parts;
}

/**
 * The `split-identifiers` text preparation: the {@link splitIdentifier} parts of every word of
 * `text` ({@link WORD}), in text order, joined by single spaces; punctuation, operators and white
 * space are dropped. `def parseHTTPHeader(raw_bytes):` → `def parse http header raw bytes`.
 */
export function identifierWords(text: string): string {
  const out: string[] = [];
  for (const [word] of text.matchAll(WORD)) for (const part of splitIdentifier(word)) out.push(part);
  return out.join(" ");
}
