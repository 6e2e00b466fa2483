import type * as lancedb from "@lancedb/lancedb";
import { describeError } from "../model/errors.js";
import type { CommittedTable } from "./file-catalog.js";
import { findBrokenSearchIndexes } from "./search-indexes.js";
import { findAlteredTableFiles, type TableFileCheck } from "./table-files.js";
import { ENTITY_TABLE, versionTimestampMs } from "./table-snapshot.js";

/** What {@link inspectEntityTable} found. Every list is empty for a sound table. */
export interface EntityTableInspection {
  /** Whether the entity table exists at all. */
  exists: boolean;
  /** Rows at the inspected version, or null when it cannot be read (missing, gone or damaged). */
  rows: number | null;
  /** The version inspected: the committed one, or the latest for a catalog that records none. */
  version: number | null;
  /** The table's latest version (later than `version` after a run that did not commit). */
  latestVersion: number | null;
  /** Timestamp of `version` (epoch ms), when listed. */
  versionTimestampMs: number | null;
  /** Files of the table folder whose bytes changed since the committing run recorded them. */
  alteredFiles: string[];
  /** Search indexes that cannot answer a query (see `findBrokenSearchIndexes`). */
  brokenIndexes: string[];
  /** Why the version could not be read, when `rows` is null and the table exists. */
  unreadable: string | null;
}

/**
 * Checks the entity table the way every `index` run and `status` do, cheaply: the files recorded
 * at commit (size and mtime; hashed when the mtime moved, or always with `fileCheck: "hash"`),
 * the committed version readable and its row count, and one query per search index. Reads only;
 * never throws (an unreadable table is reported in the result).
 * @param committed the catalog's committed table; undefined for an index that records none (its latest version is inspected).
 */
export async function inspectEntityTable(
  db: lancedb.Connection,
  indexDir: string,
  committed: CommittedTable | undefined,
  dimension: number,
  fileCheck: TableFileCheck = "stat",
): Promise<EntityTableInspection> {
  const result: EntityTableInspection = {
    exists: false, rows: null, version: null, latestVersion: null, versionTimestampMs: null, alteredFiles: [], brokenIndexes: [], unreadable: null,
  };
  let table: lancedb.Table | undefined;
  try {
    if (!(await db.tableNames()).includes(ENTITY_TABLE)) return result;
    result.exists = true;
    result.alteredFiles = await findAlteredTableFiles(indexDir, committed?.files ?? {}, fileCheck);
    table = await db.openTable(ENTITY_TABLE);
    result.latestVersion = await table.version();
    if (committed) await table.checkout(committed.version);
    result.version = await table.version();
    result.versionTimestampMs = await versionTimestampMs(table, result.version);
    result.rows = await table.countRows();
    await table.query().select(["id", "path", "content_hash", "vector"]).limit(1).toArray();
    result.brokenIndexes = await findBrokenSearchIndexes(table, dimension);
  } catch (error) {
    result.rows = null;
    result.unreadable = describeError(error);
  } finally {
    table?.close();
  }
  return result;
}
