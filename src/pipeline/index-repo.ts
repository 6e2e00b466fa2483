/**
 * pipeline/ is the only place the stages meet: discover → plan → read/extract → cache → embed → store.
 * It must not import Ink/React or print; it reports through typed events and returns values.
 */
import { existsSync } from "node:fs";
import { readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type * as lancedb from "@lancedb/lancedb";
import { discoverFiles } from "../discover/index.js";
import { EMBEDDING_CACHE_DIR, EmbeddingCache, embedderIdOf, embeddingCacheKey, estimateEmbedding } from "../embed/index.js";
import type { EmbedderSource, RemoteTuning } from "../embed/index.js";
import { IndexDamagedError, IndexMismatchError, InterruptedError, NothingIndexedError, StoreError, UsageError, describeError } from "../model/errors.js";
import { createRunEmitter, startRunClock, type IndexEventSink, type RunClock, type RunEventEmitter } from "../model/events.js";
import type { IndexFailure, IndexSummary, SkippedFile } from "../model/types.js";
import { needsCalibration } from "../rank/index.js";
import {
  acquireIndexLock,
  assertSameModel,
  catalogRowCount,
  ENTITY_TABLE,
  openDatabase,
  readCatalog,
  readManifest,
  readManifestRecord,
  indexPathsOf,
  isRemoteLocation,
  makeFolder,
  readRecordedModelId,
  resolveIndexLocation,
  SCHEMA_VERSION,
  writeManifest,
  type CatalogModel,
  type FileCatalog,
  type IndexLock,
  type IndexManifest,
  type ManifestFusion,
  type IndexPaths,
  type ManifestRecord,
  type StartedManifest,
} from "../store/index.js";
import { calibrateFusion, uncalibrated } from "./calibrate-fusion.js";
import { cacheMisses, countMisses, lookUpCache, type ChunkVectors } from "./embed-outcomes.js";
import { batchLimitsOf, chooseEmbedderSource, manifestEmbedderOf } from "./embedder-source.js";
import { embedPhase } from "./embed-phase.js";
import { type EmbedderLoader, loadEmbedderFromRequest } from "./load-embedder.js";
import { planIndex } from "./plan-index.js";
import { readPlannedFiles } from "./read-planned-files.js";
import { storeEntityRows, updateCatalog } from "./store-entities.js";
import { commitTable, inspectTableBase, restoreCommittedVersion } from "./table-commit.js";

/** Default token limit per entity: CodeBERT's 512 positions (514 minus RoBERTa's 2 offset). */
export const DEFAULT_MAX_TOKENS = 512;

/** Options of {@link indexRepo}. */
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

/**
 * Brings the index of `repoRoot` up to date with the files on disk. Files with unchanged size and
 * mtime are not read; changed files are hashed and re-parsed; only entities whose prepared text is
 * not in the embedding cache are embedded, and the model is loaded only if there are any. Rows of
 * changed, removed and skipped files are replaced in LanceDB, so the table ends equal to what a
 * from-scratch index of the current tree would hold.
 *
 * Writes, in order: the embedding cache (checkpoints while embedding), the LanceDB table (delete by
 * path, add, compact), the cache again, `catalog.json`, then `manifest.json`. A file's rows and
 * catalog entry change only when all its entities were resolved (embedded or failed), so a run
 * stopped early or killed never records work it did not store. Holds `index.lock` throughout.
 *
 * @throws UsageError when `repoRoot` is not a directory (nothing is created); IndexLockedError;
 *   InterruptedError when `signal` aborted before the run changed anything (a folder it created is
 *   removed; an abort after that point ends the run early with `stopReason` `interrupted`);
 *   IndexMismatchError when the index was built with another model and `rebuild` is not set;
 *   ModelLoadError; StoreError; NothingIndexedError when the index would hold no entity (the
 *   table is left as it was).
 */
export async function indexRepo(options: IndexRepoOptions): Promise<IndexSummary> {
  const repoRoot = path.resolve(options.repoRoot);
  const indexDir = resolveIndexLocation(options.indexDir);
  const paths = indexPathsOf(indexDir, options.cacheDir);
  await assertDirectory(repoRoot);
  const record = await readUsableManifest(indexDir, options.rebuild ?? false);
  const manifest = record?.state === "complete" ? record.manifest : null;
  const started = record?.state === "started" ? record.manifest : null;
  const recordedModel = manifest?.modelId ?? (options.rebuild ? ((await readRecordedModelId(indexDir)) ?? (await readCatalogModel(indexDir, options.cacheDir))?.modelId ?? null) : null);
  const source = chooseEmbedderSource(options, manifest ?? started, options.cwd, recordedModel);
  const modelId = embedderIdOf(source);
  if (manifest && !options.rebuild) assertSameModel(manifest, modelId);
  const clock = startRunClock();
  const run: RunOptions = { ...options, repoRoot, indexDir, clock, emit: createRunEmitter(options.sink, clock) };
  if (options.dryRun) return runIndex(run, record, source);

  const createdIndexDir = !isRemoteLocation(indexDir) && !existsSync(indexDir);
  await prepareIndexDir(indexDir, paths);
  let lock: IndexLock | undefined;
  try {
    lock = await acquireIndexLock(paths.stateDir, {
      wait: options.waitForLock ?? false,
      onWait: (holder) => run.emit({ type: "lock-waiting", holderPid: holder.pid, holderStartedAt: holder.startedAt }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // Another run may have finished while we waited: read its manifest again.
    return await runIndex(run, await readUsableManifest(indexDir, options.rebuild ?? false), source);
  } catch (error) {
    // A first run that failed before it stored or cached anything (no model, a refused key, no
    // Python files) leaves no half-made index folder behind.
    if (createdIndexDir && (await holdsNothing(indexDir, paths.cacheDir))) {
      await lock?.release();
      lock = undefined;
      await rm(indexDir, { recursive: true, force: true });
    }
    throw error;
  } finally {
    await lock?.release();
  }
}

/** An index run's options with its clock and the emitter its stages report through. */
interface RunOptions extends IndexRepoOptions {
  clock: RunClock;
  emit: RunEventEmitter;
}

async function runIndex(
  options: RunOptions,
  recordBefore: ManifestRecord | null,
  source: EmbedderSource,
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

  const cache = await openCache(path.join(cacheDir, EMBEDDING_CACHE_DIR), dryRun);
  const known: ChunkVectors = cache ? lookUpCache(read.outcomes, cache.cache, modelId, maxTokens, manifest?.dimension) : { vectors: new Map(), failed: new Set<string>() };
  const missCount = countMisses(read.outcomes, known);
  const chunksFromCache = known.vectors.size;
  emit({
    type: "cache-checked",
    hits: chunksFromCache,
    misses: missCount,
    cacheState: cache?.state ?? "new",
    ...(cache?.setAsidePath ? { setAsidePath: cache.setAsidePath } : {}),
    ...(cache && cache.cache.skippedEntries + cache.cache.rejectedEntries > 0 ? { entriesDiscarded: cache.cache.skippedEntries + cache.cache.rejectedEntries } : {}),
  });

  const embedded = await embedPhase(options, source, { manifest, modelId, maxTokens, cache: dryRun ? null : (cache?.cache ?? null), outcomes: read.outcomes, known, failures });
  const { stopReason, chunksEmbedded, chunksTruncated, dimension } = embedded;

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
          ? `no Python files to index under ${repoRoot}${discovered.skipped.length ? ` (${discovered.skipped.length} skipped)` : ""}`
          : `no functions, methods or classes found in ${discovered.files.length} Python files under ${repoRoot}`
        : `all ${read.entityCount} entities failed to embed; the index was left unchanged`,
    );
  }

  // The catalog is recorded in memory first: storing releases the chunks it is built from.
  updateCatalog(catalog, { deleted, complete, sameContent: read.sameContent, binary: discovered.files.filter((f) => binaryPaths.has(f.path)), failures, known });
  let written = { rowsDeleted: 0, rowsAdded: 0, rowCount: keptRows };
  if (dropTable || deletePaths.length > 0 || rowsToStore > 0 || base.repairFullText) {
    if (!cache) throw new StoreError("no embedding cache to read the vectors from"); // only a dry run has none, and it never stores
    written = await storeEntityRows({
      db, indexDir, dropTable, deletePaths, complete, known, cache: cache.cache, rowCount: rowsToStore, dimension: dimension!, emit,
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

  if (cache) await compactCache(cache.cache, catalog, modelId, maxTokens);
  // The commit: the catalog names the checked table version, then the manifest hands it to readers.
  const tableVersion = await commitTable(indexDir, stateDir, catalog, {
    dimension: dimension!,
    previous: fullRebuildReason ? undefined : committed,
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

/**
 * Hybrid mode's fusion for the manifest: calibrates (see `calibrateFusion`) when
 * `needsCalibration` says so — no calibration yet, another method version, or rows changed since
 * the last one reach `RECALIBRATE_CHANGED_SHARE` of the table — and the run completed; otherwise
 * keeps the recorded fusion, adding this run's written and deleted rows to its change count.
 * Emits `fusion-calibrated` when it calibrates or records the uncalibrated default.
 */
async function chooseFusion(
  options: RunOptions,
  source: EmbedderSource,
  run: { manifest: IndexManifest | null; db: lancedb.Connection; written: { rowsDeleted: number; rowsAdded: number }; maxTokens: number; partial: boolean },
): Promise<ManifestFusion> {
  const recorded = run.manifest?.fusion;
  // A rewritten file deletes and adds its rows: count each row once.
  const rowsChangedSince = (recorded?.rowsChangedSince ?? 0) + Math.max(run.written.rowsDeleted, run.written.rowsAdded);
  const state = recorded?.calibration ? { method: recorded.calibration.method, rowsAtCalibration: recorded.calibration.rowsAtCalibration, rowsChangedSince } : null;
  if (run.partial || !needsCalibration(state)) {
    return recorded ? { ...recorded, rowsChangedSince } : uncalibrated("not calibrated yet: the index run stopped early; the next complete run calibrates");
  }
  const startedAt = Date.now();
  const fusion = await calibrateFusion(run.db, () =>
    (options.loadEmbedder ?? loadEmbedderFromRequest)({
      source,
      cacheDir: options.modelCacheDir,
      offline: options.offline,
      maxTokens: run.maxTokens,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.remote ? { remote: options.remote } : {}),
    }),
  );
  options.emit({
    type: "fusion-calibrated",
    calibrated: fusion.calibrated,
    vectorWeight: fusion.weights.vector,
    note: fusion.note,
    modelCalls: fusion.calibration?.modelCalls ?? 0,
    durationMs: Date.now() - startedAt,
  });
  return fusion;
}

/**
 * The index's manifest; with `rebuild`, a manifest of another schema version counts as absent, so
 * the index is rebuilt instead of refused.
 */
async function readUsableManifest(indexDir: string, rebuild: boolean): Promise<ManifestRecord | null> {
  try {
    return await readManifestRecord(indexDir);
  } catch (error) {
    if (rebuild && (error instanceof IndexMismatchError || error instanceof IndexDamagedError)) return null;
    throw error;
  }
}

/** What is wrong with the manifest (`damaged: …`), or null when it reads (or is of another schema version, or absent). */
async function manifestProblem(indexDir: string): Promise<string | null> {
  return readManifest(indexDir).then(
    () => null,
    (error: unknown) => (error instanceof IndexDamagedError ? "the manifest is damaged" : null),
  );
}

/** The model the catalog records (a local model's id and token limit), for a rebuild whose manifest is damaged. */
async function readCatalogModel(indexDir: string, cacheDir: string | undefined): Promise<CatalogModel | undefined> {
  if (!isRemoteLocation(indexDir) && !existsSync(indexDir)) return undefined;
  return (await readCatalog(indexPathsOf(indexDir, cacheDir).stateDir).catch(() => null))?.model;
}

/** Drops this model's cache entries that no stored entity uses, once they outnumber the used ones (and exceed 1,000). */
async function compactCache(cache: EmbeddingCache, catalog: FileCatalog, modelId: string, maxTokens: number): Promise<void> {
  const live = new Set<string>();
  for (const entry of catalog.values()) for (const hash of entry.chunkHashes) live.add(embeddingCacheKey(modelId, maxTokens, hash));
  const dead = cache.countForModel(modelId) - live.size;
  if (dead <= Math.max(1000, live.size)) return;
  try {
    await cache.compact(modelId, (key) => live.has(key));
  } catch (error) {
    throw new StoreError(`cannot compact the embedding cache in ${cache.dir}: ${describeError(error)}`, { cause: error });
  }
}

/** True when `indexDir` has no entity table and the embedding cache under `cacheDir` holds no vector (`vectors-<gen>.f32` files all empty). */
async function holdsNothing(indexDir: string, cacheDir: string): Promise<boolean> {
  if (existsSync(path.join(indexDir, `${ENTITY_TABLE}.lance`))) return false;
  const cacheFiles = await readdir(path.join(cacheDir, EMBEDDING_CACHE_DIR), { withFileTypes: true }).catch(() => []);
  for (const entry of cacheFiles) {
    if (entry.isFile() && entry.name.endsWith(".f32") && (await stat(path.join(entry.parentPath, entry.name))).size > 0) return false;
  }
  return true;
}

async function assertDirectory(dir: string): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    throw new UsageError(`cannot index ${dir}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : describeError(error)}`, { cause: error });
  });
  if (!stats.isDirectory()) throw new UsageError(`cannot index ${dir}: not a directory`);
}

/**
 * Creates the local folders of the index: a folder index gets a `.gitignore` of `*`, so it is
 * never committed by accident; a remote one only its local state folder.
 */
async function prepareIndexDir(indexDir: string, paths: IndexPaths): Promise<void> {
  try {
    await makeFolder(paths.cacheDir);
    await makeFolder(paths.stateDir);
    if (isRemoteLocation(indexDir)) return;
    const gitignore = path.join(indexDir, ".gitignore");
    if (!existsSync(gitignore)) await writeFile(gitignore, "# written by codesearch: the index is local data\n*\n");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === "EROFS" ? " (a read-only file system; keep the index elsewhere with --db <folder>)"
      : code === "EACCES" || code === "EPERM" ? " (no permission to write there; keep the index elsewhere with --db <folder>)"
      : "";
    throw new StoreError(`cannot create the index folder ${indexDir}: ${describeError(error)}${hint}`, { cause: error });
  }
}

/** Opens the embedding cache; a dry run opens it only if it exists, and read-only (it never creates or repairs files). */
async function openCache(dir: string, dryRun: boolean): Promise<Awaited<ReturnType<typeof EmbeddingCache.open>> | null> {
  if (dryRun && !existsSync(dir)) return null;
  try {
    return await EmbeddingCache.open(dir, { readOnly: dryRun });
  } catch (error) {
    throw new StoreError(`cannot open the embedding cache ${dir}: ${describeError(error)}`, { cause: error });
  }
}
