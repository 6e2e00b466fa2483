import type * as lancedb from "@lancedb/lancedb";
import { describeError } from "../model/errors.js";
import { catalogRowCount, type CommittedTable, type FileCatalog } from "./file-catalog.js";
import { commitOfManifest, sameCommit, type CommitId, type IndexManifest } from "./index-manifest.js";
import { findBrokenSearchIndexes } from "./search-indexes.js";
import { findAlteredTableFiles, type TableFileCheck } from "./table-files.js";
import { ENTITY_TABLE } from "./table-snapshot.js";

/** What {@link inspectEntityTable} found. Every list is empty for a sound table. */
export interface EntityTableInspection {
  /** Whether the entity table exists at all. */
  exists: boolean;
  /** Rows at the inspected version, or null when it cannot be read (missing, gone or damaged) or was not read (`alteredFiles`). */
  rows: number | null;
  /** The version inspected: the committed one, or the latest for a catalog that records none. */
  version: number | null;
  /** The table's latest version (later than `version` after a run that did not commit). */
  latestVersion: number | null;
  /** Files of the table folder whose bytes changed since the committing run recorded them. */
  alteredFiles: string[];
  /** Search indexes that cannot answer a query (see `findBrokenSearchIndexes`). */
  brokenIndexes: string[];
  /** Why the version could not be read, when `rows` is null and the table exists. */
  unreadable: string | null;
}

/**
 * Checks the entity table the way every `index` run, search session and `status` do: the files
 * recorded at commit (size and mtime; hashed when the mtime moved, or always with `fileCheck: "hash"`),
 * the committed version readable and its row count, and one query per search index. When a
 * recorded file changed, nothing of the table is read (`rows` null, `unreadable` null). Reads only;
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
    exists: false, rows: null, version: null, latestVersion: null, alteredFiles: [], brokenIndexes: [], unreadable: null,
  };
  let table: lancedb.Table | undefined;
  try {
    if (!(await db.tableNames()).includes(ENTITY_TABLE)) return result;
    result.exists = true;
    result.alteredFiles = await findAlteredTableFiles(indexDir, committed?.files ?? {}, fileCheck);
    // A changed file is never read: its row counts and lengths could ask for any allocation (issue 19: 24 GB).
    if (result.alteredFiles.length > 0) {
      result.version = committed?.version ?? null;
      return result;
    }
    table = await db.openTable(ENTITY_TABLE);
    result.latestVersion = await table.version();
    if (committed) await table.checkout(committed.version);
    result.version = await table.version();
    // No listing of the table's versions here: LanceDB reads every version's manifest to list them,
    // and a writer's cleanup removing an old one meanwhile failed searches that read a sound commit
    // (3 of ~6,000 answers in the rebuild-readers stress trial).
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

/** What {@link checkCommittedIndex} found about the commit the manifest names. */
export interface CommittedIndexCheck {
  /**
   * The commit readers open (the manifest's version), with the table files the catalog recorded
   * (a catalog one commit ahead records a superset: LanceDB never rewrites a file); undefined for
   * an index that records no version (read at its latest).
   */
  committed: CommittedTable | undefined;
  inspection: EntityTableInspection;
  /**
   * What is wrong, one line each (empty when sound): the manifest and the catalog naming different
   * commits, the table missing or unreadable at the named version, files changed after they were
   * written, a row count other than the commit recorded, search indexes that do not answer. An
   * unreadable catalog is not listed here (see `catalogUnreadable`).
   */
  damage: string[];
  /** The catalog exists but cannot be read as one (its file checks and row count are then unknown). */
  catalogUnreadable: boolean;
}

/**
 * The one check of a committed index that `status` and every search session (on opening and on
 * each commit it moves to) run, so that a search refuses exactly when `status` reports damage:
 * the manifest and the catalog must name the same commit (version and generation; or the catalog
 * one commit ahead, naming the manifest's as its `previous`: a run between its two commit writes),
 * then {@link inspectEntityTable} of that version with every recorded file hashed (`fileCheck`),
 * its rows equal to what the commit recorded (the catalog's entities, or the manifest's
 * `entitiesStored`), and every search index answering. Reads only; never throws for damage.
 * @param catalogRead what `readCatalog` returned for the index's state folder.
 */
export async function checkCommittedIndex(
  db: lancedb.Connection,
  indexDir: string,
  manifest: IndexManifest,
  catalogRead: { catalog: FileCatalog; state: "loaded" | "new" | "corrupt"; table?: CommittedTable },
  fileCheck: TableFileCheck = "hash",
): Promise<CommittedIndexCheck> {
  const named = commitOfManifest(manifest);
  const recorded = catalogRead.table;
  const damage: string[] = [];
  const atNamed = (files: CommittedTable["files"]): CommittedTable | undefined =>
    named.version === undefined ? undefined : { version: named.version, ...(named.generation ? { generation: named.generation } : {}), ...(files ? { files } : {}) };
  let committed: CommittedTable | undefined;
  let expectedRows: number | null = manifest.lastRun.entitiesStored;
  if (catalogRead.state !== "loaded" || !recorded) committed = atNamed(undefined);
  else if (sameCommit(named, recorded)) {
    committed = recorded;
    expectedRows = catalogRowCount(catalogRead.catalog);
  } else if (recorded.previous && sameCommit(named, recorded.previous)) committed = atNamed(recorded.files);
  else {
    damage.push(
      `the manifest names table version ${describeCommit(named)} but the catalog was committed with version ${describeCommit(recorded)} ` +
        "(a manifest or catalog from another run, or edited)",
    );
    committed = atNamed(recorded.files);
    expectedRows = null;
  }
  const inspection = await inspectEntityTable(db, indexDir, committed, manifest.dimension, fileCheck);
  const version = committed?.version ?? "latest";
  if (!inspection.exists) damage.push("the entity table is missing");
  else if (inspection.unreadable !== null) damage.push(`the entity table cannot be read at version ${version} (${inspection.unreadable})`);
  if (inspection.alteredFiles.length > 0) {
    damage.push(`${inspection.alteredFiles.length} file(s) of the entity table changed after they were written: ${inspection.alteredFiles.slice(0, 3).join(", ")}`);
  }
  if (inspection.rows !== null && expectedRows !== null && inspection.rows !== expectedRows) {
    damage.push(`the entity table holds ${inspection.rows} rows at version ${version}, the commit recorded ${expectedRows}`);
  }
  damage.push(...inspection.brokenIndexes.map((b) => `search index broken: ${b}`));
  return { committed, inspection, damage, catalogUnreadable: catalogRead.state === "corrupt" };
}

function describeCommit(commit: CommitId): string {
  return `${commit.version ?? "(none)"}${commit.generation ? ` (commit ${commit.generation.slice(0, 8)})` : ""}`;
}
