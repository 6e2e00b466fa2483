/**
 * The body of an index run, once `indexRepo` resolved its options and took the lock: plan → read
 * and extract → cache → embed → store → commit. It prints nothing; it emits events and returns the summary.
 */
import path from "node:path";
import { discoverFiles, type DiscoverResult } from "../discover/index.js";
import { EMBEDDING_CACHE_DIR, type EmbedderSource, type EmbeddingCache } from "../embed/index.js";
import { NothingIndexedError } from "../model/errors.js";
import type { IndexFailure, IndexSummary } from "../model/types.js";
import type { ManifestRecord } from "../store/index.js";
import { countMisses, lookUpCache, saveCache, type ChunkVectors } from "./embed-outcomes.js";
import { embedPhase, type EmbedPhaseResult } from "./embed-phase.js";
import { openCache } from "./index-cache.js";
import type { RunOptions } from "./index-repo-options.js";
import { planIndex, type IndexPlan } from "./plan-index.js";
import { readPlannedFiles, type ReadPlannedFilesResult } from "./read-planned-files.js";
import { prepareRun, type RunBase } from "./run-base.js";
import { finishUnstored, storeAndCommit, summarizeRun, tallyRun } from "./run-commit.js";
import { exportEmbeddedVectors, importSharedVectors, type SharedCacheVisit } from "./shared-cache.js";

/**
 * One index run, under the writer lock (a dry run takes none): records a new index's start, plans
 * against the catalog, reads and extracts the planned files, embeds the cache misses, stores the
 * complete files' rows, chooses the fusion, and commits (catalog, then manifest); emits
 * `run-started` … `index-finished`. `recordBefore` is the manifest as read under the lock; `source`
 * the model chosen when the run began. See `indexRepo` for the write order and what it throws.
 */
export async function runIndex(options: RunOptions, recordBefore: ManifestRecord | null, source: EmbedderSource): Promise<IndexSummary> {
  // The embedding cache keeps a read handle on its sidecar; each run closes its own, however it ends.
  const opened: EmbeddingCache[] = [];
  try {
    const run = await prepareRun(options, recordBefore, source);
    const files = await readChangedFiles(options, run);
    const vectors = await embedMisses(options, source, run, files, opened);
    const tally = tallyRun(run, files, vectors);
    const summaryBase = summarizeRun(options, source, run, files, vectors, tally);
    // A dry run writes nothing; so does a run stopped before any file was complete (its vectors are
    // in the cache), except for the started manifest's account of the run.
    if (run.dryRun || (vectors.embedded.stopReason !== null && tally.keptRows + tally.rowsToStore === 0)) return await finishUnstored(options, run, summaryBase, tally);
    if (tally.keptRows + tally.rowsToStore === 0) throw new NothingIndexedError(nothingIndexed(options.repoRoot, files));
    return await storeAndCommit(options, source, run, { files, vectors, tally, summaryBase });
  } finally {
    for (const cache of opened) cache.close();
  }
}

/** What {@link readChangedFiles} found: the repository's files, the plan, and the planned files read and extracted. */
export interface FilesRead {
  discovered: DiscoverResult;
  plan: IndexPlan;
  read: ReadPlannedFilesResult;
  /** Failures so far (unreadable files, extraction), in order; later phases add theirs. */
  failures: IndexFailure[];
}

/** Discovers the repository's files, plans against the catalog, and reads and extracts the added and changed ones; emits `scan-finished` … `extract-finished`. */
async function readChangedFiles(options: RunOptions, run: RunBase): Promise<FilesRead> {
  const { emit } = options;
  const discovered = await discoverFiles(options.repoRoot, {
    excludeDirs: [options.indexDir],
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
  });
  emit({ type: "scan-finished", fileCount: discovered.files.length, skipped: discovered.skipped });
  const failures: IndexFailure[] = discovered.unreadable.map((u) => ({ path: u.path, stage: "read", message: u.message }));
  for (const failure of failures) emit({ type: "file-failed", failure });

  const plan = planIndex(run.catalog, discovered.files, { retryFailed: options.retryFailed ?? false });
  emit({
    type: "plan-ready",
    filesToRead: plan.added.length + plan.changed.length,
    filesAdded: plan.added.length,
    filesChanged: plan.changed.length,
    filesUnchanged: plan.unchanged.length,
    filesRemoved: plan.removed.length,
    fullRebuildReason: run.fullRebuildReason,
  });
  const extractStartedAt = Date.now();
  const read = await readPlannedFiles([...plan.added, ...plan.changed], run.catalog, { retryFailed: options.retryFailed ?? false, emit });
  for (const outcome of read.outcomes) failures.push(...outcome.failures);
  emit({ type: "extract-finished", fileCount: read.outcomes.filter((o) => o.contentHash !== "").length, entityCount: read.entityCount, durationMs: Date.now() - extractStartedAt });
  return { discovered, plan, read, failures };
}

