/**
 * Shared vocabulary of the pipeline: the values that flow between stages.
 * Pure types only: no I/O, and nothing here imports from other folders of src/.
 */

/** A source file found by discovery, in a language of the registry (src/lang/). */
export interface SourceFile {
  /** Path relative to the repository root, POSIX separators (`pkg/mod.py`). */
  path: string;
  /** Absolute path on this machine. */
  absPath: string;
  /** File size in bytes when discovered. */
  sizeBytes: number;
  /** Last modification time, ms since the Unix epoch. */
  mtimeMs: number;
}

import type { EntityKind } from "./entity-kinds.js";

export type { EntityKind } from "./entity-kinds.js";

/**
 * One definition (function, method, class or another kind of {@link EntityKind}, nested ones
 * included) as tree-sitter found it. Lines are 1-based and inclusive.
 */
export interface CodeEntity {
  /** Path relative to the repository root, POSIX separators. */
  path: string;
  /** Id of the language the file is written in (`python`, `go`; see src/lang/). */
  language: string;
  kind: EntityKind;
  /** The bare name (`inner`). */
  name: string;
  /** Dotted path of enclosing definitions plus the name (`Outer.method`, `outer.inner`). */
  qualifiedName: string;
  /** Qualified name of the enclosing function or class, or null at module level. */
  parentQualifiedName: string | null;
  /** First line of the definition without its decorators and doc comment: the `def` / `class` / `func` line (1-based). */
  startLine: number;
  /** Last line of the body (1-based, inclusive). */
  endLine: number;
  /** Line of the first decorator (1-based) when decorated, else null. */
  decoratorLine: number | null;
  /** Decorators, annotations or attributes as written, e.g. `@property`, `#[test]`, in source order. */
  decorators: string[];
  /** Header up to (not including) the body colon, whitespace collapsed: `async def f(a, b=1) -> int`, `class A(B)`. */
  signature: string;
  /** The doc comment without its markers (a Python docstring without quotes, a JSDoc block without its comment markers), or null. */
  docstring: string | null;
  /** Source text of the definition from `startLine` to `endLine` (decorators and preceding doc comments excluded). */
  source: string;
}

/**
 * An entity with the text that is embedded for it.
 * `contentHash` is the hex SHA-256 of `text` alone; cache keys add the model (see embed/).
 */
export interface Chunk extends CodeEntity {
  /** Stable id within an index: `${path}:${startLine}:${qualifiedName}`. */
  id: string;
  /** Prepared text handed to the embedder (qualified name, signature, docstring, code). */
  text: string;
  /** Hex SHA-256 of `text` (64 chars). */
  contentHash: string;
}

/** A chunk with its embedding: `vector` is a Float32Array of the model's dimension, L2-normalised. */
export interface EmbeddedChunk extends Chunk {
  vector: Float32Array;
}

/** The stage of the pipeline in which a problem happened. */
export type FailureStage = "read" | "parse" | "embed" | "store";

/**
 * A per-file or per-entity problem. The run records it and goes on; the failure summary shows it.
 */
export interface IndexFailure {
  /** Repository-relative POSIX path of the file concerned. */
  path: string;
  stage: FailureStage;
  /** One-line human reason, e.g. `invalid UTF-8 at byte 1042`. */
  message: string;
  /** 1-based line the problem points at, when known. */
  line?: number;
  /** Qualified name of the entity concerned, for embed failures. */
  qualifiedName?: string;
  /** The underlying error, kept for `--verbose` and JSON output (never matched on). */
  cause?: unknown;
}

/** Why discovery left a file out on purpose (not an error). */
/**
 * Why a file was not indexed: over the size limit; binary (a NUL byte near the start); a symbolic
 * link (to a source file or a directory; never followed); or a source file's name on something that is not
 * a regular file (FIFO, socket, device), which is never opened; or generated / vendored code by its
 * language's rules (`*.min.js`, a `dist/` or `vendor/` folder, reported with a trailing `/`).
 */
export type SkipReason = "too-large" | "binary" | "symlink" | "not-regular-file" | "generated";

/** A file discovery saw but did not index, with the reason shown in the summary. */
export interface SkippedFile {
  path: string;
  reason: SkipReason;
  sizeBytes: number;
}

/** Why a run stopped before embedding everything: a signal (Ctrl-C, SIGTERM) or the `--max-items` cap. */
export type StopReason = "interrupted" | "max-items";

