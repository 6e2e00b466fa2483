import * as lancedb from "@lancedb/lancedb";
import { IndexDamagedError, StoreError, describeError } from "../model/errors.js";

/** Name of the LanceDB table holding one row per entity. */
export const ENTITY_TABLE = "entities";

/**
 * How long a superseded committed version stays readable (ms): a search that read the manifest
 * just before an `index` run committed keeps its version this long at least. Versions older than
 * the committed one are removed only once they have been superseded this long (see version-retention.ts).
 */
export const KEEP_SUPERSEDED_VERSIONS_MS = 60_000;

/**
 * What a reader opens: the entity table, or one version of it. `version` is the version the last
 * completed `index` run recorded (manifest `tableVersion`); undefined for an index written before
 * versions were recorded, which is read at its latest version.
 */
export type EntitySource = lancedb.Connection | lancedb.Table;

/**
 * Opens the entity table, checked out at `version` when one is given (a read-only snapshot: rows
 * another run writes meanwhile stay invisible to it).
 * @throws IndexDamagedError when the version is gone (its files were removed or damaged);
 *   StoreError when the table cannot be opened.
 */
export async function openEntityTable(db: lancedb.Connection, version?: number): Promise<lancedb.Table> {
  let table: lancedb.Table;
  try {
    table = await db.openTable(ENTITY_TABLE);
  } catch (error) {
    throw new StoreError(`cannot open the entity table: ${describeError(error)}`, { cause: error });
  }
  if (version === undefined) return table;
  try {
    await table.checkout(version);
  } catch (error) {
    table.close();
    throw new IndexDamagedError(`the index's committed table version ${version} cannot be read (${describeError(error)}); run \`codesearch index\` to repair it`, {
      cause: error,
    });
  }
  return table;
}

/**
 * Runs `read` on the entity table of `source`: a table handle is used as it is (its checked-out
 * version), a connection's table is opened at its latest version and closed afterwards.
 */
export async function withEntityTable<T>(source: EntitySource, read: (table: lancedb.Table) => Promise<T>): Promise<T> {
  if (source instanceof lancedb.Table) return read(source);
  const table = await source.openTable(ENTITY_TABLE);
  try {
    return await read(table);
  } finally {
    table.close();
  }
}

/**
 * Makes `version` the latest version of `table` again when later (uncommitted) versions exist,
 * by LanceDB's `restore()` (one new version holding the same rows and indexes; nothing is copied).
 * Used by a writer holding the lock before it writes, so work of a run that was killed is set
 * aside and the catalog describes the table again.
 * @returns the latest version afterwards.
 * @throws StoreError when LanceDB fails (e.g. the version is gone).
 */
export async function restoreVersion(table: lancedb.Table, version: number): Promise<number> {
  try {
    const latest = await table.version();
    if (latest === version) return latest;
    await table.checkout(version);
    await table.restore();
    return await table.version();
  } catch (error) {
    throw new StoreError(`cannot restore the entity table to version ${version}: ${describeError(error)}`, { cause: error });
  }
}

