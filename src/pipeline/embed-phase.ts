import type { Embedder, EmbedderSource, EmbeddingCache, RemoteTuning } from "../embed/index.js";
import { embedderIdOf } from "../embed/index.js";
import { IndexMismatchError, describeError } from "../model/errors.js";
import type { RunEventEmitter } from "../model/events.js";
import type { IndexFailure, StopReason } from "../model/types.js";
import { assertSameModel, type readManifest } from "../store/index.js";
import { cacheMisses, embedMisses, saveCache, type ChunkVectors } from "./embed-outcomes.js";
import { type EmbedderLoader, loadEmbedderWith } from "./load-embedder.js";
import type { FileOutcome } from "./read-planned-files.js";

/** The options of an index run that embedding reads (a subset of `IndexRepoOptions`). */
export interface EmbedPhaseOptions {
  emit: RunEventEmitter;
  modelCacheDir: string;
  offline: boolean;
  endpoint?: string;
  remote?: RemoteTuning;
  batchSize?: number;
  /** Embed at most this many cache misses; the rest are left for the next run. */
  maxItems?: number;
  loadEmbedder?: EmbedderLoader;
  signal?: AbortSignal;
}

/** What {@link embedPhase} did. */
export interface EmbedPhaseResult {
  stopReason: StopReason | null;
  chunksEmbedded: number;
  chunksTruncated: number;
  /** Vector length: the index's, the cache's, or the model's once loaded. */
  dimension: number | undefined;
}

/**
 * Embeds the cache misses of `outcomes` (at most `maxItems`), loading the model only if there are
 * any, `cache` is given (not a dry run) and `signal` has not aborted (then the result's
 * `stopReason` is `interrupted`). Vectors go into `known` and the cache, which is saved
 * even when embedding fails. Its list of misses lives only here, so it is garbage once this returns.
 * @throws ModelLoadError; IndexMismatchError when the model's dimension differs from the index's
 *   or the cache's; StoreError from a cache checkpoint.
 */
export async function embedPhase(
  options: EmbedPhaseOptions,
  source: EmbedderSource,
  run: {
    manifest: Awaited<ReturnType<typeof readManifest>>;
    modelId: string;
    maxTokens: number;
    cache: EmbeddingCache | null;
    outcomes: readonly FileOutcome[];
    known: ChunkVectors;
    failures: IndexFailure[];
  },
): Promise<EmbedPhaseResult> {
  const { manifest, modelId, maxTokens, cache, known, failures } = run;
  const { emit } = options;
  const allMisses = cacheMisses(run.outcomes, known);
  const misses = options.maxItems !== undefined ? allMisses.slice(0, options.maxItems) : allMisses;
  const result: EmbedPhaseResult = {
    stopReason: misses.length < allMisses.length ? "max-items" : null,
    chunksEmbedded: 0,
    chunksTruncated: 0,
    dimension: manifest?.dimension ?? known.dimension,
  };
  if (!cache) return result;
  if (misses.length === 0) {
    if (result.stopReason === "max-items") emit({ type: "stop-requested", reason: "max-items" });
    return result;
  }
  // Stopped before embedding began (while files were read): no model is loaded just to stop.
  if (options.signal?.aborted) {
    emit({ type: "stop-requested", reason: "interrupted" });
    return { ...result, stopReason: "interrupted" };
  }
  const embedder = await loadModel(options, source, maxTokens);
  try {
    if (manifest) assertSameModel(manifest, modelId, embedder.dimension);
    if (result.dimension !== undefined && result.dimension !== embedder.dimension) {
      throw new IndexMismatchError(`cached vectors are ${result.dimension}-d but model ${modelId} now produces ${embedder.dimension}-d vectors; pass --rebuild`);
    }
    result.dimension = embedder.dimension;
    const onAbort = () => emit({ type: "stop-requested", reason: "interrupted" });
    options.signal?.addEventListener("abort", onAbort, { once: true });
    result.chunksEmbedded = await embedMisses(misses, embedder, {
      cache, known, failures, maxTokens, emit,
      onTruncated: () => void result.chunksTruncated++,
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.signal?.removeEventListener("abort", onAbort);
    if (options.signal?.aborted) result.stopReason = "interrupted";
  } finally {
    await saveCache(cache, emit).catch((error: unknown) => {
      emit({ type: "file-failed", failure: { path: cache.dir, stage: "store", message: describeError(error), cause: error } });
    });
    await embedder.dispose();
  }
  return result;
}

/** Loads the run's model, reporting `model-loading` and `model-loaded` (with the load time in ms). */
async function loadModel(options: EmbedPhaseOptions, source: EmbedderSource, maxTokens: number): Promise<Embedder> {
  options.emit({ type: "model-loading", modelId: embedderIdOf(source) });
  const loadStartedAt = Date.now();
  const embedder = await loadEmbedderWith(options, source, maxTokens);
  options.emit({ type: "model-loaded", modelId: embedder.modelId, dimension: embedder.dimension, durationMs: Date.now() - loadStartedAt });
  return embedder;
}