/** What embedding some texts would cost, estimated without a tokenizer (~4 characters per token). */
export interface EmbeddingEstimate {
  /** Estimated tokens to send, after truncation to the token limit. */
  tokens: number;
  /** Requests (remote model) or model calls (local model) the texts take. */
  batches: number;
  batchUnit: "request" | "model call";
  /** Texts over the token limit, which would be cut. */
  truncated: number;
  /** Empty texts, which are skipped. */
  empty: number;
}

/** Totals of one `index` run. */
export interface IndexSummary {
  /** Absolute repository root. */
  repoRoot: string;
  /** Absolute directory of the LanceDB index and its cache. */
  indexDir: string;
  modelId: string;
  /** Vector length of the model. */
  dimension: number;
  /** Source files discovered (skipped ones excluded). */
  filesDiscovered: number;
  /**
   * Files read and parsed in this run (new or changed), possibly with recovered syntax errors, whose
   * rows were committed to the table; a run stopped early counts only the files it committed.
   */
  filesIndexed: number;
  /** Files read in this run but not committed because the run stopped before all their entities were embedded (0 for a complete run). */
  filesPending: number;
  /** Files left as indexed before: same size and mtime, or same content hash. */
  filesUnchanged: number;
  /** Files indexed before that are gone (deleted, renamed, now ignored or skipped); their rows were removed. */
  filesRemoved: number;
  filesSkipped: SkippedFile[];
  /** Entities extracted from the files read in this run. */
  entitiesFound: number;
  /** Entities embedded by the model in this run (cache misses that succeeded). */
  chunksEmbedded: number;
  /** Entities whose vector came from the embedding cache (the index's own or the shared one). */
  chunksFromCache: number;
  /** Of {@link chunksFromCache}, those found in the per-user shared cache (absent when the shared cache was not consulted). */
  chunksFromSharedCache?: number;
  /** Vectors this run added to the per-user shared cache (absent when none). */
  sharedCacheAdded?: number;
  /** Why the per-user shared cache could not be used (the run went on without it); absent when it could. */
  sharedCacheProblem?: string;
  /** Rows in the entity table after the run. */
  chunksStored: number;
  /**
   * Entities whose stored source was cut to the per-entity limit (`maxChars`, 100,000 by
   * default); absent when none. They are indexed, with their full line spans, not failed.
   */
  entitySourcesCut?: { count: number; maxChars: number };
  /** Entities whose text was cut to the token limit before a remote model embedded it (absent when none; local tokenizers truncate uncounted). */
  chunksTruncated?: number;
  /** Dry runs only: what embedding the entities to embed would cost. */
  estimate?: EmbeddingEstimate;
  /** Rows deleted from the table (entities of changed and removed files, before re-adding). */
  chunksRemoved: number;
  /** Entities still to embed because the run stopped early (0 for a complete run). */
  chunksPending: number;
  /** Why the run stopped early, or null when it completed. */
  stopReason: StopReason | null;
  /** True for `--dry-run`: counts are what a run would do; nothing was embedded or written. */
  dryRun: boolean;
  /** Problems of this run (problems of unchanged files from earlier runs are in `codesearch status`). */
  failures: IndexFailure[];
  /** Wall time of the whole run in ms. */
  durationMs: number;
}

/**
 * One search result. `score` is higher-is-better: cosine similarity (at most 1) from the vector
 * search, where LanceDB's `_distance` (lower is better) is converted once, in store/, as
 * `1 - distance`; the BM25 score from the full-text search.
 */
export interface SearchHit<C extends EntityRef = Chunk> {
  chunk: C;
  score: number;
}

/**
 * What ranking needs of an entity: who it is and where, without its source, text or docstring.
 * Each side's candidates carry only this (reading the large columns for 50 candidates a side cost
 * more than the ranking itself, BENCHMARKS.md); the final hits are read whole afterwards.
 */
export type EntityRef = Pick<Chunk, "id" | "path" | "kind" | "name" | "qualifiedName" | "parentQualifiedName" | "startLine" | "endLine"> & {
  /**
   * Where a store query found the row: LanceDB's row id (`_rowid`) at the table version it read.
   * Opaque outside store/; it lets the final hits be read without scanning the table.
   */
  rowId?: bigint;
};
