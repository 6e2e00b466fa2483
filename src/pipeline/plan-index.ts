import type { SourceFile } from "../model/types.js";
import { languageForPath } from "../lang/index.js";
import { REFERENCES_IN_SIDECAR, type CatalogEntry, type FileCatalog } from "../store/index.js";

/**
 * What an index run has to do, decided from file stats alone (no file is read):
 * `added` and `changed` files are read and hashed, `unchanged` ones are left as indexed,
 * `removed` paths lose their rows. Each list is in discovery order (sorted by path).
 */
export interface IndexPlan {
  /** Discovered, not in the catalog. */
  added: SourceFile[];
  /** In the catalog with another size or mtime (or recorded failures, with `retryFailed`). */
  changed: SourceFile[];
  /** In the catalog with the same size and mtime. */
  unchanged: SourceFile[];
  /** In the catalog, no longer discovered (deleted, renamed, ignored, too large). */
  removed: string[];
}

/**
 * Compares discovered files with the catalog (pure). A file counts as unchanged when its size in
 * bytes and its mtime in ms both equal the catalog's; a changed file whose content hash turns out
 * equal is settled later, when it is read. With `retryFailed`, files that recorded failures are
 * treated as changed so their failed entities are attempted again (the rest are cache hits). A
 * file read and parsed before reference sites were recorded (an entry without `references`)
 * counts as changed once, so the next run records them.
 */
export function planIndex(catalog: FileCatalog, files: readonly SourceFile[], options: { retryFailed?: boolean } = {}): IndexPlan {
  const plan: IndexPlan = { added: [], changed: [], unchanged: [], removed: [] };
  const seen = new Set<string>();
  for (const file of files) {
    seen.add(file.path);
    const entry = catalog.get(file.path);
    if (!entry) plan.added.push(file);
    else if (entry.sizeBytes !== file.sizeBytes || entry.mtimeMs !== file.mtimeMs) plan.changed.push(file);
    else if (options.retryFailed && entry.failures.length > 0) plan.changed.push(file);
    // Indexed before reference sites were recorded: read again (its vectors come from the cache).
    else if (lacksReferences(file.path, entry)) plan.changed.push(file);
    else plan.unchanged.push(file);
  }
  for (const path of catalog.keys()) if (!seen.has(path)) plan.removed.push(path);
  plan.removed.sort();
  return plan;
}

/**
 * Whether a file's catalog entry was written before its language's references were recorded: no
 * record at all, or (for a file with entities) an empty record without `rules`, as runs before a
 * language had reference rules wrote. Such a file is read again once (its vectors come from the
 * cache); a record written by the current rules (`rules`, or held in the references file) is
 * recorded even when empty, so a file that names nothing is not read again. Pure.
 */
export function lacksReferences(path: string, entry: CatalogEntry): boolean {
  if (entry.contentHash === "" || entry.skipped) return false;
  const record = entry.references;
  if (record === undefined) return true;
  // Held in the references file (read without it, or written by these rules): recorded.
  if (record === REFERENCES_IN_SIDECAR || record.rules !== undefined) return false;
  return entry.chunkHashes.length > 0 && record.sites.length === 0 && record.imports.length === 0 && languageForPath(path)?.references !== undefined;
}
