import type { RankedHit, SearchMode } from "../model/search.js";
import { selectPaths } from "../store/index.js";

/** A letter or digit: what both the word index and the models' text preparation keep of a query. */
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** What {@link searchHints} looks at for one query. */
export interface SearchHintInput {
  query: string;
  mode: SearchMode;
  hits: readonly RankedHit[];
  /** The `--path` globs given, if any. */
  pathGlobs?: readonly string[];
  /** Every path the index holds (needed only with `pathGlobs`). */
  indexedPaths?: readonly string[];
}

/**
 * Human hints that explain a surprising answer, for stderr: the `--path` globs match no indexed
 * file; the query has no letter or digit (so neither the word index nor the model can match it);
 * in hybrid mode, no hit shares a word with the query (every hit came from the model alone).
 * Empty when nothing needs explaining. Pure.
 */
export function searchHints(input: SearchHintInput): string[] {
  const { query, mode, hits, pathGlobs = [], indexedPaths = [] } = input;
  if (pathGlobs.length > 0 && selectPaths(indexedPaths, pathGlobs).length === 0) {
    const shown = pathGlobs.map((glob) => `'${glob}'`).join(", ");
    return [`--path ${shown} matches none of the ${indexedPaths.length} indexed files (globs are relative to the repository root; a pattern without / matches file names)`];
  }
  if (!WORD_CHARACTER.test(query)) {
    return [`the query has no letter or digit, so neither the word index nor the model can match it; search for words or names`];
  }
  if (mode === "hybrid" && hits.length > 0 && hits.every((hit) => hit.ranks.lexical === null && !hit.exactName)) {
    return ["no indexed entity shares a word with the query: these hits are the model's nearest guesses"];
  }
  return [];
}
