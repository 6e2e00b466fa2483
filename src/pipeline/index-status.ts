import { createHash } from "node:crypto";
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { discoverFiles, shebangLanguage } from "../discover/index.js";
import { IndexNotFoundError } from "../model/errors.js";
import type { SourceFile } from "../model/types.js";
import {
  catalogIndexedFileCount,
  defaultIndexDir,
  findIndexUpwards,
  indexPathsOf,
  checkCommittedIndex,
  isRemoteLocation,
  openDatabase,
  readCatalog,
  readLockHolder,
  readManifestRecord,
  readWatchRecord,
  requireManifest,
  resolveIndexLocation,
} from "../store/index.js";
import type { CatalogEntry, FileCatalog, IndexManifest, LockHolder, ManifestFusion, WatchRecord } from "../store/index.js";
import { languageForPath } from "../lang/index.js";
import { uncalibrated } from "./calibrate-fusion.js";
import { planIndex } from "./plan-index.js";
import { checkLatestCommit } from "./latest-commit-check.js";

/** Files and entities of one language in an index. */
export interface LanguageCount {
  /** Language id (`python`, `go`…), or `other` for a cataloged path no language claims any more. */
  language: string;
  files: number;
  entities: number;
}

/**
 * Indexed (not skipped) files of the catalog and their entities, per language; most entities first,
 * then by id. A file's language is the one its path names, else the one its `#!` line names (an
 * extensionless script, as indexing judged it), else `other` (e.g. a script gone from disk).
 */
async function countByLanguage(catalog: FileCatalog, repoRoot: string): Promise<LanguageCount[]> {
  const counts = new Map<string, LanguageCount>();
  for (const [file, entry] of catalog) {
    if (entry.skipped) continue;
    const language = languageForPath(file)?.id ?? (await shebangLanguage(path.join(repoRoot, file)))?.id ?? "other";
    const count = counts.get(language) ?? { language, files: 0, entities: 0 };
    count.files++;
    count.entities += entry.chunkHashes.length;
    counts.set(language, count);
  }
  return [...counts.values()].sort((a, b) => b.entities - a.entities || (a.language < b.language ? -1 : 1));
}

/** What `codesearch status` reports about one index. */
export interface IndexStatus {
  /**
   * `complete`: the index holds what its runs stored (see `lastRun` for a partial last run);
   * `started`: its first run recorded the model but stopped (or is still going) before storing anything.
   */
  state: "complete" | "started";
  repoRoot: string;
  indexDir: string;
  modelId: string;
  /** Vector length; null while nothing is stored. */
  dimension: number | null;
  maxTokens: number;
  /** Files whose entities are in the table. */
  filesIndexed: number;
  /** Rows in the entity table at the committed version (0 when it cannot be read). */
  entitiesIndexed: number;
  /** Indexed files and entities per language (ids of src/lang/), from the catalog, most entities first; empty before the first run. */
  languages: LanguageCount[];
  /** The entity table version searches read (the last completed run's), when recorded. */
  tableVersion: number | null;
  /**
   * Damage found by the check every search session and `index` run makes (`checkCommittedIndex`:
   * the manifest and catalog naming different commits, files changed after they were written
   * (hashed), the committed version unreadable, rows that differ from the commit's record, search
   * indexes that do not answer), and an unreadable catalog; each line says what. Empty when sound. `codesearch index` repairs it.
   */
  damage: string[];
  /**
   * Differences between the disk and the index, by size and mtime; a file whose mtime moved but
   * whose size did not is read and counts as changed only when its content hash differs.
   */
  stale: {
    filesAdded: number;
    filesChanged: number;
    filesRemoved: number;
    /** Indexed entities of changed and removed files. */
    entities: number;
    /** Up to 20 stale paths, added / changed / removed first to last. */
    examples: string[];
  };
  /** Problems recorded for indexed files, from the runs that indexed them. */
  failed: {
    files: number;
    /** Entities that could not be embedded. */
    entities: number;
    failures: (CatalogEntry["failures"][number] & { path: string })[];
  };
  /** Bytes under the index folder (table, cache, catalog, manifest); for a remote index, of its local state folder only. */
  indexSizeBytes: number;
  /** The last finished run; null when the first run is still going or was killed. */
  lastRun: IndexManifest["lastRun"] | null;
  /**
   * Hybrid mode's fusion: the weights searches use and how they were chosen. An index written
   * before calibration existed reports the uncalibrated default, with a note.
   */
  fusion: ManifestFusion;
  /** The `index` run holding the lock right now, if any. */
  runningIndex: LockHolder | null;
  /**
   * The watcher following this index (`codesearch watch`, `mcp --watch`), if one runs: its process
   * and its latest state — `phase` (`idle` = watching, `pending` = changes wait since
   * `pendingSince`, `refreshing`, `failed` with `watcherError`), `fresh`, the last refresh — as of
   * `updatedAt`. Null when none runs (a record left by a killed watcher is ignored).
   */
  watcher: WatchRecord | null;
}

/**
 * Reads the index's manifest, catalog and table and compares the catalog with the files on disk
 * (stat, and a hash of the files whose mtime alone moved), and checks the table at its committed
 * version as a search would (see `checkCommittedIndex`: every recorded file of the table hashed,
 * rows, search indexes answering). Read-only:
 * takes no lock and writes nothing. An index whose first run stopped before storing anything is
 * reported as `started`, with what that run recorded.
 * @throws IndexNotFoundError; StoreError when the index cannot be read.
 */
