import { setImmediate as nextEventLoopTurn } from "node:timers/promises";
import type { Chunk } from "../model/types.js";
import { isFiniteVector, type Embedder } from "./embedder.js";

/**
 * Default number of texts per local model call: 1. Measured with `npm run bench` (raw-limit step,
 * CodeBERT-shaped int8 model, onnxruntime-node 1.14, 2 cores, 256 entities, token-sorted batches
 * padded to their longest text): batch 1 11.8 entities/s, 2 10.9, 4 10.0, 8 9.6. On CPU a batch
 * buys no parallelism the thread pool does not already use, and any padding costs.
 */
export const DEFAULT_BATCH_SIZE = 1;

/** Options of {@link embedChunks}. */
export interface EmbedChunksOptions {
  /** Texts per model call, at least 1. */
  batchSize?: number;
  /** Called once per chunk that received a vector (length `embedder.dimension`, L2-normalised), in completion order. */
  onEmbedded: (chunk: Chunk, vector: Float32Array) => void | Promise<void>;
  /** Called once per chunk that could not be embedded even on its own. */
  onFailed: (chunk: Chunk, error: unknown) => void | Promise<void>;
  /** Stops before the next batch when aborted; the batch in flight completes. */
  signal?: AbortSignal;
  /**
   * Called once per chunk whose text reaches the embedder's token limit (`embedder.maxTokens`),
   * i.e. is cut to it; only for embedders that count tokens (`tokenCounts`).
   */
  onTruncated?: (chunk: Chunk) => void;
}

/**
 * Embeds `chunks` sequentially in batches of texts of similar length (sorted by token count when
 * the embedder can count tokens, else by `text.length`, so little padding is computed; at batch
 * size 1 too: consecutive calls of equal length ran ~15% faster than file order in onnxruntime,
 * BENCHMARKS.md). A batch that throws, or returns the wrong number or size of
 * vectors, is retried one chunk at a time, so one bad entity cannot sink its neighbours; each
 * chunk ends in exactly one `onEmbedded` or `onFailed` call unless the signal aborts first. Yields
 * one event-loop turn after each batch so timers and signal handlers run during long runs.
 *
 * @returns the number of chunks that reached a callback (less than `chunks.length` only when aborted).
 */
export async function embedChunks(chunks: readonly Chunk[], embedder: Embedder, options: EmbedChunksOptions): Promise<number> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
  const ordered = orderForBatching(chunks, embedder, options.onTruncated);
  let handled = 0;
  for (let start = 0; start < ordered.length; start += batchSize) {
    if (options.signal?.aborted) break;
    const batch = ordered.slice(start, start + batchSize);
    const vectors = await tryEmbed(embedder, batch);
    if (vectors.ok) {
      for (let i = 0; i < batch.length; i++) await options.onEmbedded(batch[i]!, vectors.value[i]!);
    } else if (batch.length === 1) {
      await options.onFailed(batch[0]!, vectors.error);
    } else {
      for (const chunk of batch) {
        const single = await tryEmbed(embedder, [chunk]);
        if (single.ok) await options.onEmbedded(chunk, single.value[0]!);
        else await options.onFailed(chunk, single.error);
      }
    }
    handled += batch.length;
    // onnxruntime-node 1.14 runs inference synchronously on the main thread, so timers (progress
    // redraws) and signal handlers would wait for the next file write; give them a turn per batch.
    await nextEventLoopTurn();
  }
  return handled;
}

type Outcome = { ok: true; value: Float32Array[] } | { ok: false; error: unknown };

/** One model call whose result is checked: one vector per chunk, each of the embedder's dimension, all values finite. */
async function tryEmbed(embedder: Embedder, batch: readonly Chunk[]): Promise<Outcome> {
  try {
    const vectors = await embedder.embed(batch.map((c) => c.text));
    if (vectors.length !== batch.length) {
      return { ok: false, error: new Error(`embedder returned ${vectors.length} vectors for ${batch.length} texts`) };
    }
    const wrong = vectors.find((v) => v.length !== embedder.dimension);
    if (wrong) return { ok: false, error: new Error(`embedder returned a ${wrong.length}-d vector, expected ${embedder.dimension}`) };
    if (!vectors.every(isFiniteVector)) return { ok: false, error: new Error("embedder returned a vector holding NaN or Infinity") };
    return { ok: true, value: vectors };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Texts tokenised per `tokenCounts` call when ordering: the token ids of a slice are garbage as
 * soon as it is counted, so memory stays flat however many chunks a run embeds (counting 100k
 * texts in one call held every id row at once, ~600 MB of heap at 100k entities).
 */
const TOKEN_COUNT_SLICE = 512;

/**
 * `chunks` sorted by the token count the embedder reports (stable; ties keep input order), or by
 * text length for embedders that cannot count tokens. Each batch is padded to its longest text, so
 * neighbours of equal token length waste no computation on padding. Reports each chunk whose count
 * reaches `embedder.maxTokens` to `onTruncated`.
 */
function orderForBatching(chunks: readonly Chunk[], embedder: Embedder, onTruncated?: (chunk: Chunk) => void): readonly Chunk[] {
  const lengths: number[] = [];
  for (let i = 0; i < chunks.length; i += TOKEN_COUNT_SLICE) {
    const texts = chunks.slice(i, i + TOKEN_COUNT_SLICE).map((c) => c.text);
    lengths.push(...(embedder.tokenCounts ? embedder.tokenCounts(texts) : texts.map((t) => t.length)));
  }
  if (embedder.tokenCounts && onTruncated) {
    chunks.forEach((chunk, i) => {
      if (lengths[i]! >= embedder.maxTokens) onTruncated(chunk);
    });
  }
  return chunks.map((chunk, i) => ({ chunk, length: lengths[i] ?? 0 })).sort((a, b) => a.length - b.length).map((e) => e.chunk);
}