/** What {@link embedMisses} did: the cache it opened, every entity's vector or failure, and the embedding's outcome. */
export interface VectorsFound {
  /** True when nothing changes: the committed table, catalog and cache stand as they are. */
  untouched: boolean;
  cache: Awaited<ReturnType<typeof openCache>>;
  known: ChunkVectors;
  shared: SharedCacheVisit | null;
  /** Entities not in the cache before embedding. */
  missCount: number;
  /** Entities whose vector came from the cache (this index's or the shared one). */
  chunksFromCache: number;
  embedded: EmbedPhaseResult;
  /** Vectors this run added to the shared cache. */
  sharedCacheAdded: number;
}

/**
 * Looks every entity up in the index's embedding cache, then in the per-user shared cache, embeds
 * the misses, and hands what it embedded to the shared cache; emits `cache-checked` and the
 * embedding's events. An untouched run (nothing to read, delete or repair; a sound committed
 * table) opens no cache.
 */
async function embedMisses(options: RunOptions, source: EmbedderSource, run: RunBase, files: FilesRead, opened: EmbeddingCache[]): Promise<VectorsFound> {
  const { dryRun, manifest, modelId, maxTokens } = run;
  const { plan, read, failures } = files;
  const untouched =
    !dryRun && manifest !== null && run.committed?.generation !== undefined && run.fullRebuildReason === null && !run.table.repairFullText && !run.dropTable &&
    plan.added.length + plan.changed.length + plan.removed.length === 0 && failures.length === 0;
  const cache = untouched ? null : await openCache(path.join(run.cacheDir, EMBEDDING_CACHE_DIR), dryRun);
  if (cache) opened.push(cache.cache);
  const known: ChunkVectors = cache ? lookUpCache(read.outcomes, cache.cache, modelId, maxTokens, manifest?.dimension) : { vectors: new Map(), failed: new Set<string>() };
  // The per-user shared cache: a second clone finds here what the first one embedded.
  const shared =
    !dryRun && cache && options.sharedCache
      ? await importSharedVectors(options.sharedCache, { source, modelCacheDir: options.modelCacheDir, modelId, maxTokens, outcomes: read.outcomes, known, cache: cache.cache, ...(options.signal ? { signal: options.signal } : {}) })
      : null;
  if (cache && shared && shared.hits > 0) await saveCache(cache.cache, options.emit);
  const missCount = countMisses(read.outcomes, known);
  const chunksFromCache = known.vectors.size;
  options.emit({
    type: "cache-checked",
    hits: chunksFromCache,
    misses: missCount,
    ...(shared ? { sharedHits: shared.hits } : {}),
    cacheState: untouched ? "loaded" : (cache?.state ?? "new"),
    ...(cache?.setAsidePath ? { setAsidePath: cache.setAsidePath } : {}),
    ...(cache && cache.cache.skippedEntries + cache.cache.rejectedEntries > 0 ? { entriesDiscarded: cache.cache.skippedEntries + cache.cache.rejectedEntries } : {}),
  });
  const embedded = await embedPhase(options, source, { manifest, modelId, maxTokens, cache: dryRun ? null : (cache?.cache ?? null), outcomes: read.outcomes, known, failures });
  const sharedCacheAdded = cache && shared ? await exportEmbeddedVectors(shared, { known, cache: cache.cache, maxTokens }) : 0;
  return { untouched, cache, known, shared, missCount, chunksFromCache, embedded, sharedCacheAdded };
}

/** Why a run that would leave the index empty stores nothing. */
function nothingIndexed(repoRoot: string, { discovered, read }: FilesRead): string {
  if (read.entityCount > 0) return `all ${read.entityCount} entities failed to embed; the index was left unchanged`;
  if (discovered.files.length === 0) return `no source files to index under ${repoRoot}${discovered.skipped.length ? ` (${discovered.skipped.length} skipped)` : ""}`;
  return `no definitions found in ${discovered.files.length} source files under ${repoRoot}`;
}
