import type { Chunk } from "../model/types.js";
import { codeWords } from "./code-words.js";

/** Words too common in questions to locate anything. */
const FILLER = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "if", "in", "is", "it", "of", "on", "or", "the", "to", "use", "using", "what", "when", "with"]);

/** An identifier, possibly dotted (`os.path.join`), possibly followed by `()`. */
const SYMBOL = /[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*(?:\(\))?/gu;

/**
 * The symbols a query names: identifiers written as code — containing `_` or `.`, in camelCase,
 * or followed by `()` — or the whole query when it is a single identifier. `()` is dropped.
 * `"where is parse_header() called"` → `["parse_header"]`; `"http client"` → `[]`.
 */
export function namedSymbols(query: string): string[] {
  const trimmed = query.trim();
  const all = [...trimmed.matchAll(SYMBOL)].map((m) => m[0]);
  const symbols = all.filter((word) => word === trimmed || /[_.]|\p{Ll}\p{Lu}|\(\)$/u.test(word)).map((word) => word.replace(/\(\)$/, ""));
  return [...new Set(symbols)];
}

/**
 * The 1-based file line inside `chunk` that holds the most distinct words of `query` (code words,
 * question filler like "how" or "the" ignored); the earliest on a tie; `chunk.startLine` when no
 * line holds any.
 */
export function findMatchLine(chunk: Chunk, query: string): number {
  const wanted = new Set(codeWords(query).split(" ").filter((w) => w !== "" && !FILLER.has(w)));
  let best = chunk.startLine;
  let bestCount = 0;
  chunk.source.split("\n").forEach((line, index) => {
    const found = new Set(codeWords(line).split(" ").filter((w) => wanted.has(w))).size;
    if (found > bestCount) {
      best = chunk.startLine + index;
      bestCount = found;
    }
  });
  return best;
}
