/**
 * The body of an index run, once `indexRepo` resolved its options and took the lock: plan → read
 * and extract → cache → embed → store → commit. It prints nothing; it emits events and returns the summary.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { discoverFiles } from "../discover/index.js";
import { DEFAULT_EXTRACT_LIMITS } from "../extract/index.js";
import { EMBEDDING_CACHE_DIR, embedderIdOf, estimateEmbedding, type EmbedderSource, type EmbeddingCache } from "../embed/index.js";
import { InterruptedError, NothingIndexedError, StoreError } from "../model/errors.js";
import type { IndexFailure, IndexSummary, SkippedFile } from "../model/types.js";
import {
  assertSameModel,
  catalogRowCount,
  commitOfManifest,
  indexPathsOf,
  isRemoteLocation,
  openDatabase,
  readCatalog,
  SCHEMA_VERSION,
  supersedeCommit,
  writeManifest,
  type FileCatalog,
  type ManifestFusion,
  type ManifestRecord,
  type StartedManifest,
} from "../store/index.js";
import { chooseFusion } from "./choose-fusion.js";
import { cacheMisses, countMisses, lookUpCache, saveCache, type ChunkVectors } from "./embed-outcomes.js";
import { embedPhase } from "./embed-phase.js";
import { batchLimitsOf, manifestEmbedderOf } from "./embedder-source.js";
import { compactCache, openCache } from "./index-cache.js";
import { DEFAULT_MAX_TOKENS, type RunOptions } from "./index-repo-options.js";
import { manifestProblem, readCatalogModel } from "./index-records.js";
import { planIndex } from "./plan-index.js";
import { readPlannedFiles } from "./read-planned-files.js";
import { exportEmbeddedVectors, importSharedVectors } from "./shared-cache.js";
import { storeEntityRows, updateCatalog } from "./store-entities.js";
import { commitTable, inspectTableBase, restoreCommittedVersion } from "./table-commit.js";

/**
 * One index run, under the writer lock (a dry run takes none): records a new index's start, plans
 * against the catalog, reads and extracts the planned files, embeds the cache misses, stores the
 * complete files' rows, chooses the fusion, and commits (catalog, then manifest); emits
 * `run-started` … `index-finished`. `recordBefore` is the manifest as read under the lock; `source`
 * the model chosen when the run began. See `indexRepo` for the write order and what it throws.
 */
export async function runIndex(
  options: RunOptions,
  recordBefore: ManifestRecord | null,
  source: EmbedderSource,
): Promise<IndexSummary> {
  // The embedding cache keeps a read handle on its sidecar; each run closes its own, however it ends.
  const opened: EmbeddingCache[] = [];
  try {
    return await runIndexWith(options, recordBefore, source, opened);
  } finally {
    for (const cache of opened) cache.close();
  }
}

