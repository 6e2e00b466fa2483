/**
 * The embedding cache as an index run uses it: opened (read-only for a dry run) and, after the
 * run, compacted once unused entries dominate. Errors become `StoreError`s naming the folder.
 */
import { existsSync } from "node:fs";
import { EmbeddingCache, embeddingCacheKey } from "../embed/index.js";
import { StoreError, describeError } from "../model/errors.js";
import type { FileCatalog } from "../store/index.js";

/**
 * Opens the embedding cache in `dir`; a dry run opens it only if it exists, and read-only (it never
 * creates or repairs files). Returns null for a dry run without a cache.
 * @throws StoreError when the cache cannot be opened.
 */
export async function openCache(dir: string, dryRun: boolean): Promise<Awaited<ReturnType<typeof EmbeddingCache.open>> | null> {
  if (dryRun && !existsSync(dir)) return null;
  try {
    return await EmbeddingCache.open(dir, { readOnly: dryRun });
  } catch (error) {
    throw new StoreError(`cannot open the embedding cache ${dir}: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Drops this model's cache entries that neither an entity in `catalog` nor this run uses, once they
 * outnumber the used ones (and exceed 1,000); rewrites the cache files in place. `runKeys` are the
 * cache keys of the vectors this run holds for files it did not store (a run stopped early, or
 * files left pending): they are kept, so the next run resumes without embedding them again.
 * @throws StoreError when compacting fails.
 */
export async function compactCache(cache: EmbeddingCache, catalog: FileCatalog, modelId: string, maxTokens: number, runKeys: Iterable<string>): Promise<void> {
  const count = cache.countForModel(modelId);
  const due = (liveCount: number) => count - liveCount > Math.max(1000, liveCount);
  const live = new Set<string>(runKeys);
  // The distinct content hashes are a lower bound of the live keys (one key per hash) found without
  // hashing: when even they leave too few dead entries, the 10,000 SHA-256 keys of a 10k-entity
  // index are not computed on every refresh (~56 ms of a watcher's refresh, docs/speed.md).
  const hashes = new Set<string>();
  for (const entry of catalog.values()) for (const hash of entry.chunkHashes) hashes.add(hash);
  if (!due(Math.max(hashes.size, live.size))) return;
  for (const hash of hashes) live.add(embeddingCacheKey(modelId, maxTokens, hash));
  if (!due(live.size)) return;
  try {
    await cache.compact(modelId, (key) => live.has(key));
  } catch (error) {
    throw new StoreError(`cannot compact the embedding cache in ${cache.dir}: ${describeError(error)}`, { cause: error });
  }
}
