import type * as lancedb from "@lancedb/lancedb";
import { Index, MatchQuery } from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import { FULL_TEXT_INDEXES } from "./search-columns.js";
import { ENTITY_TABLE } from "./table-snapshot.js";

/**
 * Row count from which the entity table gets a vector index (IVF_FLAT, cosine). Measured with the
 * CodeBERT-shaped model on 2 cores (BENCHMARKS.md, "Choosing the vector index"): exact search p50
 * is 13 ms at 10k rows, 22 ms at 20k, 44 ms at 50k and 136 ms at 100k; IVF_FLAT at 20k answers in
 * 10 ms with recall@10 1.0 against exact search and builds in 0.6 s. Below it, search stays exact.
 */
export const VECTOR_INDEX_MIN_ROWS = 20_000;

/** Name prefix of the vector index; the rest is its IVF partition count, e.g. `vector_ivf_flat_p316`. */
export const VECTOR_INDEX_PREFIX = "vector_ivf_flat_p";

/** Options of {@link refreshSearchIndexes}. */
export interface SearchIndexOptions {
  /** Rows from which a vector index is built (default {@link VECTOR_INDEX_MIN_ROWS}). */
  vectorIndexMinRows?: number;
  /**
   * Build every full-text index again from all rows (after rows were deleted or added, or when an
   * index is damaged), so BM25's statistics are exactly a fresh build's. Default false.
   */
  rebuildFullText?: boolean;
  /** `cleanupOlderThan` of the `optimize()` calls (default: remove no version); see version-retention.ts. */
  keepVersionsFrom?: Date;
  /**
   * Fold rows an existing index has not seen into it with `optimize()` (default true). `optimize()`
   * also compacts, which rewrites the whole table; the indexing pipeline passes false and leaves
   * that to the write's scheduled maintenance (table-maintenance.ts): until then LanceDB scans the
   * few unindexed rows.
   */
  optimizeStale?: boolean;
}

/** What {@link refreshSearchIndexes} did. */
export interface SearchIndexRefresh {
  /** Columns whose full-text index was built from all rows (it did not exist, or `rebuildFullText`). */
  created: string[];
  /** Whether existing indexes were brought up to date with `optimize()`. */
  optimized: boolean;
  /** Name of the vector index built (trained) by this call, if one was; see {@link vectorIndexPartitions}. */
  vectorIndexBuilt?: string;
}

/**
 * IVF partitions for a vector index over `rows` rows: √rows rounded, at least 1 — LanceDB's own
 * default (`IvfFlatOptions.numPartitions`), made explicit so it can be recorded in the index name.
 */
export function vectorIndexPartitions(rows: number): number {
  return Math.max(1, Math.round(Math.sqrt(rows)));
}

/**
 * Brings the search indexes of the entity table up to date with its rows. Call it once after
 * every write to the table: LanceDB answers rows an index has not seen by scanning them, which
 * gets slower the more there are.
 *
 * Full text: a column of {@link FULL_TEXT_INDEXES} without a BM25 index (a table written anew), or
 * every column with `rebuildFullText`, gets one built from all rows. `optimize()` would fold new
 * rows into an existing index at the cost of the change rather than the table (BENCHMARKS.md), but
 * the index then keeps counting deleted rows in its document frequencies and lengths, so BM25
 * scores drift from a fresh build's by up to 6.8 % after one edited file (issue 11); the indexing
 * pipeline therefore rebuilds after every change (a rebuild costs about as much as a first build:
 * 354 ms at 6,375 rows, 2.0 s at 51,000, BENCHMARKS.md). When an index has not seen some rows
 * and is not rebuilt, `optimize()` folds them in and compacts small files (unless `optimizeStale` is false).
 *
 * Vector: from `vectorIndexMinRows` rows on, the `vector` column gets an IVF_FLAT index (cosine,
 * {@link vectorIndexPartitions} partitions, vectors stored unquantised, so a probed partition is
 * searched exactly). `optimize()` adds later rows to the partitions it has; once the table has
 * grown so that √rows is twice the partition count (4× the rows it was trained on), the index is
 * trained again. A table that shrinks below the threshold keeps its index.
 * @throws StoreError when the table is missing or LanceDB fails.
 */
