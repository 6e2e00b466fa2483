/**
 * The last steps of an index run: what its reading and embedding add up to, the summary, and
 * either the account of a run that stores nothing or the store, fusion choice and commit.
 */
import { DEFAULT_EXTRACT_LIMITS } from "../extract/index.js";
import { estimateEmbedding, type EmbedderSource } from "../embed/index.js";
import { StoreError } from "../model/errors.js";
import type { IndexSummary, SkippedFile, SourceFile } from "../model/types.js";
import { catalogRowCount, commitOfManifest, openDatabase, supersedeCommit, SCHEMA_VERSION, writeManifest, type ManifestFusion } from "../store/index.js";
import { chooseFusion } from "./choose-fusion.js";
import { cacheMisses } from "./embed-outcomes.js";
import { batchLimitsOf, manifestEmbedderOf } from "./embedder-source.js";
import { compactCache } from "./index-cache.js";
import type { RunOptions } from "./index-repo-options.js";
import type { FileOutcome } from "./read-planned-files.js";
import type { RunBase } from "./run-base.js";
import type { FilesRead, VectorsFound } from "./run-index.js";
import { storeEntityRows, updateCatalog } from "./store-entities.js";
import { commitTable } from "./table-commit.js";

/** What a run's reading and embedding add up to, before anything is stored ({@link tallyRun}). */
export interface RunTally {
  /** Read files whose every entity has a vector or failed: only these are written. */
  complete: FileOutcome[];
  /** Entities of read files that have neither a vector nor a failure (the run stopped first). */
  chunksPending: number;
  /** Rows the complete files add. */
  rowsToStore: number;
  /** Paths whose rows are deleted: removed files, files found binary, and the complete files (re-added). */
  deletePaths: string[];
  /** `deletePaths` as a set, for lookups. */
  deleted: Set<string>;
  /** Rows of the catalog that stay. */
  keptRows: number;
  /** Binary files recorded by an earlier run and unchanged since (not read again, still reported as skipped). */
  knownBinary: SourceFile[];
  /** Files read this run (binary ones excluded). */
  readFiles: FileOutcome[];
  /** Read files not complete. */
  pendingFiles: number;
}

/** Tallies the run (pure): which files are written, which rows go and stay. */
export function tallyRun(run: RunBase, files: FilesRead, vectors: VectorsFound): RunTally {
  const { read, plan } = files;
  const { known } = vectors;
  const done = (id: string) => known.vectors.has(id) || known.failed.has(id);
  const complete = read.outcomes.filter((o) => o.chunks.every((c) => done(c.id)));
  const chunksPending = read.outcomes.reduce((n, o) => n + o.chunks.filter((c) => !done(c.id)).length, 0);
  const rowsToStore = complete.reduce((n, o) => n + o.chunks.filter((c) => known.vectors.has(c.id)).length, 0);
  const deletePaths = [...plan.removed, ...read.skipped.map((s) => s.path), ...complete.map((o) => o.file.path)];
  const deleted = new Set(deletePaths);
  const knownBinary = plan.unchanged.filter((f) => run.catalog.get(f.path)?.skipped === "binary");
  const keptRows = [...run.catalog].reduce((n, [p, entry]) => (deleted.has(p) ? n : n + entry.chunkHashes.length), 0);
  const readFiles = read.outcomes.filter((o) => o.contentHash !== "");
  const pendingFiles = readFiles.filter((o) => !complete.includes(o)).length;
  return { complete, chunksPending, rowsToStore, deletePaths, deleted, keptRows, knownBinary, readFiles, pendingFiles };
}

/** The summary's fields known before anything is stored (rows stored, removed and the duration come last). */
export type SummaryBase = Omit<IndexSummary, "chunksStored" | "chunksRemoved" | "durationMs">;

/** The run's summary so far (pure), as `index-finished` reports it. */
export function summarizeRun(options: RunOptions, source: EmbedderSource, run: RunBase, files: FilesRead, vectors: VectorsFound, tally: RunTally): SummaryBase {
  const { dryRun, catalog, maxTokens } = run;
  const { discovered, plan, read, failures } = files;
  const { known, shared, embedded } = vectors;
  const committedFiles = dryRun ? tally.readFiles.length : tally.readFiles.length - tally.pendingFiles;
  const recordedSource = (p: string) => catalog.has(p) && !catalog.get(p)!.skipped;
  return {
    repoRoot: options.repoRoot, indexDir: options.indexDir, modelId: run.modelId, dimension: embedded.dimension ?? 0,
    filesDiscovered: discovered.files.length - read.skipped.length - tally.knownBinary.length,
    filesIndexed: committedFiles,
    filesPending: dryRun ? 0 : tally.pendingFiles,
    filesUnchanged: plan.unchanged.length - tally.knownBinary.length + read.sameContent.length,
    filesRemoved: plan.removed.filter((p) => !catalog.get(p)?.skipped).length + read.skipped.filter((s) => recordedSource(s.path)).length,
    filesSkipped: [...discovered.skipped, ...read.skipped, ...tally.knownBinary.map((f): SkippedFile => ({ path: f.path, reason: "binary", sizeBytes: f.sizeBytes }))],
    entitiesFound: read.entityCount,
    chunksEmbedded: dryRun ? vectors.missCount : embedded.chunksEmbedded,
    chunksFromCache: vectors.chunksFromCache, chunksPending: dryRun ? 0 : tally.chunksPending, stopReason: dryRun ? null : embedded.stopReason, dryRun, failures,
    ...(embedded.chunksTruncated > 0 ? { chunksTruncated: embedded.chunksTruncated } : {}),
    ...(read.sourcesCut > 0 ? { entitySourcesCut: { count: read.sourcesCut, maxChars: DEFAULT_EXTRACT_LIMITS.maxSourceChars } } : {}),
    ...(shared ? { chunksFromSharedCache: shared.hits } : {}),
    ...(vectors.sharedCacheAdded > 0 ? { sharedCacheAdded: vectors.sharedCacheAdded } : {}),
    ...(shared?.problem ? { sharedCacheProblem: shared.problem } : {}),
    ...(dryRun ? { estimate: estimateEmbedding(cacheMisses(read.outcomes, known).map((c) => c.text), batchLimitsOf(source, options, maxTokens)) } : {}),
  };
}