export async function readIndexStatus(options: { cwd: string; repoRoot?: string; indexDir?: string }): Promise<IndexStatus> {
  const located = options.indexDir
    ? { indexDir: resolveIndexLocation(options.indexDir, options.cwd), repoRoot: null }
    : options.repoRoot
      ? { indexDir: defaultIndexDir(path.resolve(options.cwd, options.repoRoot)), repoRoot: path.resolve(options.cwd, options.repoRoot) }
      : findIndexUpwards(options.cwd);
  if (!located) throw new IndexNotFoundError(`no codesearch index in ${options.cwd} or its parents; run \`codesearch index <repo>\` first, or pass a repository`);
  const record = await readManifestRecord(located.indexDir);
  if (!record) await requireManifest(located.indexDir);
  const { stateDir } = indexPathsOf(located.indexDir);
  if (record?.state === "started") {
    const started = record.manifest;
    const repoRoot = located.repoRoot ?? started.repoRoot;
    const discovered = await discoverFiles(repoRoot, { excludeDirs: [located.indexDir] });
    return {
      state: "started", repoRoot, indexDir: located.indexDir, modelId: started.modelId, dimension: null, maxTokens: started.maxTokens,
      filesIndexed: 0, entitiesIndexed: 0, languages: [], tableVersion: null, damage: [],
      stale: { filesAdded: discovered.files.length, filesChanged: 0, filesRemoved: 0, entities: 0, examples: discovered.files.slice(0, 20).map((f) => f.path) },
      failed: { files: 0, entities: 0, failures: [] },
      indexSizeBytes: await directorySizeBytes(isRemoteLocation(located.indexDir) ? stateDir : located.indexDir),
      lastRun: started.lastRun ?? null,
      fusion: uncalibrated("not calibrated yet: the first run stored nothing"),
      runningIndex: await readLockHolder(stateDir),
      watcher: await readWatchRecord(stateDir),
    };
  }
  const checked = await checkLatestCommit(
    located.indexDir,
    async (manifest) => {
      const catalogRead = await readCatalog(stateDir);
      const db = await openDatabase(located.indexDir);
      return { catalogRead, ...(await checkCommittedIndex(db, located.indexDir, manifest, catalogRead).finally(() => db.close())) };
    },
    (found) => found.damage,
  );
  const { manifest } = checked;
  const { inspection, damage: found, catalogUnreadable, catalogRead } = checked.found;
  const repoRoot = located.repoRoot ?? manifest.repoRoot;
  const { catalog } = catalogRead;
  const damage = catalogUnreadable ? [...found, "the catalog is unreadable"] : found;

  const discovered = await discoverFiles(repoRoot, { excludeDirs: [located.indexDir] });
  const planned = planIndex(catalog, discovered.files);
  // A copy (`cp -r`, a fresh checkout) moves every mtime: a file is changed only when its bytes are.
  const plan = { ...planned, changed: await filesWithNewContent(planned.changed, catalog) };
  const staleEntities = [...plan.changed.map((f) => f.path), ...plan.removed].reduce((n, p) => n + (catalog.get(p)?.chunkHashes.length ?? 0), 0);
  const failures = [...catalog].flatMap(([p, entry]) => entry.failures.map((f) => ({ ...f, path: p })));
  return {
    state: "complete",
    repoRoot,
    indexDir: located.indexDir,
    modelId: manifest.modelId,
    dimension: manifest.dimension,
    maxTokens: manifest.maxTokens,
    filesIndexed: catalogIndexedFileCount(catalog),
    entitiesIndexed: inspection.rows ?? 0,
    languages: await countByLanguage(catalog, repoRoot),
    tableVersion: inspection.version,
    damage,
    stale: {
      filesAdded: plan.added.length,
      filesChanged: plan.changed.length,
      filesRemoved: plan.removed.length,
      entities: staleEntities,
      examples: [...plan.added.map((f) => f.path), ...plan.changed.map((f) => f.path), ...plan.removed].slice(0, 20),
    },
    failed: {
      files: new Set(failures.map((f) => f.path)).size,
      entities: failures.filter((f) => f.stage === "embed").length,
      failures,
    },
    indexSizeBytes: await directorySizeBytes(isRemoteLocation(located.indexDir) ? stateDir : located.indexDir),
    lastRun: manifest.lastRun,
    fusion: manifest.fusion ?? uncalibrated("not calibrated: the index predates calibration; run `codesearch index` to calibrate"),
    runningIndex: await readLockHolder(stateDir),
    watcher: await readWatchRecord(stateDir),
  };
}

/**
 * The files of `changed` (size or mtime differ from the catalog's) whose bytes differ too: a file
 * of the catalog's size is read and its SHA-256 compared with the recorded content hash (the hash
 * `readSource` records); one of another size, or without a recorded hash, is changed unread.
 */
async function filesWithNewContent(changed: readonly SourceFile[], catalog: ReadonlyMap<string, CatalogEntry>): Promise<SourceFile[]> {
  const result: SourceFile[] = [];
  for (const file of changed) {
    const entry = catalog.get(file.path);
    if (!entry || entry.contentHash === "" || entry.sizeBytes !== file.sizeBytes) {
      result.push(file);
      continue;
    }
    const bytes = await readFile(file.absPath).catch(() => null);
    if (bytes === null || createHash("sha256").update(bytes).digest("hex") !== entry.contentHash) result.push(file);
  }
  return result;
}

/** Sum of file sizes under `dir`, recursively (symlinks not followed); 0 when `dir` does not exist. */
async function directorySizeBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  for (const entry of entries) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
