import { randomUUID } from "node:crypto";
import type * as lancedb from "@lancedb/lancedb";
import { StoreError } from "../model/errors.js";
import {
  catalogRowCount,
  findBrokenSearchIndexes,
  inspectEntityTable,
  openDatabase,
  openEntityTable,
  recordTableFiles,
  restoreVersion,
  readVersionCleanupCutoff,
  versionsReadersMayHold,
  writeCatalog,
  type CatalogModel,
  type CommitId,
  type CommittedTable,
  type EntityTableInspection,
  type FileCatalog,
  type IndexManifest,
} from "../store/index.js";

/** What a writer learns about the table before it writes, and what it must do about it. */
export interface TableBase {
  inspection: EntityTableInspection | null;
  /** Why every file is re-read and the table rebuilt from the cache, or null. */
  fullRebuildReason: string | null;
  /** The full-text indexes are damaged but the rows are sound: rebuild only them. */
  repairFullText: boolean;
  /** `cleanupOlderThan` for this run's `optimize()` calls: keeps every version readers may be on (see version-retention.ts). */
  keepVersionsFrom: Date;
}

/**
 * Checks the table a run is about to update against the catalog (which records the committed
 * version, see file-catalog.ts) and decides how to proceed: rebuild everything from the embedding
 * cache when the table is missing, unreadable at the committed version, holds another number of
 * rows than the catalog, a file of it changed since it was written (hashed), or its vector index (or the
 * index list) is broken; rebuild only the full-text indexes when just those are broken. Reads only.
 */
export async function inspectTableBase(
  db: lancedb.Connection | null,
  indexDir: string,
  context: { manifest: IndexManifest | null; catalog: FileCatalog; committed: CommittedTable | undefined; dimension: number },
): Promise<TableBase> {
  // Every recorded file is hashed, as searches do: bit rot that kept size and mtime is repaired here too.
  const inspection = db ? await inspectEntityTable(db, indexDir, context.committed, context.dimension, "hash") : null;
  const { manifest } = context;
  let fullRebuildReason: string | null = null;
  if (manifest && inspection && inspection.alteredFiles.length > 0) {
    const [first] = inspection.alteredFiles;
    fullRebuildReason = `${inspection.alteredFiles.length} file(s) of the entity table changed after they were written (${first}${inspection.alteredFiles.length > 1 ? ", …" : ""})`;
  } else if (manifest && (!inspection || inspection.rows === null)) {
    fullRebuildReason = `the entity table is missing or damaged${inspection?.unreadable ? ` (${inspection.unreadable})` : ""}`;
  } else if (manifest && inspection!.rows !== catalogRowCount(context.catalog)) {
    fullRebuildReason = `the entity table holds ${inspection!.rows} rows, the catalog ${catalogRowCount(context.catalog)}`;
  } else if (manifest && inspection!.brokenIndexes.some((b) => !b.startsWith("full-text"))) {
    // Only full-text indexes can be rebuilt in place; for the rest the table is written anew.
    fullRebuildReason = `a search index is damaged (${inspection!.brokenIndexes.find((b) => !b.startsWith("full-text"))})`;
  }
  const keep = inspection?.rows != null ? versionsReadersMayHold(context.committed?.version, manifest, Date.now()) : null;
  const keepVersionsFrom = db && keep ? await readVersionCleanupCutoff(db, keep) : new Date(0);
  return {
    inspection,
    fullRebuildReason,
    repairFullText: fullRebuildReason === null && (inspection?.brokenIndexes.length ?? 0) > 0,
    keepVersionsFrom,
  };
}

/**
 * Sets aside versions a killed run added after the committed one (LanceDB `restore()`), so this
 * run writes on top of what the catalog describes. Call with the lock held, before any write.
 * @throws StoreError when LanceDB fails.
 */
export async function restoreCommittedVersion(db: lancedb.Connection, base: TableBase): Promise<void> {
  const inspection = base.inspection;
  if (base.fullRebuildReason || !inspection || inspection.version === null || inspection.latestVersion === inspection.version) return;
  const table = await openEntityTable(db);
  try {
    await restoreVersion(table, inspection.version);
  } finally {
    table.close();
  }
}

/** The commit {@link commitTable} recorded: the table version and its new generation (a random UUID). */
export interface TableCommit {
  version: number;
  generation: string;
}

/**
 * Commits a run's table: checks that the latest version holds exactly the catalog's rows and that
 * every search index answers, records the table folder's files, then writes the catalog naming
 * that version and a new generation (a random UUID: a rebuild may commit a version number again,
 * never a generation), with `previousCommit` (the commit the manifest names until the caller
 * writes the new one). Only after this may the manifest name the commit for readers.
 * @returns the committed version and generation.
 * @throws StoreError when the table and the catalog disagree (nothing is committed: the next run
 *   starts again from the previous committed version), or a write fails.
 */
export async function commitTable(
  indexDir: string,
  stateDir: string,
  catalog: FileCatalog,
  context: { dimension: number; previous: CommittedTable | undefined; previousCommit?: CommitId | undefined; model?: CatalogModel },
): Promise<TableCommit> {
  const db = await openDatabase(indexDir);
  let version: number;
  try {
    const table = await openEntityTable(db);
    try {
      version = await table.version();
      const rows = await table.countRows();
      const expected = catalogRowCount(catalog);
      if (rows !== expected) throw new StoreError(`the entity table holds ${rows} rows after writing, the catalog ${expected}; nothing was committed — run \`codesearch index\` again`);
      const broken = await findBrokenSearchIndexes(table, context.dimension);
      if (broken.length > 0) throw new StoreError(`a search index does not answer after writing (${broken[0]}); nothing was committed — run \`codesearch index\` again`);
    } finally {
      table.close();
    }
  } finally {
    db.close();
  }
  const files = await recordTableFiles(indexDir, context.previous?.files ?? {});
  const generation = randomUUID();
  const before = context.previousCommit;
  const previous = before?.version !== undefined ? { version: before.version, ...(before.generation ? { generation: before.generation } : {}) } : undefined;
  await writeCatalog(stateDir, catalog, { version, generation, ...(previous ? { previous } : {}), ...(files ? { files } : {}) }, context.model);
  return { version, generation };
}
