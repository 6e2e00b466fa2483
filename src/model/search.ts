/**
 * Vocabulary of searching: which side ranks, which filters narrow the candidates, and what a ranked
 * hit carries so a caller can see why it ranks where it does. Pure types only.
 */
import type { EntityKind, EntityRef, SearchHit } from "./types.js";

/** `vector`: cosine similarity of embeddings; `lexical`: BM25 over code-aware words; `hybrid`: both, fused. */
export type SearchMode = "vector" | "lexical" | "hybrid";

/** Every {@link SearchMode}, default first. */
export const SEARCH_MODES: readonly SearchMode[] = ["hybrid", "vector", "lexical"];

/**
 * Narrowing applied inside the store, before the top k are chosen, so filtered-out entities never
 * take a place in the result list. An empty or absent field does not filter.
 */
export interface SearchFilters {
  /**
   * Globs over repository-relative POSIX paths (picomatch syntax): a path must match at least one
   * pattern without `!`, and none of the patterns with `!`.
   */
  paths?: readonly string[];
  /** Keep only these kinds. */
  kinds?: readonly EntityKind[];
  /** Keep only entities of these languages (ids of src/lang/: `python`, `go`…). */
  languages?: readonly string[];
  /** Leave out test code: test files, and `test_*` functions and methods (each language's rules, see src/lang/). */
  excludeTests?: boolean;
}

/** What one search asks for. */
export interface SearchRequest {
  /** Maximum number of hits returned (a positive integer). */
  limit: number;
  mode: SearchMode;
  filters: SearchFilters;
  /**
   * Candidates each side contributes before fusion; default `max(50, 2 × limit)`. Callers that page
   * through one ranking (the MCP `search` tool) fix it, so that every page is a slice of the same list.
   */
  candidateDepth?: number;
  /**
   * Hybrid mode's weight of the vector side (≥ 0; lexical side 1), overriding the weight the
   * index's calibration chose. Absent: the index's weight.
   */
  vectorWeight?: number;
}

/**
 * 1-based positions of an entity in each side's candidate list, null where that side did not
 * return it (or did not run in this mode).
 */
export interface SideRanks {
  vector: number | null;
  lexical: number | null;
}

/**
 * One result of {@link SearchRequest}: `score` is higher-is-better and its meaning depends on the
 * mode — cosine similarity (vector), BM25 score (lexical), or Reciprocal Rank Fusion score (hybrid).
 */
export interface RankedHit extends SearchHit {
  ranks: SideRanks;
  /** The query names this entity exactly (name or qualified name), and hybrid mode boosted it. */
  exactName: boolean;
  /** 1-based line inside the entity that shares the most words with the query (the `def` line when none does). */
  matchLine: number;
}

/**
 * A hit as ranking leaves it, before the final hits are read whole: its entity is an
 * {@link EntityRef} (no source yet), and it has no match line.
 */
export type RankedCandidate = Omit<RankedHit, "chunk" | "matchLine"> & { chunk: EntityRef };
