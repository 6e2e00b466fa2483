/**
 * The options of an index run: what the caller of `indexRepo` gives, and what the run adds (its
 * clock and event emitter) before its stages see them.
 */
import type { EmbedderSource, RemoteTuning, SharedCacheSettings } from "../embed/index.js";
import type { IndexEventSink, RunClock, RunEventEmitter } from "../model/events.js";
import type { EmbedderLoader } from "./load-embedder.js";

/** Default token limit per entity: CodeBERT's 512 positions (514 minus RoBERTa's 2 offset). */
export const DEFAULT_MAX_TOKENS = 512;

/** Options of `indexRepo`. */
export interface IndexRepoOptions {
  /** Repository to index (absolute or relative to the process cwd). */
  repoRoot: string;
  /** Index folder, or a LanceDB URI (`s3://…`, `gs://…`, `az://…`, `db://…`); default `<repoRoot>/.codesearch`. */
  indexDir: string;
  /** Folder of the embedding cache (and, for a remote index, of the catalog and lock); see `indexPathsOf`. */
  cacheDir?: string;
  /** `--model`: hub id or local directory; default the model the index records, else `DEFAULT_MODEL_ID`. */
  model?: string;
  /** A model given in full (`--embedder openai …`); overrides `model`. See `chooseEmbedderSource`. */
  source?: EmbedderSource;
  /** `--embedder local`: never reuse a remote endpoint the index records. */
  localOnly?: boolean;
  /** Request tuning for a remote model. */
  remote?: RemoteTuning;
  /** Directory against which a relative `model` path is resolved. */
  cwd: string;
  /** Per-user model download directory. */
  modelCacheDir: string;
  /**
   * The per-user shared embedding cache (see pipeline/shared-cache.ts and `sharedCacheSettings`);
   * absent or null: not used. A dry run never uses it.
   */
  sharedCache?: SharedCacheSettings | null;
  offline: boolean;
  endpoint?: string;
  /**
   * Re-index every file and rebuild the table from scratch (vectors still come from the embedding
   * cache, which is keyed by model and text); also allows a different model than the index records.
   */
  rebuild?: boolean;
  batchSize?: number;
  maxTokens?: number;
  maxFileBytes?: number;
  /** Extra ignore patterns (`.gitignore` syntax) anchored at the repository root. */
  exclude?: string[];
  /** Rebuild the table from the embedding cache even when no damage is seen (`codesearch verify --repair`). */
  repair?: boolean;
  /** Re-attempt files that recorded failures, even when unchanged. */
  retryFailed?: boolean;
  /** Plan, read and check the cache, then report; embed and write nothing, take no lock. */
  dryRun?: boolean;
  /** Embed at most this many cache misses; the rest are left for the next run. */
  maxItems?: number;
  /** Wait for another run's writer lock instead of failing. */
  waitForLock?: boolean;
  sink: IndexEventSink;
  /** Model loader; default transformers.js. */
  loadEmbedder?: EmbedderLoader;
  /** Aborting stops after the batch in flight; what was done is saved and the summary says `interrupted`. */
  signal?: AbortSignal;
}

/** An index run's options once it started: the repository and index resolved, its clock, and the emitter its stages report through. */
export interface RunOptions extends IndexRepoOptions {
  clock: RunClock;
  emit: RunEventEmitter;
}
