import { existsSync } from "node:fs";
import path from "node:path";
import { MANIFEST_FILE } from "./index-manifest.js";

/** Name of the index folder created inside a repository unless `--db` says otherwise. */
export const INDEX_DIR_NAME = ".codesearch";

/** The default index folder of `repoRoot`: `<repoRoot>/.codesearch`. */
export function defaultIndexDir(repoRoot: string): string {
  return path.join(path.resolve(repoRoot), INDEX_DIR_NAME);
}

/**
 * Looks for `<dir>/.codesearch/manifest.json` in `startDir` and each parent up to the filesystem root.
 * @returns the absolute repository root and index folder of the nearest index, or null.
 */
export function findIndexUpwards(startDir: string): { repoRoot: string; indexDir: string } | null {
  let dir = path.resolve(startDir);
  for (;;) {
    const indexDir = path.join(dir, INDEX_DIR_NAME);
    if (existsSync(path.join(indexDir, MANIFEST_FILE))) return { repoRoot: dir, indexDir };
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
