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
  const live = new Set<string>(runKeys);
  for (const entry of catalog.values()) for (const hash of entry.chunkHashes) live.add(embeddingCacheKey(modelId, maxTokens, hash));
  const dead = cache.countForModel(modelId) - live.size;
  if (dead <= Math.max(1000, live.size)) return;
  try {
    await cache.compact(modelId, (key) => live.has(key));
  } catch (error) {
    throw new StoreError(`cannot compact the embedding cache in ${cache.dir}: ${describeError(error)}`, { cause: error });
  }
}
