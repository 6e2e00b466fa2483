import type * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import { ENTITY_TABLE } from "./entity-table.js";
import { FULL_TEXT_INDEXES } from "./search-columns.js";

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
}

/** What {@link refreshSearchIndexes} did. */
export interface SearchIndexRefresh {
  /** Columns whose full-text index was built from all rows (it did not exist: the table is new). */
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
 * Full text: a column of {@link FULL_TEXT_INDEXES} without a BM25 index (a table written anew) gets
 * one built from all rows. When an existing index has not seen some rows, LanceDB's `optimize()`
 * folds them in — its cost follows the size of the change, a rebuild's the size of the table
 * (BENCHMARKS.md) — and also drops deleted rows and compacts small files. Nothing more is done
 * when every index is current, e.g. because the writer already ran `optimize()`.
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
      if (indexed.has(column)) continue;
      await table.createIndex(column, { config: Index.fts(ftsOptions) });
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
    for (const index of [...existing, ...(vectorIndex && !vectorIndexBuilt ? [vectorIndex] : [])]) {
      if (((await table.indexStats(index.name))?.numUnindexedRows ?? 0) === 0) continue;
      await table.optimize();
      optimized = true;
      break;
    }
    table.close();
    return { created, optimized, ...(vectorIndexBuilt ? { vectorIndexBuilt } : {}) };
  } catch (error) {
    throw new StoreError(`cannot update the search indexes: ${describeError(error)}`, { cause: error });
  }
}
