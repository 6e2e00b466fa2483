import type * as lancedb from "@lancedb/lancedb";
import { StoreError, describeError } from "../model/errors.js";
import { listTableVersions } from "./version-retention.js";

/**
 * Fragments from which a write compacts the entity table. Each write adds one fragment per slice
 * of rows (entity-table.ts), and LanceDB's compaction merges every fragment under its 1M-row
 * target, so it rewrites the whole table: 33 MB in 3.1–5.8 s at 10,000 768-d rows under load
 * (scripts/bench/compaction-cost.mjs, BENCHMARKS.md, issue 19 item 15). Compacting at every
 * write made a one-file refresh cost the table's size; at 8 fragments a table is rewritten once
 * per ~7 small writes, and a search scans at most 7 small fragments beside the big one.
 */
export const COMPACT_AT_FRAGMENTS = 8;

/**
 * Removable versions (older than the cleanup cutoff, see version-retention.ts) from which a write
 * runs the cleanup even when there are too few fragments to compact: writes that only delete add
 * versions but no fragments. A refresh adds about 5 versions (delete, add, 3 full-text indexes).
 */
export const PRUNE_AT_VERSIONS = 32;

/** What the table looks like to {@link maintenanceDue}. */
export interface TableShape {
  fragments: number;
  /** Versions the cleanup would remove now. */
  removableVersions: number;
}

/** Whether a write should compact and clean up (LanceDB `optimize()`) now. Pure. */
export function maintenanceDue(shape: TableShape): boolean {
  return shape.fragments >= COMPACT_AT_FRAGMENTS || shape.removableVersions >= PRUNE_AT_VERSIONS;
}

/**
 * Compacts the entity table and removes versions older than `keepVersionsFrom` (LanceDB
 * `optimize()`: compaction, cleanup of old versions and of unreferenced files, and folding new
 * rows into the indexes), when {@link maintenanceDue} says so. Call it with the writer lock held.
 * @returns whether it ran.
 * @throws StoreError when LanceDB fails.
 */
export async function maintainEntityTable(table: lancedb.Table, keepVersionsFrom: Date): Promise<boolean> {
  try {
    const fragments = (await table.stats()).fragmentStats.numFragments;
    const listed = await listTableVersions(table);
    const latest = Math.max(0, ...listed.map((v) => v.version));
    const removableVersions = listed.filter((v) => v.version !== latest && v.timestampMs < keepVersionsFrom.getTime()).length;
    if (!maintenanceDue({ fragments, removableVersions })) return false;
    await table.optimize({ cleanupOlderThan: keepVersionsFrom, deleteUnverified: true });
    return true;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot compact the entity table: ${describeError(error)}`, { cause: error });
  }
}
