import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Whether `location` is an index LanceDB reaches over the network rather than a folder:
 * a URI with a scheme (`s3://`, `gs://`, `az://`, `db://` for LanceDB Cloud, …) other than `file://`.
 */
export function isRemoteLocation(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^file:\/\//i.test(location);
}

/**
 * `--db` as the pipeline uses it: a remote URI unchanged (trailing slashes removed), a `file://`
 * URI or a path made absolute against `cwd`.
 */
export function resolveIndexLocation(location: string, cwd: string = process.cwd()): string {
  if (isRemoteLocation(location)) return location.replace(/\/+$/, "");
  return path.resolve(cwd, /^file:\/\//i.test(location) ? fileURLToPath(location) : location);
}

/** Where an index keeps its files other than LanceDB tables and the manifest. */
export interface IndexPaths {
  /** Folder of `catalog.json` and `index.lock`. */
  stateDir: string;
  /** Folder holding the embedding cache (`embedding-cache/`). */
  cacheDir: string;
}

/**
 * The local folders of the index at `location` (resolved): for a folder index, the folder itself
 * (the cache moves to `cacheDir` when given); for a remote index, `cacheDir` or a per-user folder
 * `$XDG_CACHE_HOME/codesearch/indexes/<id>` (else `~/.cache/…`; `<id>` = 16 hex digits of the
 * SHA-256 of `location`) holding catalog, lock and cache, which never go to object storage.
 */
export function indexPathsOf(location: string, cacheDir?: string, env: NodeJS.ProcessEnv = process.env): IndexPaths {
  if (!isRemoteLocation(location)) return { stateDir: location, cacheDir: cacheDir ?? location };
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  const stateDir = cacheDir ?? path.join(base, "codesearch", "indexes", createHash("sha256").update(location).digest("hex").slice(0, 16));
  return { stateDir, cacheDir: stateDir };
}

/**
 * Creates folder `dir` and its missing parents. Node's recursive `mkdir` reports a read-only file
 * system as ENOENT; when it fails that way, the first missing folder is created on its own so the
 * error thrown carries the real cause (EROFS, EACCES, ENOSPC).
 * @throws the errno error of the folder that could not be created.
 */
export async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    let missing = path.resolve(dir);
    while (!existsSync(path.dirname(missing)) && path.dirname(missing) !== missing) missing = path.dirname(missing);
    await mkdir(missing);
    throw error;
  }
}
