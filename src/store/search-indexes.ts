import type * as lancedb from "@lancedb/lancedb";
import { Index } from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import { ENTITY_TABLE } from "./entity-table.js";
import { FULL_TEXT_INDEXES } from "./search-columns.js";

/** What {@link refreshSearchIndexes} did. */
export interface SearchIndexRefresh {
  /** Columns whose full-text index was built from all rows (it did not exist: the table is new). */
  created: string[];
  /** Whether existing indexes were brought up to date with `optimize()`. */
  optimized: boolean;
}

/**
 * Brings the full-text (BM25) indexes of the entity table up to date with its rows. Call it once
 * after every write to the table: full-text search reads rows the indexes have not seen by
 * scanning them, which gets slower the more there are.
 *
 * A column of {@link FULL_TEXT_INDEXES} without an index (a table written anew) gets one built
 * from all rows. When an existing index has not seen some rows, LanceDB's `optimize()` folds them
 * in — its cost follows the size of the change, a rebuild's the size of the table
 * (BENCHMARKS.md) — and also drops deleted rows and compacts small files. Nothing more is done
 * when every index is current, e.g. because the writer already ran `optimize()`; rows deleted
 * without one stay out of results but count in the BM25 statistics until the next `optimize()`.
 * @throws StoreError when the table is missing or LanceDB fails.
 */
export async function refreshSearchIndexes(db: lancedb.Connection): Promise<SearchIndexRefresh> {
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const existing = (await table.listIndices()).filter((i) => i.indexType === "FTS");
    const indexed = new Set(existing.flatMap((i) => i.columns));
    const created: string[] = [];
    for (const { column, options } of FULL_TEXT_INDEXES) {
      if (indexed.has(column)) continue;
      await table.createIndex(column, { config: Index.fts(options) });
      created.push(column);
    }
    let optimized = false;
    for (const index of existing) {
      if (((await table.indexStats(index.name))?.numUnindexedRows ?? 0) === 0) continue;
      await table.optimize();
      optimized = true;
      break;
    }
    table.close();
    return { created, optimized };
  } catch (error) {
    throw new StoreError(`cannot update the full-text index: ${describeError(error)}`, { cause: error });
  }
}
