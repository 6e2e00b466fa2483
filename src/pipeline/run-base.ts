/**
 * The first step of an index run: what the run starts from (the manifest and catalog it builds
 * on, the model's token limit, the table's health) and whether it must rebuild everything.
 */
import { existsSync } from "node:fs";
import type * as lancedb from "@lancedb/lancedb";
import { embedderIdOf, type EmbedderSource } from "../embed/index.js";
import { InterruptedError } from "../model/errors.js";
import {
  assertSameModel,
  indexPathsOf,
  isRemoteLocation,
  openDatabase,
  readCatalog,
  SCHEMA_VERSION,
  writeManifest,
  type CommittedTable,
  type FileCatalog,
  type IndexManifest,
  type ManifestRecord,
  type StartedManifest,
} from "../store/index.js";
import { manifestEmbedderOf } from "./embedder-source.js";
import { DEFAULT_MAX_TOKENS, type RunOptions } from "./index-repo-options.js";
import { manifestProblem, readCatalogModel } from "./index-records.js";
import { inspectTableBase, restoreCommittedVersion, type TableBase } from "./table-commit.js";

/** What an index run builds on, decided before it reads any source file ({@link prepareRun}). */
export interface RunBase {
  /** Epoch ms the run began. */
  startedAt: number;
  /** The completed manifest as read under the lock, or null. */
  manifestBefore: IndexManifest | null;
  /** The manifest this run builds on: `manifestBefore`, unless `--rebuild` changes the model (then null). */
  manifest: IndexManifest | null;
  modelId: string;
  /** Tokens per entity text: `--max-tokens`, else what the index, its start record or its catalog recorded, else the default. */
  maxTokens: number;
  dryRun: boolean;
  /** The index's LanceDB connection, or null when the index folder does not exist yet. */
  db: lancedb.Connection | null;
  /** The catalog the run updates (emptied when everything is rebuilt). */
  catalog: FileCatalog;
  /** The table version and files the catalog committed, when it records them. */
  committed: CommittedTable | undefined;
  /** The table's health and the cleanup cutoff (`inspectTableBase`). */
  table: TableBase;
  /** The record a new index writes before anything else (null when the index exists, and for a dry run). */
  startRecord: StartedManifest | null;
  /** Why every file is read again and the table written anew, or null for an incremental run. */
  fullRebuildReason: string | null;
  /** Whether the run drops the table and writes it anew. */
  dropTable: boolean;
  stateDir: string;
  cacheDir: string;
}

/**
 * Reads what the run builds on, records a new index's start (so a run stopped before its first
 * store resumes with the same model and token limit), decides whether everything is rebuilt (a
 * changed model, no usable manifest, an unreadable catalog, `--repair`, `--rebuild`, or a table
 * that does not match its catalog), and sets aside versions a killed run left after the committed one.
 * @throws IndexMismatchError when the index holds another model (and no rebuild asked for it);
 *   InterruptedError when stopped before anything changed; StoreError.
 */
export async function prepareRun(options: RunOptions, recordBefore: ManifestRecord | null, source: EmbedderSource): Promise<RunBase> {
  const startedAt = Date.now();
  const manifestBefore = recordBefore?.state === "complete" ? recordBefore.manifest : null;
  const startedBefore = recordBefore?.state === "started" ? recordBefore.manifest : null;
  const { repoRoot, indexDir } = options;
  const { stateDir, cacheDir } = indexPathsOf(indexDir, options.cacheDir);
  const modelId = embedderIdOf(source);
  const dryRun = options.dryRun ?? false;
  const manifest = manifestBefore && (options.rebuild ? manifestBefore.modelId === modelId : true) ? manifestBefore : null;
  if (manifest) assertSameModel(manifest, modelId);
  const catalogModel = manifest ? undefined : await readCatalogModel(indexDir, options.cacheDir);
  const sameStart = startedBefore && startedBefore.modelId === modelId ? startedBefore : null;
  const maxTokens =
    options.maxTokens ?? manifest?.maxTokens ?? sameStart?.maxTokens ?? (catalogModel?.modelId === modelId ? catalogModel.maxTokens : undefined) ?? DEFAULT_MAX_TOKENS;
  options.emit({ type: "run-started", startedAt: options.clock.startedAt, repoRoot, indexDir, modelId });

  // What the table holds at the committed version must match the catalog; otherwise rebuild every file from the cache.
  const db = isRemoteLocation(indexDir) || existsSync(indexDir) ? await openDatabase(indexDir) : null;
  const catalogRead = manifest ? await readCatalog(stateDir) : { catalog: new Map() as FileCatalog, state: "new" as const };
  const committed = "table" in catalogRead ? catalogRead.table : undefined;
  const table = await inspectTableBase(db, indexDir, { manifest, catalog: catalogRead.catalog, committed, dimension: manifest?.dimension ?? 0 });
  const tableExists = table.inspection?.exists ?? false;
  // A new index records its model, token limit and embedder before anything else, so a run
  // stopped before its first store resumes, and is searched and reported, with the same ones.
  const startRecord: StartedManifest | null =
    !dryRun && !manifestBefore && !tableExists
      ? {
          format: "codesearch-index", schemaVersion: SCHEMA_VERSION, state: "started", modelId, maxTokens, repoRoot,
          ...manifestEmbedderOf(source),
          startedAt: sameStart?.startedAt ?? new Date(startedAt).toISOString(),
        }
      : null;
  // The last moment at which nothing was changed: a stop that came before it leaves the index as it
  // was (and `indexRepo` removes a folder this run created), so no record claims a run that never began.
  if (options.signal?.aborted && !dryRun) throw new InterruptedError("interrupted before the run changed anything; nothing was written");
  if (startRecord) await writeManifest(indexDir, startRecord);
  const fullRebuildReason = await rebuildReason(options, { manifestBefore, manifest, modelId, tableExists, catalogState: catalogRead.state, table });
  const dropTable = !dryRun && db !== null && tableExists && (table.inspection?.rows === null || fullRebuildReason !== null);
  if (!dryRun && db && !dropTable) await restoreCommittedVersion(db, table);
  return {
    startedAt, manifestBefore, manifest, modelId, maxTokens, dryRun, db,
    catalog: fullRebuildReason ? new Map() : catalogRead.catalog,
    committed, table, startRecord, fullRebuildReason, dropTable, stateDir, cacheDir,
  };
}

/** Why the run rebuilds every file, or null. */
async function rebuildReason(
  options: RunOptions,
  run: { manifestBefore: IndexManifest | null; manifest: IndexManifest | null; modelId: string; tableExists: boolean; catalogState: string; table: TableBase },
): Promise<string | null> {
  if (run.manifestBefore && !run.manifest) return `re-indexing with model ${run.modelId}`;
  // Without --rebuild a damaged manifest or one of another schema version is refused before this point, so a table
  // without a manifest is what a first run leaves when it is stopped (kill, crash, full disk) before its end.
  if (!run.manifest && run.tableExists) {
    return options.rebuild
      ? `the index had no usable manifest (${(await manifestProblem(options.indexDir)) ?? "another schema version"})`
      : "an earlier run stopped before it recorded the index (no manifest yet)";
  }
  if (run.catalogState === "corrupt") return "the catalog was unreadable";
  if (options.repair) return "a repair was asked for";
  if (options.rebuild) return "--rebuild asked for a full re-index";
  return run.table.fullRebuildReason;
}
