/**
 * pipeline/ is the only place the stages meet: discover → plan → read/extract → cache → embed → store.
 * It must not import Ink/React or print; it reports through typed events and returns values.
 * This file is the entry of an index run: it resolves the index and model, takes the writer lock,
 * runs `runIndex`, and removes a folder it created when the run stored nothing.
 */
import { existsSync } from "node:fs";
import { readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { EMBEDDING_CACHE_DIR, embedderIdOf } from "../embed/index.js";
import { StoreError, UsageError, describeError } from "../model/errors.js";
import { createRunEmitter, startRunClock } from "../model/events.js";
import type { IndexSummary } from "../model/types.js";
import {
  acquireIndexLock,
  assertSameModel,
  ENTITY_TABLE,
  indexPathsOf,
  isRemoteLocation,
  makeFolder,
  readRecordedModelId,
  resolveIndexLocation,
  sweepScratch,
  type IndexLock,
  type IndexPaths,
} from "../store/index.js";
import { chooseEmbedderSource } from "./embedder-source.js";
import { assertModelLoadable } from "./load-embedder.js";
import type { IndexRepoOptions, RunOptions } from "./index-repo-options.js";
import { readCatalogModel, readUsableManifest } from "./index-records.js";
import { runIndex } from "./run-index.js";

export { DEFAULT_MAX_TOKENS, type IndexRepoOptions } from "./index-repo-options.js";

/**
 * Brings the index of `repoRoot` up to date with the files on disk. Files with unchanged size and
 * mtime are not read; changed files are hashed and re-parsed; only entities whose prepared text is
 * not in the embedding cache are embedded, and the model is loaded only if there are any. Rows of
 * changed, removed and skipped files are replaced in LanceDB, so the table ends equal to what a
 * from-scratch index of the current tree would hold.
 *
 * Writes, in order: the embedding cache (checkpoints while embedding), the LanceDB table (delete by
 * path, add, compact), the cache again, `catalog.json`, then `manifest.json`; a run that finds
 * nothing to read, delete or repair opens neither the cache nor the table's commit and writes only
 * `manifest.json` (same commit, this run's record). A file's rows and
 * catalog entry change only when all its entities were resolved (embedded or failed), so a run
 * stopped early or killed never records work it did not store. Holds `index.lock` throughout.
 *
 * @throws UsageError when `repoRoot` is not a directory (nothing is created); IndexLockedError;
 *   InterruptedError when `signal` aborted before the run changed anything (a folder it created is
 *   removed; an abort after that point ends the run early with `stopReason` `interrupted`);
 *   IndexMismatchError when the index was built with another model and `rebuild` is not set;
 *   ModelLoadError; StoreError; NothingIndexedError when the index would hold no entity (the
 *   table is left as it was).
 */
export async function indexRepo(options: IndexRepoOptions): Promise<IndexSummary> {
  const repoRoot = path.resolve(options.repoRoot);
  const indexDir = resolveIndexLocation(options.indexDir);
  const paths = indexPathsOf(indexDir, options.cacheDir);
  await assertDirectory(repoRoot);
  const record = await readUsableManifest(indexDir, options.rebuild ?? false);
  const manifest = record?.state === "complete" ? record.manifest : null;
  const started = record?.state === "started" ? record.manifest : null;
  const recordedModel = manifest?.modelId ?? (options.rebuild ? ((await readRecordedModelId(indexDir)) ?? (await readCatalogModel(indexDir, options.cacheDir))?.modelId ?? null) : null);
  const source = chooseEmbedderSource(options, manifest ?? started, options.cwd, recordedModel);
  const modelId = embedderIdOf(source);
  if (manifest && !options.rebuild) assertSameModel(manifest, modelId);
  // A first index embeds (nearly) everything: a missing model fails now, not after every file is parsed.
  if (!manifest && !options.dryRun) assertModelLoadable(options, source);
  const clock = startRunClock();
  const run: RunOptions = { ...options, repoRoot, indexDir, clock, emit: createRunEmitter(options.sink, clock) };
  if (options.dryRun) return runIndex(run, record, source);

  const createdIndexDir = !isRemoteLocation(indexDir) && !existsSync(indexDir);
  await prepareIndexDir(indexDir, paths);
  let lock: IndexLock | undefined;
  try {
    lock = await acquireIndexLock(paths.stateDir, {
      wait: options.waitForLock ?? false,
      onWait: (holder) => run.emit({ type: "lock-waiting", holderPid: holder.pid, holderStartedAt: holder.startedAt }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // What killed runs and watchers left (scratch folders, temp files) goes, now that no other run writes.
    await sweepScratch(paths.stateDir, path.join(paths.cacheDir, EMBEDDING_CACHE_DIR));
    // Another run may have finished while we waited: read its manifest again.
    return await runIndex(run, await readUsableManifest(indexDir, options.rebuild ?? false), source);
  } catch (error) {
    // A first run that failed before it stored or cached anything (no model, a refused key, no
    // source files) leaves no half-made index folder behind.
    if (createdIndexDir && (await holdsNothing(indexDir, paths.cacheDir))) {
      await lock?.release();
      lock = undefined;
      await rm(indexDir, { recursive: true, force: true });
    }
    throw error;
  } finally {
    await lock?.release();
  }
}

/** True when `indexDir` has no entity table and the embedding cache under `cacheDir` holds no vector (`vectors-<gen>.f32` files all empty). */
async function holdsNothing(indexDir: string, cacheDir: string): Promise<boolean> {
  if (existsSync(path.join(indexDir, `${ENTITY_TABLE}.lance`))) return false;
  const cacheFiles = await readdir(path.join(cacheDir, EMBEDDING_CACHE_DIR), { withFileTypes: true }).catch(() => []);
  for (const entry of cacheFiles) {
    if (entry.isFile() && entry.name.endsWith(".f32") && (await stat(path.join(entry.parentPath, entry.name))).size > 0) return false;
  }
  return true;
}

async function assertDirectory(dir: string): Promise<void> {
  const stats = await stat(dir).catch((error: unknown) => {
    throw new UsageError(`cannot index ${dir}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : describeError(error)}`, { cause: error });
  });
  if (!stats.isDirectory()) throw new UsageError(`cannot index ${dir}: not a directory`);
}

/**
 * Creates the local folders of the index: a folder index gets a `.gitignore` of `*`, so it is
 * never committed by accident; a remote one only its local state folder.
 */
async function prepareIndexDir(indexDir: string, paths: IndexPaths): Promise<void> {
  try {
    await makeFolder(paths.cacheDir);
    await makeFolder(paths.stateDir);
    if (isRemoteLocation(indexDir)) return;
    const gitignore = path.join(indexDir, ".gitignore");
    if (!existsSync(gitignore)) await writeFile(gitignore, "# written by codesearch: the index is local data\n*\n");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint =
      code === "EROFS" ? " (a read-only file system; keep the index elsewhere with --db <folder>)"
      : code === "EACCES" || code === "EPERM" ? " (no permission to write there; keep the index elsewhere with --db <folder>)"
      : "";
    throw new StoreError(`cannot create the index folder ${indexDir}: ${describeError(error)}${hint}`, { cause: error });
  }
}
