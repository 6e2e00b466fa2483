import type * as lancedb from "@lancedb/lancedb";
import type { RunEventEmitter } from "../model/events.js";
import type { EmbeddedChunk, IndexFailure } from "../model/types.js";
import {
  applyEntityChanges,
  openDatabase,
  refreshSearchIndexes,
  removeEmptyIndexFolders,
  startEntityTableAnew,
  STORE_SLICE_ROWS,
  type EntityChangeResult,
  type FileCatalog,
} from "../store/index.js";
import { collectGarbage } from "./collect-garbage.js";
import type { EmbeddingCache } from "../embed/index.js";
import { readVector, type ChunkVectors } from "./embed-outcomes.js";
import type { FileOutcome } from "./read-planned-files.js";
import type { SourceFile } from "../model/types.js";

/** What {@link storeEntityRows} writes. */
export interface EntityRowsWrite {
  /** Open database, or null to open `indexDir` (closed again here). */
  db: lancedb.Connection | null;
  indexDir: string;
  /** Start the table anew first (it is missing, damaged or being rebuilt; see `startEntityTableAnew`). */
  dropTable: boolean;
  /** The table was readable at its committed version: a rebuild then writes a new version beside it, which readers do not see until the commit. */
  tableReadable?: boolean;
  /** Paths whose rows go: removed and skipped files, and every file in `complete`. */
  deletePaths: readonly string[];
  /** Files all of whose entities have a vector or failed; their rows are written. */
  complete: readonly FileOutcome[];
  /** Which chunks have a vector; each entry is deleted once its row is taken. */
  known: ChunkVectors;
  /** The embedding cache holding those vectors (read back one row at a time). */
  cache: EmbeddingCache;
  /** Rows `complete` adds (its chunks with a vector), as reported in the store events. */
  rowCount: number;
  /** Vector length of the index. */
  dimension: number;
  emit: RunEventEmitter;
  /** `cleanupOlderThan` of LanceDB's `optimize()`: versions readers may be on stay (see version-retention.ts). */
  keepVersionsFrom: Date;
  /** Rebuild the full-text indexes even when no row changes (they were found damaged). */
  repairFullText?: boolean;
}

/**
 * Replaces the rows of the run's files in the entity table (see `applyEntityChanges`), then brings
 * the search indexes up to date (`refreshSearchIndexes`, which may train the vector index) and
 * reports `store-started` / `store-finished`. The rows are handed over file by file, their vectors
 * read back from the embedding cache, and each file's chunks are released once taken
 * (`outcome.chunks` becomes empty and its entries leave `known`), so a large run holds one slice
 * of rows at a time; call {@link updateCatalog} first.
 * @throws StoreError when LanceDB fails or the cache lost a vector.
 */
export async function storeEntityRows(write: EntityRowsWrite): Promise<EntityChangeResult> {
  const { complete, known, emit, rowCount } = write;
  emit({ type: "store-started", rowCount });
  const startedAt = Date.now();
  const database = write.db ?? (await openDatabase(write.indexDir));
  try {
    if (write.dropTable) await startEntityTableAnew(database, write.dimension, write.tableReadable ?? false);
    const written = await applyEntityChanges(database, { deletePaths: write.deletePaths, add: releasingRows(complete, known, write.cache) }, write.dimension, {
      keepVersionsFrom: write.keepVersionsFrom,
    });
    if (written.maintained) await removeEmptyIndexFolders(write.indexDir);
    // The released chunks are dead but not yet collected; free them before LanceDB builds indexes.
    if (written.rowsAdded >= STORE_SLICE_ROWS) collectGarbage();
    // Before the catalog is written: a run killed here is redone by the next one, refresh included.
    // Rebuilt after any change, so BM25's statistics equal a fresh build's (search-indexes.ts).
    const changed = write.dropTable || written.rowsAdded > 0 || written.rowsDeleted > 0 || (write.repairFullText ?? false);
    // Compaction and cleanup ran in applyEntityChanges when due (table-maintenance.ts), not at every write.
    const refreshed = await refreshSearchIndexes(database, { rebuildFullText: changed, keepVersionsFrom: write.keepVersionsFrom, optimizeStale: false });
    emit({
      type: "store-finished", rowCount, durationMs: Date.now() - startedAt,
      ...(refreshed.vectorIndexBuilt ? { vectorIndexBuilt: refreshed.vectorIndexBuilt } : {}),
    });
    return written;
  } finally {
    if (database !== write.db) database.close();
  }
}

/**
 * The rows of `complete` in file order, each vector read back from the cache; a file's chunks and
 * vector keys are released once its rows are taken.
 */
function* releasingRows(complete: readonly FileOutcome[], known: ChunkVectors, cache: EmbeddingCache): Generator<EmbeddedChunk> {
  for (const outcome of complete) {
    for (const chunk of outcome.chunks) {
      const vector = readVector(known, cache, chunk.id);
      if (vector) yield { ...chunk, vector };
      known.vectors.delete(chunk.id);
    }
    outcome.chunks = [];
  }
}

/**
 * Records the run in the in-memory catalog: `deleted` paths leave it; each complete file gets its
 * stat, content hash, the content hashes of its stored entities, its reference sites and its
 * failures (read, parse and embed); files whose bytes did not change get their new stat; files found binary are recorded
 * as `skipped` with their stat (so they are not read again until they change). Call before
 * {@link storeEntityRows}, which releases the chunks.
 */
export function updateCatalog(
  catalog: FileCatalog,
  run: {
    deleted: ReadonlySet<string>;
    complete: readonly FileOutcome[];
    sameContent: readonly SourceFile[];
    /** Files read and found binary in this run: recorded with their stat and no rows. */
    binary: readonly SourceFile[];
    failures: readonly IndexFailure[];
    known: ChunkVectors;
  },
): void {
  const embedFailures = new Map<string, IndexFailure[]>();
  for (const failure of run.failures) {
    if (failure.stage !== "embed") continue;
    embedFailures.set(failure.path, [...(embedFailures.get(failure.path) ?? []), failure]);
  }
  for (const removedPath of run.deleted) catalog.delete(removedPath);
  for (const outcome of run.complete) {
    catalog.set(outcome.file.path, {
      sizeBytes: outcome.file.sizeBytes,
      mtimeMs: outcome.file.mtimeMs,
      contentHash: outcome.contentHash,
      chunkHashes: outcome.chunks.filter((c) => run.known.vectors.has(c.id)).map((c) => c.contentHash),
      ...(outcome.references ? { references: outcome.references } : {}),
      failures: [...outcome.failures, ...(embedFailures.get(outcome.file.path) ?? [])].map(({ stage, message, line, qualifiedName }) => ({
        stage, message, ...(line !== undefined ? { line } : {}), ...(qualifiedName !== undefined ? { qualifiedName } : {}),
      })),
    });
  }
  for (const file of run.sameContent) {
    const entry = catalog.get(file.path);
    if (entry) catalog.set(file.path, { ...entry, sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs });
  }
  for (const file of run.binary) {
    catalog.set(file.path, { sizeBytes: file.sizeBytes, mtimeMs: file.mtimeMs, contentHash: "", chunkHashes: [], failures: [], skipped: "binary" });
  }
}