export async function refreshSearchIndexes(db: lancedb.Connection, options: SearchIndexOptions = {}): Promise<SearchIndexRefresh> {
  const minRows = options.vectorIndexMinRows ?? VECTOR_INDEX_MIN_ROWS;
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const indices = await table.listIndices();
    const existing = indices.filter((i) => i.indexType === "FTS");
    const indexed = new Set(existing.flatMap((i) => i.columns));
    const created: string[] = [];
    for (const { column, options: ftsOptions } of FULL_TEXT_INDEXES) {
      if (indexed.has(column) && !options.rebuildFullText) continue;
      await table.createIndex(column, { config: Index.fts(ftsOptions), replace: true });
      created.push(column);
    }
    const rows = await table.countRows();
    const vectorIndex = indices.find((i) => i.columns.includes("vector"));
    const trainedPartitions = vectorIndex?.name.startsWith(VECTOR_INDEX_PREFIX) ? Number(vectorIndex.name.slice(VECTOR_INDEX_PREFIX.length)) : 0;
    let vectorIndexBuilt: string | undefined;
    if (rows >= minRows && (!vectorIndex || vectorIndexPartitions(rows) >= 2 * trainedPartitions)) {
      const numPartitions = vectorIndexPartitions(rows);
      vectorIndexBuilt = `${VECTOR_INDEX_PREFIX}${numPartitions}`;
      if (vectorIndex) await table.dropIndex(vectorIndex.name);
      await table.createIndex("vector", { config: Index.ivfFlat({ distanceType: "cosine", numPartitions }), name: vectorIndexBuilt });
    }
    let optimized = false;
    const stale = options.optimizeStale === false ? [] : [...(options.rebuildFullText ? [] : existing), ...(vectorIndex && !vectorIndexBuilt ? [vectorIndex] : [])];
    for (const index of stale) {
      if (((await table.indexStats(index.name))?.numUnindexedRows ?? 0) === 0) continue;
      await table.optimize({ cleanupOlderThan: options.keepVersionsFrom ?? new Date(0) });
      optimized = true;
      break;
    }
    table.close();
    return { created, optimized, ...(vectorIndexBuilt ? { vectorIndexBuilt } : {}) };
  } catch (error) {
    throw new StoreError(`cannot update the search indexes: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The search indexes of `table` (at its checked-out version) that cannot answer a query: a
 * full-text column of {@link FULL_TEXT_INDEXES} without an index, or an index (full-text or
 * vector) whose files are missing or unreadable. One query of limit 1 per index, so cheap enough
 * for every `index` run.
 * @returns descriptions, each starting with what is broken (`full-text index of <column>`,
 *   `vector index`, or `index list (all indexes)` when LanceDB cannot even list them) and LanceDB's
 *   error; empty when all answer.
 */
export async function findBrokenSearchIndexes(table: lancedb.Table, dimension: number): Promise<string[]> {
  const broken: string[] = [];
  let indices: lancedb.IndexConfig[];
  try {
    indices = await table.listIndices();
  } catch (error) {
    return [`index list (all indexes): ${describeError(error)}`];
  }
  for (const { column } of FULL_TEXT_INDEXES) {
    if (!indices.some((i) => i.indexType === "FTS" && i.columns.includes(column))) {
      broken.push(`full-text index of ${column}: missing`);
      continue;
    }
    try {
      await table.query().fullTextSearch(new MatchQuery("def", column)).select(["id", "_score"]).limit(1).toArray();
    } catch (error) {
      broken.push(`full-text index of ${column}: ${describeError(error)}`);
    }
  }
  if (indices.some((i) => i.columns.includes("vector"))) {
    try {
      await table.vectorSearch(new Float32Array(dimension).fill(1 / Math.sqrt(dimension))).distanceType("cosine").select(["id"]).limit(1).toArray();
    } catch (error) {
      broken.push(`vector index: ${describeError(error)}`);
    }
  }
  return broken;
}
