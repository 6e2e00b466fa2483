/** Stands for the space between two words inside a {@link characterTrigrams} token. */
export const TRIGRAM_WORD_GAP = "|";

/**
 * Every window of 3 characters (code points) of `words`, in order, repeats kept, each space written
 * as {@link TRIGRAM_WORD_GAP}: `"read dir"` → `"rea ead ad| d|d |di dir"`; text of under 3
 * characters gives `""`. The same tokens a 3-to-3 n-gram tokenizer makes of the text (so the BM25
 * ranking is the same, CoSQA dev MRR@10 0.399 either way), written as words for a whitespace
 * tokenizer: LanceDB's `ngram` tokenizer costs about 4× as much per query on a 100,000-row table
 * (BENCHMARKS.md, issue 13). The windows that span a gap keep what makes trigrams useful on
 * names: `|it` says a word starts with `it`, `d|d` that two words meet. Pure; the indexed names
 * and the query go through it alike.
 */
export function characterTrigrams(words: string): string {
  const chars = Array.from(words.replaceAll(" ", TRIGRAM_WORD_GAP));
  const out: string[] = [];
  for (let i = 0; i + 3 <= chars.length; i++) out.push(chars[i]! + chars[i + 1]! + chars[i + 2]!);
  return out.join(" ");
}

/**
 * A query's {@link characterTrigrams}, each distinct trigram once, in first-seen order: LanceDB's
 * `ngram` tokenizer counted a query's repeated trigrams once when the lexical side was tuned (an
 * identifier and its parts repeat many), so the query sent to the trigram column does too.
 * `"read read"` → `"rea ead ad| d|r |re"`. Pure.
 */
export function queryTrigrams(words: string): string {
  return [...new Set(characterTrigrams(words).split(" "))].join(" ");
}