async function runIndexWith(
  options: RunOptions,
  recordBefore: ManifestRecord | null,
  source: EmbedderSource,
  opened: EmbeddingCache[],
): Promise<IndexSummary> {
  const startedAt = Date.now();
  const manifestBefore = recordBefore?.state === "complete" ? recordBefore.manifest : null;
  const startedBefore = recordBefore?.state === "started" ? recordBefore.manifest : null;
  const { repoRoot, indexDir, emit } = options;
  const { stateDir, cacheDir } = indexPathsOf(indexDir, options.cacheDir);
  const modelId = embedderIdOf(source);
  const dryRun = options.dryRun ?? false;
  const manifest = manifestBefore && (options.rebuild ? manifestBefore.modelId === modelId : true) ? manifestBefore : null;
  if (manifest) assertSameModel(manifest, modelId);
  const catalogModel = manifest ? undefined : await readCatalogModel(indexDir, options.cacheDir);
  const sameStart = startedBefore && startedBefore.modelId === modelId ? startedBefore : null;
  const maxTokens =
    options.maxTokens ?? manifest?.maxTokens ?? sameStart?.maxTokens ?? (catalogModel?.modelId === modelId ? catalogModel.maxTokens : undefined) ?? DEFAULT_MAX_TOKENS;
  emit({ type: "run-started", startedAt: options.clock.startedAt, repoRoot, indexDir, modelId });

  // What the table holds at the committed version must match the catalog; otherwise rebuild every file from the cache.
  const db = isRemoteLocation(indexDir) || existsSync(indexDir) ? await openDatabase(indexDir) : null;
  const catalogRead = manifest ? await readCatalog(stateDir) : { catalog: new Map() as FileCatalog, state: "new" as const };
  const catalogState = catalogRead.state;
  let catalog = catalogRead.catalog;
  const committed = "table" in catalogRead ? catalogRead.table : undefined;
  const base = await inspectTableBase(db, indexDir, { manifest, catalog, committed, dimension: manifest?.dimension ?? 0 });
  const tableExists = base.inspection?.exists ?? false;
  // A new index records its model, token limit and embedder before anything else, so a run
  // stopped before its first store resumes, and is searched and reported, with the same ones.
  const startRecord: StartedManifest | null =
    !dryRun && !manifestBefore && !tableExists
      ? {
          format: "codesearch-index", schemaVersion: SCHEMA_VERSION, state: "started", modelId, maxTokens, repoRoot,
          ...manifestEmbedderOf(source),
          startedAt: sameStart?.startedAt ?? new Date(startedAt).toISOString(),
        }
      : null;
  // The last moment at which nothing was changed: a stop that came before it leaves the index as it
  // was (and `indexRepo` removes a folder this run created), so no record claims a run that never began.
  if (options.signal?.aborted && !dryRun) throw new InterruptedError("interrupted before the run changed anything; nothing was written");
  if (startRecord) await writeManifest(indexDir, startRecord);
  let fullRebuildReason: string | null = null;
  if (manifestBefore && !manifest) fullRebuildReason = `re-indexing with model ${modelId}`;
  // Without --rebuild a damaged manifest or one of another schema version is refused before this point, so a table
  // without a manifest is what a first run leaves when it is stopped (kill, crash, full disk) before its end.
  else if (!manifest && tableExists) {
    fullRebuildReason = options.rebuild
      ? `the index had no usable manifest (${(await manifestProblem(indexDir)) ?? "another schema version"})`
      : "an earlier run stopped before it recorded the index (no manifest yet)";
  }
  else if (catalogState === "corrupt") fullRebuildReason = "the catalog was unreadable";
  else if (options.repair) fullRebuildReason = "a repair was asked for";
  else if (options.rebuild) fullRebuildReason = "--rebuild asked for a full re-index";
  else fullRebuildReason = base.fullRebuildReason;
  if (fullRebuildReason) catalog = new Map();
  const dropTable = !dryRun && db !== null && tableExists && (base.inspection?.rows === null || fullRebuildReason !== null);
  if (!dryRun && db && !dropTable) await restoreCommittedVersion(db, base);

  const discovered = await discoverFiles(repoRoot, {
    excludeDirs: [indexDir],
    ...(options.maxFileBytes !== undefined ? { maxFileBytes: options.maxFileBytes } : {}),
    ...(options.exclude?.length ? { exclude: options.exclude } : {}),
  });
  emit({ type: "scan-finished", fileCount: discovered.files.length, skipped: discovered.skipped });
  const failures: IndexFailure[] = discovered.unreadable.map((u) => ({ path: u.path, stage: "read", message: u.message }));
  for (const failure of failures) emit({ type: "file-failed", failure });

  const plan = planIndex(catalog, discovered.files, { retryFailed: options.retryFailed ?? false });
  emit({
    type: "plan-ready",
    filesToRead: plan.added.length + plan.changed.length,
    filesAdded: plan.added.length,
    filesChanged: plan.changed.length,
    filesUnchanged: plan.unchanged.length,
    filesRemoved: plan.removed.length,
    fullRebuildReason,
  });

  const extractStartedAt = Date.now();
  const read = await readPlannedFiles([...plan.added, ...plan.changed], catalog, { retryFailed: options.retryFailed ?? false, emit });
  for (const outcome of read.outcomes) failures.push(...outcome.failures);
  emit({
    type: "extract-finished",
    fileCount: read.outcomes.filter((o) => o.contentHash !== "").length,
    entityCount: read.entityCount,
    durationMs: Date.now() - extractStartedAt,
  });

  // Nothing to read, delete or repair, and a sound committed table: no row, catalog entry or cache
  // entry changes, so the embedding cache is not opened and the committed table and catalog stand
  // (an unchanged re-index only records its run in the manifest).
  const untouched =
    !dryRun && manifest !== null && committed?.generation !== undefined && fullRebuildReason === null && !base.repairFullText && !dropTable &&
    plan.added.length + plan.changed.length + plan.removed.length === 0 && failures.length === 0;
  const cache = untouched ? null : await openCache(path.join(cacheDir, EMBEDDING_CACHE_DIR), dryRun);
  if (cache) opened.push(cache.cache);
  const known: ChunkVectors = cache ? lookUpCache(read.outcomes, cache.cache, modelId, maxTokens, manifest?.dimension) : { vectors: new Map(), failed: new Set<string>() };
  // The per-user shared cache: a second clone finds here what the first one embedded.
  const shared = !dryRun && cache && options.sharedCache
    ? await importSharedVectors(options.sharedCache, { source, modelCacheDir: options.modelCacheDir, modelId, maxTokens, outcomes: read.outcomes, known, cache: cache.cache, ...(options.signal ? { signal: options.signal } : {}) })
    : null;
  if (cache && shared && shared.hits > 0) await saveCache(cache.cache, emit);
  const missCount = countMisses(read.outcomes, known);
  const chunksFromCache = known.vectors.size;
  emit({
    type: "cache-checked",
    hits: chunksFromCache,
    misses: missCount,
    ...(shared ? { sharedHits: shared.hits } : {}),
    cacheState: untouched ? "loaded" : (cache?.state ?? "new"),
    ...(cache?.setAsidePath ? { setAsidePath: cache.setAsidePath } : {}),
    ...(cache && cache.cache.skippedEntries + cache.cache.rejectedEntries > 0 ? { entriesDiscarded: cache.cache.skippedEntries + cache.cache.rejectedEntries } : {}),
  });

  const embedded = await embedPhase(options, source, { manifest, modelId, maxTokens, cache: dryRun ? null : (cache?.cache ?? null), outcomes: read.outcomes, known, failures });
  const { stopReason, chunksEmbedded, chunksTruncated, dimension } = embedded;
  const sharedCacheAdded = cache && shared ? await exportEmbeddedVectors(shared, { known, cache: cache.cache, maxTokens }) : 0;

  // A file is written only when every entity of it has a vector or failed.
  const complete = read.outcomes.filter((o) => o.chunks.every((c) => known.vectors.has(c.id) || known.failed.has(c.id)));
  const chunksPending = read.outcomes.reduce((n, o) => n + o.chunks.filter((c) => !known.vectors.has(c.id) && !known.failed.has(c.id)).length, 0);
  const rowsToStore = complete.reduce((n, o) => n + o.chunks.filter((c) => known.vectors.has(c.id)).length, 0);
  const deletePaths = [...plan.removed, ...read.skipped.map((s) => s.path), ...complete.map((o) => o.file.path)];
  const deleted = new Set(deletePaths);
  // Binary files recorded by an earlier run and unchanged since: not read again, still reported as skipped.
  const knownBinary = plan.unchanged.filter((f) => catalog.get(f.path)?.skipped === "binary");
  const binaryPaths = new Set(read.skipped.filter((s) => s.reason === "binary").map((s) => s.path));
  const keptRows = [...catalog].reduce((n, [p, entry]) => (deleted.has(p) ? n : n + entry.chunkHashes.length), 0);

  const readFiles = read.outcomes.filter((o) => o.contentHash !== "");
  const pendingFiles = readFiles.filter((o) => !complete.includes(o)).length;
  const committedFiles = dryRun ? readFiles.length : readFiles.length - pendingFiles;
  const summaryBase = {
    repoRoot, indexDir, modelId, dimension: dimension ?? 0,
    filesDiscovered: discovered.files.length - read.skipped.length - knownBinary.length,
    filesIndexed: committedFiles,
    filesPending: dryRun ? 0 : pendingFiles,
    filesUnchanged: plan.unchanged.length - knownBinary.length + read.sameContent.length,
    filesRemoved: plan.removed.filter((p) => !catalog.get(p)?.skipped).length + read.skipped.filter((s) => catalog.has(s.path) && !catalog.get(s.path)!.skipped).length,
    filesSkipped: [...discovered.skipped, ...read.skipped, ...knownBinary.map((f): SkippedFile => ({ path: f.path, reason: "binary", sizeBytes: f.sizeBytes }))],
    entitiesFound: read.entityCount,
    chunksEmbedded: dryRun ? missCount : chunksEmbedded,
    chunksFromCache, chunksPending: dryRun ? 0 : chunksPending, stopReason: dryRun ? null : stopReason, dryRun, failures,
    ...(chunksTruncated > 0 ? { chunksTruncated } : {}),
    ...(read.sourcesCut > 0 ? { entitySourcesCut: { count: read.sourcesCut, maxChars: DEFAULT_EXTRACT_LIMITS.maxSourceChars } } : {}),
    ...(shared ? { chunksFromSharedCache: shared.hits } : {}),
    ...(sharedCacheAdded > 0 ? { sharedCacheAdded } : {}),
    ...(shared?.problem ? { sharedCacheProblem: shared.problem } : {}),
    ...(dryRun ? { estimate: estimateEmbedding(cacheMisses(read.outcomes, known).map((c) => c.text), batchLimitsOf(source, options, maxTokens)) } : {}),
  };
  // A dry run writes nothing; so does a run stopped before any file was complete (its vectors are
  // in the cache), except for the started manifest's account of the run.
  if (dryRun || (stopReason !== null && keptRows + rowsToStore === 0)) {
    const summary: IndexSummary = {
      ...summaryBase, filesIndexed: dryRun ? committedFiles : 0, filesPending: dryRun ? 0 : readFiles.length,
      dimension: dimension ?? 0, chunksStored: catalogRowCount(catalog), chunksRemoved: 0, durationMs: Date.now() - startedAt,
    };
    if (startRecord) {
      const finishedAt = Date.now();
      await writeManifest(indexDir, {
        ...startRecord,
        lastRun: {
          startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), durationMs: finishedAt - startedAt,
          filesIndexed: 0, entitiesStored: 0, failureCount: failures.length, stopReason, chunksPending,
        },
      });
    }
    emit({ type: "index-finished", summary });
    return summary;
  }
  if (keptRows + rowsToStore === 0) {
    throw new NothingIndexedError(
      read.entityCount === 0
        ? discovered.files.length === 0
          ? `no source files to index under ${repoRoot}${discovered.skipped.length ? ` (${discovered.skipped.length} skipped)` : ""}`
          : `no definitions found in ${discovered.files.length} source files under ${repoRoot}`
        : `all ${read.entityCount} entities failed to embed; the index was left unchanged`,
    );
  }

  // The catalog is recorded in memory first: storing releases the chunks it is built from.
  updateCatalog(catalog, { deleted, complete, sameContent: read.sameContent, binary: discovered.files.filter((f) => binaryPaths.has(f.path)), failures, known });
  let written = { rowsDeleted: 0, rowsAdded: 0, rowCount: keptRows };
  if (dropTable || deletePaths.length > 0 || rowsToStore > 0 || base.repairFullText) {
    if (!cache) throw new StoreError("no embedding cache to read the vectors from"); // only a dry run has none, and it never stores
    written = await storeEntityRows({
      db, indexDir, dropTable, tableReadable: base.inspection?.rows != null, deletePaths, complete, known, cache: cache.cache, rowCount: rowsToStore, dimension: dimension!, emit,
      keepVersionsFrom: base.keepVersionsFrom, repairFullText: base.repairFullText,
    });
  }
  const tableDb = db ?? (await openDatabase(indexDir));
  let fusion: ManifestFusion;
  try {
    fusion = await chooseFusion(options, source, { manifest, db: tableDb, written, maxTokens, partial: stopReason !== null });
  } finally {
    tableDb.close();
  }

  if (cache) await compactCache(cache.cache, catalog, modelId, maxTokens, known.vectors.values());
  // The commit: the catalog names the checked table version, then the manifest hands it to readers.
  const { version: tableVersion, generation } = untouched
    ? { version: committed!.version, generation: committed!.generation! }
    : await commitTable(indexDir, stateDir, catalog, {
        dimension: dimension!,
        previous: fullRebuildReason ? undefined : committed,
        previousCommit: manifestBefore ? commitOfManifest(manifestBefore) : undefined,
        ...(source.kind === "openai" ? {} : { model: { modelId, maxTokens } }),
      });

  const finishedAt = Date.now();
  const summary: IndexSummary = { ...summaryBase, dimension: dimension!, chunksStored: written.rowCount, chunksRemoved: written.rowsDeleted, durationMs: finishedAt - startedAt };
  await writeManifest(indexDir, {
    format: "codesearch-index",
    schemaVersion: SCHEMA_VERSION,
    modelId,
    dimension: dimension!,
    maxTokens,
    repoRoot,
    tableVersion,
    generation,
    supersededCommits: supersedeCommit(manifestBefore, finishedAt),
    ...manifestEmbedderOf(source),
    fusion,
    lastRun: {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: summary.durationMs,
      filesIndexed: summary.filesIndexed,
      entitiesStored: written.rowCount,
      failureCount: failures.length,
      stopReason,
      chunksPending,
    },
  });
  emit({ type: "index-finished", summary });
  return summary;
}
