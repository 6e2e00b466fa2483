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
 * A table written anew (`replaceEntityTable`) has no indexes: each column of
 * {@link FULL_TEXT_INDEXES} gets one built from all rows. When the indexes exist (rows were added
 * to or deleted from a table), LanceDB's `optimize()` folds the changes into them — adds new rows,
 * drops deleted ones, updates the BM25 statistics — and compacts small data files; it keeps old
 * table versions for LanceDB's default 7 days.
 * @throws StoreError when the table is missing or LanceDB fails.
 */
export async function refreshSearchIndexes(db: lancedb.Connection): Promise<SearchIndexRefresh> {
  try {
    const table = await db.openTable(ENTITY_TABLE);
    const indices = await table.listIndices();
    const indexed = new Set(indices.filter((i) => i.indexType === "FTS").flatMap((i) => i.columns));
    const created: string[] = [];
    for (const { column, options } of FULL_TEXT_INDEXES) {
      if (indexed.has(column)) continue;
      await table.createIndex(column, { config: Index.fts(options) });
      created.push(column);
    }
    const optimized = created.length < FULL_TEXT_INDEXES.length;
    if (optimized) await table.optimize();
    table.close();
    return { created, optimized };
  } catch (error) {
    throw new StoreError(`cannot update the full-text index: ${describeError(error)}`, { cause: error });
  }
}
