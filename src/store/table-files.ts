import { createHash } from "node:crypto";
import { open, readdir, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { StoreError, describeError } from "../model/errors.js";
import { isRemoteLocation } from "./index-location.js";
import { ENTITY_TABLE } from "./table-snapshot.js";

/** What was recorded of one file of the table folder when a run committed. */
export interface TableFileRecord {
  sizeBytes: number;
  mtimeMs: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** Path relative to the table folder (POSIX, e.g. `data/…lance`) → {@link TableFileRecord}. */
export type TableFiles = Record<string, TableFileRecord>;

/** The entity table's folder in a local index folder. */
export function entityTableDir(indexDir: string): string {
  return path.join(indexDir, `${ENTITY_TABLE}.lance`);
}

/**
 * Records every file of the entity table's folder (data, deletion, index, version and transaction
 * files; not LanceDB's latest-version hint, which every write rewrites) with its size, mtime and SHA-256, as written by a run that is about to commit. LanceDB
 * never rewrites a file once written (every change writes new files), so a file of `previous`
 * with the same name, size and mtime is not hashed again: a run hashes only what it wrote.
 * @returns null for a remote index (its files are not local).
 * @throws StoreError when the folder cannot be read.
 */
export async function recordTableFiles(indexDir: string, previous: TableFiles = {}): Promise<TableFiles | null> {
  if (isRemoteLocation(indexDir)) return null;
  const root = entityTableDir(indexDir);
  const files: TableFiles = {};
  try {
    const limit = pLimit(FILE_CHECKS_AT_ONCE);
    const relatives = await listFiles(root);
    const records = await Promise.all(
      relatives.map((relative) =>
        limit(async (): Promise<TableFileRecord> => {
          const stats = await stat(path.join(root, relative));
          const known = previous[relative];
          return known && known.sizeBytes === stats.size && known.mtimeMs === stats.mtimeMs
            ? known
            : { sizeBytes: stats.size, mtimeMs: stats.mtimeMs, sha256: await sha256Of(path.join(root, relative)) };
        }),
      ),
    );
    relatives.forEach((relative, i) => (files[relative] = records[i]!));
  } catch (error) {
    throw new StoreError(`cannot read the entity table's files in ${root}: ${describeError(error)}`, { cause: error });
  }
  return files;
}

/**
 * Removes the empty folders under the entity table's `_indices/`: LanceDB's cleanup of old
 * versions deletes their index files but leaves each index's folder, so a watcher that rebuilt the
 * three full-text indexes at every refresh left three more empty folders per refresh, which every
 * listing of the table folder then walked. Call it with the writer lock held, after a cleanup and
 * before the next LanceDB write; a folder that is not empty (or already gone) is left alone.
 * @returns how many folders were removed; 0 for a remote index.
 * @throws StoreError when `_indices/` exists but cannot be listed.
 */
export async function removeEmptyIndexFolders(indexDir: string): Promise<number> {
  if (isRemoteLocation(indexDir)) return 0;
  const root = path.join(entityTableDir(indexDir), "_indices");
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw new StoreError(`cannot list ${root}: ${describeError(error)}`, { cause: error });
  }
  let removed = 0;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    // rmdir removes only an empty folder: ENOTEMPTY (a live index) and ENOENT are expected.
    await rmdir(path.join(root, entry.name)).then(
      () => void removed++,
      () => undefined,
    );
  }
  return removed;
}

/** How {@link findAlteredTableFiles} checks: `stat` (size and mtime; a file with another mtime is hashed) or `hash` (every file hashed). */
export type TableFileCheck = "stat" | "hash";

/**
 * The recorded files of the table folder whose bytes changed since they were recorded: another
 * size, or another SHA-256 (computed when the mtime differs, or for every file with `hash`).
 * A file that is gone is not reported here — LanceDB removes old versions' files, and a missing
 * file the committed version needs makes every read of it fail loudly.
 * @returns repository-independent relative paths, sorted; empty for a remote index.
 * @throws StoreError when a file exists but cannot be read.
 */
export async function findAlteredTableFiles(indexDir: string, recorded: TableFiles, check: TableFileCheck = "stat"): Promise<string[]> {
  if (isRemoteLocation(indexDir)) return [];
  const root = entityTableDir(indexDir);
  const limit = pLimit(FILE_CHECKS_AT_ONCE);
  const checks = Object.entries(recorded).map(([relative, record]) =>
    limit(async (): Promise<string | null> => {
      const file = path.join(root, relative);
      try {
        const stats = await stat(file);
        if (stats.size !== record.sizeBytes) return relative;
        if ((check === "hash" || stats.mtimeMs !== record.mtimeMs) && (await sha256Of(file)) !== record.sha256) return relative;
        return null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw new StoreError(`cannot read ${file}: ${describeError(error)}`, { cause: error });
      }
    }),
  );
  return (await Promise.all(checks)).filter((relative): relative is string => relative !== null).sort();
}

/**
 * Table files stat-ed and hashed at a time: libuv's default thread pool has 4 threads, and a table
 * folder holds hundreds of small files, which one at a time waited on each other's round trips.
 */
const FILE_CHECKS_AT_ONCE = 8;

/** LanceDB's one mutable file: a pointer to the latest version, rewritten by every commit (not part of any version). */
const LATEST_VERSION_HINT = "_versions/latest_version_hint.json";

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .filter((relative) => relative !== LATEST_VERSION_HINT)
    .sort();
}

/**
 * Bytes read per step when hashing a table file. Every search session hashes the whole table folder
 * (checkCommittedIndex); reading it in 4 MiB steps took 45 ms for a 33 MiB folder where a read
 * stream's 64 KiB steps took 60–300 ms on the same loaded machine (issue 19, BENCHMARKS.md).
 */
const HASH_STEP_BYTES = 4 * 2 ** 20;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await open(file, "r");
  try {
    // Sized to the file: a table folder is mostly files of a few hundred bytes, and a 4 MiB buffer
    // for each of them made every check allocate (and the allocator keep) gigabytes over a watch session.
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(HASH_STEP_BYTES, size)));
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}