/**
 * Ends a run that stores nothing (a dry run, or one stopped before any file was complete: its
 * vectors are in the cache): a new index's start record gets the run's account; emits `index-finished`.
 */
export async function finishUnstored(options: RunOptions, run: RunBase, summaryBase: SummaryBase, tally: RunTally): Promise<IndexSummary> {
  const { dryRun, startedAt, startRecord } = run;
  const summary: IndexSummary = {
    ...summaryBase, filesIndexed: dryRun ? summaryBase.filesIndexed : 0, filesPending: dryRun ? 0 : tally.readFiles.length,
    chunksStored: catalogRowCount(run.catalog), chunksRemoved: 0, durationMs: Date.now() - startedAt,
  };
  if (startRecord) {
    const finishedAt = Date.now();
    await writeManifest(options.indexDir, {
      ...startRecord,
      lastRun: {
        startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), durationMs: finishedAt - startedAt,
        filesIndexed: 0, entitiesStored: 0, failureCount: summaryBase.failures.length, stopReason: summaryBase.stopReason, chunksPending: tally.chunksPending,
      },
    });
  }
  options.emit({ type: "index-finished", summary });
  return summary;
}

/**
 * Stores the complete files' rows (deleting the rows they replace), chooses the fusion, compacts
 * the cache, commits the table (catalog naming the checked version), then writes the manifest that
 * hands the commit to readers; emits `index-finished`.
 * @throws StoreError when LanceDB fails or the table and catalog disagree after writing (nothing is committed).
 */
export async function storeAndCommit(
  options: RunOptions,
  source: EmbedderSource,
  run: RunBase,
  done: { files: FilesRead; vectors: VectorsFound; tally: RunTally; summaryBase: SummaryBase },
): Promise<IndexSummary> {
  const { indexDir } = options;
  const { files, vectors, tally, summaryBase } = done;
  const { catalog, manifest, manifestBefore, modelId, maxTokens, startedAt, db } = run;
  const { read, discovered, failures } = files;
  const { cache, known } = vectors;
  const { stopReason, dimension } = vectors.embedded;
  // The catalog is recorded in memory first: storing releases the chunks it is built from.
  const binaryPaths = new Set(read.skipped.filter((s) => s.reason === "binary").map((s) => s.path));
  updateCatalog(catalog, { deleted: tally.deleted, complete: tally.complete, sameContent: read.sameContent, binary: discovered.files.filter((f) => binaryPaths.has(f.path)), failures, known });
  let written = { rowsDeleted: 0, rowsAdded: 0, rowCount: tally.keptRows };
  if (run.dropTable || tally.deletePaths.length > 0 || tally.rowsToStore > 0 || run.table.repairFullText) {
    if (!cache) throw new StoreError("no embedding cache to read the vectors from"); // only a dry run has none, and it never stores
    written = await storeEntityRows({
      db, indexDir, dropTable: run.dropTable, tableReadable: run.table.inspection?.rows != null, deletePaths: tally.deletePaths, complete: tally.complete, known,
      cache: cache.cache, rowCount: tally.rowsToStore, dimension: dimension!, emit: options.emit, keepVersionsFrom: run.table.keepVersionsFrom, repairFullText: run.table.repairFullText,
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
  const { committed } = run;
  const { version: tableVersion, generation } = vectors.untouched
    ? { version: committed!.version, generation: committed!.generation! }
    : await commitTable(indexDir, run.stateDir, catalog, {
        dimension: dimension!,
        previous: run.fullRebuildReason ? undefined : committed,
        previousCommit: manifestBefore ? commitOfManifest(manifestBefore) : undefined,
        ...(source.kind === "openai" ? {} : { model: { modelId, maxTokens } }),
      });

  const finishedAt = Date.now();
  const summary: IndexSummary = { ...summaryBase, dimension: dimension!, chunksStored: written.rowCount, chunksRemoved: written.rowsDeleted, durationMs: finishedAt - startedAt };
  await writeManifest(indexDir, {
    format: "codesearch-index", schemaVersion: SCHEMA_VERSION, modelId, dimension: dimension!, maxTokens, repoRoot: options.repoRoot,
    tableVersion, generation, supersededCommits: supersedeCommit(manifestBefore, finishedAt),
    ...manifestEmbedderOf(source),
    fusion,
    lastRun: {
      startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), durationMs: summary.durationMs,
      filesIndexed: summary.filesIndexed, entitiesStored: written.rowCount, failureCount: failures.length, stopReason, chunksPending: tally.chunksPending,
    },
  });
  options.emit({ type: "index-finished", summary });
  return summary;
}
