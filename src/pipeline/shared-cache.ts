/**
 * The per-user shared embedding cache as an index run uses it: a second tier behind the index's own
 * cache, so a second clone or worktree of a repository (or another repository with the same code)
 * reuses every vector already embedded on this machine. Keys are content-addressed by the model's
 * files ({@link modelFingerprint}), not its path or name; every vector read is verified by the
 * cache's checksums; the folder is size-capped with least-recently-used eviction. One writer at a
 * time: each visit takes the folder's OS lock (the index lock's mechanism).
 *
 * The shared tier is an optimisation: when it cannot be read or written, the run goes on without
 * it and says so in its summary (`sharedCacheProblem`), never failing or serving a wrong vector.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import {
  EmbeddingCache,
  embeddingCacheKey,
  modelFilesDir,
  modelFingerprint,
  SHARED_CACHE_EVICT_TO,
  type EmbedderSource,
  type SharedCacheSettings,
} from "../embed/index.js";
import { describeError } from "../model/errors.js";
import { acquireIndexLock } from "../store/index.js";
import { cacheMisses, type ChunkVectors } from "./embed-outcomes.js";
import type { FileOutcome } from "./read-planned-files.js";

/** Folder of the vectors inside the shared cache folder (the lock file sits beside it). */
const VECTORS_DIR = "vectors";

/** A run's view of the shared tier: what identifies its model there, and what it found or met. */
export interface SharedCacheVisit {
  settings: SharedCacheSettings;
  /** The model's fingerprint (see `modelFingerprint`); null when the model's files are not on disk. */
  fingerprint: string | null;
  /** Chunks whose vectors came from the shared cache. */
  hits: number;
  /** Chunk ids and content hashes that were misses in both tiers (what this run may embed). */
  misses: { id: string; contentHash: string }[];
  /** What went wrong with the shared tier, if anything (the run went on without it). */
  problem: string | null;
}

/**
 * Looks up every chunk of `outcomes` that the index's own cache missed in the shared cache; each
 * vector found (checksum-verified, of the index's dimension when known) is copied into the index's
 * cache under its own key and into `known`, and marked used in the shared cache (LRU order).
 * Computes the model fingerprint only when there are misses.
 */
export async function importSharedVectors(
  settings: SharedCacheSettings,
  run: { source: EmbedderSource; modelCacheDir: string; modelId: string; maxTokens: number; outcomes: readonly FileOutcome[]; known: ChunkVectors; cache: EmbeddingCache; signal?: AbortSignal },
): Promise<SharedCacheVisit> {
  const { known } = run;
  const misses = cacheMisses(run.outcomes, known).map((c) => ({ id: c.id, contentHash: c.contentHash }));
  const visit: SharedCacheVisit = { settings, fingerprint: null, hits: 0, misses, problem: null };
  if (misses.length === 0) return visit;
  try {
    const dir = modelFilesDir(run.source, run.modelCacheDir);
    visit.fingerprint = dir === null ? null : await modelFingerprint(dir);
    if (visit.fingerprint === null) return visit;
    const fingerprint = visit.fingerprint;
    await withSharedCache(settings, run.signal, async (shared) => {
      const left: typeof misses = [];
      for (const miss of misses) {
        const sharedKey = embeddingCacheKey(fingerprint, run.maxTokens, miss.contentHash);
        const length = shared.dimensionOf(sharedKey);
        const vector = length === undefined || (known.dimension !== undefined && length !== known.dimension) ? undefined : shared.get(sharedKey);
        if (!vector) {
          left.push(miss);
          continue;
        }
        const key = embeddingCacheKey(run.modelId, run.maxTokens, miss.contentHash);
        run.cache.set(key, vector, run.modelId);
        known.vectors.set(miss.id, key);
        known.dimension = vector.length;
        shared.touch(sharedKey);
        visit.hits++;
      }
      visit.misses = left;
    });
  } catch (error) {
    visit.problem = `cannot read the shared cache ${settings.dir}: ${describeError(error)}`;
  }
  return visit;
}

/**
 * Adds the vectors this run embedded (the visit's misses that now have a vector in the index's
 * cache) to the shared cache, then evicts the least recently used vectors above the size cap.
 * Records a failure in `visit.problem` instead of throwing.
 * @returns the number of vectors added.
 */
export async function exportEmbeddedVectors(visit: SharedCacheVisit, run: { known: ChunkVectors; cache: EmbeddingCache; maxTokens: number; signal?: AbortSignal }): Promise<number> {
  const { fingerprint } = visit;
  const embedded = visit.misses.filter((m) => run.known.vectors.has(m.id));
  if (fingerprint === null || embedded.length === 0 || visit.problem !== null) return 0;
  let added = 0;
  try {
    await withSharedCache(visit.settings, run.signal, async (shared) => {
      for (const miss of embedded) {
        const vector = run.cache.get(run.known.vectors.get(miss.id)!);
        const sharedKey = embeddingCacheKey(fingerprint, run.maxTokens, miss.contentHash);
        if (!vector || shared.has(sharedKey)) continue;
        shared.set(sharedKey, vector, fingerprint);
        added++;
      }
      await shared.retainNewest(visit.settings.maxBytes, Math.floor(visit.settings.maxBytes * SHARED_CACHE_EVICT_TO));
    });
  } catch (error) {
    visit.problem = `cannot add this run's vectors to the shared cache ${visit.settings.dir}: ${describeError(error)}`;
    return 0;
  }
  return added;
}

/**
 * Runs `work` on the shared cache while holding its lock (waiting for another run's visit), then
 * saves what `work` added or touched and closes it. A corrupt cache is set aside and a new one
 * started (`EmbeddingCache.open`).
 * @throws whatever opening, locking, `work` or saving throws.
 */
async function withSharedCache(settings: SharedCacheSettings, signal: AbortSignal | undefined, work: (cache: EmbeddingCache) => Promise<void>): Promise<void> {
  await mkdir(settings.dir, { recursive: true });
  const lock = await acquireIndexLock(settings.dir, { wait: true, pollMs: 50, ...(signal ? { signal } : {}) });
  let cache: EmbeddingCache | null = null;
  try {
    cache = (await EmbeddingCache.open(path.join(settings.dir, VECTORS_DIR))).cache;
    await work(cache);
    await cache.save();
  } finally {
    cache?.close();
    await lock.release();
  }
}
