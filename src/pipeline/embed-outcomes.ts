import { DEFAULT_BATCH_SIZE, embedChunksWith, embeddingCacheKey, isFiniteVector, type EmbeddingCache } from "../embed/index.js";
import type { Embedder } from "../embed/index.js";
import { StoreError, describeError } from "../model/errors.js";
import type { RunEventEmitter } from "../model/events.js";
import type { Chunk, IndexFailure } from "../model/types.js";
import type { FileOutcome } from "./read-planned-files.js";

/** The cache is saved after this many new vectors, or {@link CHECKPOINT_INTERVAL_MS}, whichever comes first. */
export const CHECKPOINT_VECTORS = 256;
/** Longest time between cache checkpoints while embedding, in ms. */
export const CHECKPOINT_INTERVAL_MS = 30_000;

/**
 * The run's chunks that have a vector, and those that failed to embed. Vectors stay in the
 * embedding cache and are read back when rows are written (`readVector`), so a run never holds
 * them all: at 100k entities that is ~300 MB of 3 KB allocations the allocator keeps afterwards.
 */
export interface ChunkVectors {
  /** `Chunk.id` → the embedding cache key its vector is held under. */
  vectors: Map<string, string>;
  /** Length of the vectors found (cached or embedded), once one is. */
  dimension?: number;
  failed: Set<string>;
}

/**
 * The vector of chunk `id` (a `Float32Array` of `known.dimension` values, L2-normalised), read
 * back from `cache`; undefined when the chunk has none.
 * This is the last check before a row is stored: a vector holding NaN or Infinity never reaches the table.
 * @throws StoreError when the cache no longer holds a vector it was given, or no longer verifies it
 *   (its files changed under the run), or the vector is not finite.
 */
export function readVector(known: ChunkVectors, cache: EmbeddingCache, id: string): Float32Array | undefined {
  const key = known.vectors.get(id);
  if (key === undefined) return undefined;
  const vector = cache.get(key);
  if (!vector) throw new StoreError(`the embedding cache in ${cache.dir} lost the vector of ${id} during the run`);
  if (!isFiniteVector(vector)) throw new StoreError(`the vector of ${id} holds NaN or Infinity; it was not stored`);
  return vector;
}

/** The cache misses of `outcomes`, in file order (so a capped run completes whole files first). */
export function cacheMisses(outcomes: readonly FileOutcome[], known: ChunkVectors): Chunk[] {
  return outcomes.flatMap((o) => o.chunks.filter((c) => !known.vectors.has(c.id)));
}

/** How many chunks of `outcomes` have no known vector (the length of {@link cacheMisses}, without the list). */
export function countMisses(outcomes: readonly FileOutcome[], known: ChunkVectors): number {
  return outcomes.reduce((n, o) => n + o.chunks.filter((c) => !known.vectors.has(c.id)).length, 0);
}

/**
 * Looks every chunk of `outcomes` up in the cache; hits go into the returned vectors. Each hit's
 * vector is read and verified once (checksum, finite values; see `EmbeddingCache.get`), so a
 * damaged entry is a miss and gets re-embedded rather than failing the store later. A cached
 * vector whose length differs from `dimension` (when known), or from the first hit's, counts as a miss.
 */
export function lookUpCache(outcomes: readonly FileOutcome[], cache: EmbeddingCache, modelId: string, maxTokens: number, dimension: number | undefined): ChunkVectors {
  const known: ChunkVectors = { vectors: new Map(), failed: new Set(), ...(dimension !== undefined ? { dimension } : {}) };
  for (const outcome of outcomes) {
    for (const chunk of outcome.chunks) {
      const key = embeddingCacheKey(modelId, maxTokens, chunk.contentHash);
      const length = cache.dimensionOf(key);
      if (length === undefined || (known.dimension !== undefined && length !== known.dimension)) continue;
      if (!cache.get(key)) continue;
      known.dimension = length;
      known.vectors.set(chunk.id, key);
    }
  }
  return known;
}

/**
 * Embeds `misses` with `embedder`, adding each vector to the cache and its key to `known` (checkpointed every
 * {@link CHECKPOINT_VECTORS} vectors or {@link CHECKPOINT_INTERVAL_MS}), and each failure to
 * `known.failed` and `failures`. A remote embedder gets concurrent requests (`embedChunksWith`);
 * `onTruncated` hears of each text it cuts to the token limit. Stops after the batch in flight
 * when `signal` aborts.
 * @throws StoreError when a cache checkpoint cannot be written.
 */
export async function embedMisses(
  misses: readonly Chunk[],
  embedder: Embedder,
  run: {
    cache: EmbeddingCache;
    known: ChunkVectors;
    failures: IndexFailure[];
    maxTokens: number;
    batchSize?: number;
    signal?: AbortSignal;
    emit: RunEventEmitter;
    onTruncated?: () => void;
  },
): Promise<number> {
  const { cache, known, emit } = run;
  let embedded = 0;
  let lastSaveAt = Date.now();
  await embedChunksWith(misses, embedder, {
    batchSize: run.batchSize ?? embedder.preferredBatchSize ?? DEFAULT_BATCH_SIZE,
    ...(run.onTruncated ? { onTruncated: run.onTruncated } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    onEmbedded: async (chunk, vector) => {
      const key = embeddingCacheKey(embedder.modelId, run.maxTokens, chunk.contentHash);
      cache.set(key, vector, embedder.modelId);
      known.vectors.set(chunk.id, key);
      known.dimension = vector.length;
      embedded++;
      emit({ type: "chunk-embedded", path: chunk.path, qualifiedName: chunk.qualifiedName, startLine: chunk.startLine });
      if (cache.unsavedCount >= CHECKPOINT_VECTORS || Date.now() - lastSaveAt >= CHECKPOINT_INTERVAL_MS) {
        await saveCache(cache, emit);
        lastSaveAt = Date.now();
      }
    },
    onFailed: (chunk, error) => {
      const failure: IndexFailure = {
        path: chunk.path,
        stage: "embed",
        line: chunk.startLine,
        qualifiedName: chunk.qualifiedName,
        message: describeError(error),
        cause: error,
      };
      known.failed.add(chunk.id);
      run.failures.push(failure);
      emit({ type: "chunk-failed", failure });
    },
  });
  return embedded;
}

/**
 * Appends the cache's unsaved vectors and reports `cache-saved`.
 * @throws StoreError when the cache cannot be written.
 */
export async function saveCache(cache: EmbeddingCache, emit: RunEventEmitter): Promise<void> {
  if (cache.unsavedCount === 0) return;
  try {
    await cache.save();
  } catch (error) {
    throw new StoreError(`cannot save the embedding cache in ${cache.dir}: ${describeError(error)}`, { cause: error });
  }
  emit({ type: "cache-saved", entryCount: cache.size });
}
