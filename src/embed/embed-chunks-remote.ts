import pLimit from "p-limit";
import { CodesearchError, EmbeddingServiceError, IndexMismatchError, describeError } from "../model/errors.js";
import type { Chunk } from "../model/types.js";
import { DEFAULT_BATCH_SIZE, type EmbedChunksOptions, embedChunks } from "./embed-chunks.js";
import { isFiniteVector, type Embedder } from "./embedder.js";
import { EmbeddingRequestError } from "./embeddings-request.js";
import { estimateTokens, packBatches, truncateToTokens } from "./token-budget.js";

/** Failures in a row (no request succeeding between them) after which the service is taken to be down. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 8;

/** Options of {@link embedChunksRemote} and {@link embedChunksWith}. */
export interface RemoteEmbedChunksOptions extends EmbedChunksOptions {
  /** See {@link DEFAULT_MAX_CONSECUTIVE_FAILURES}. Deterministic rejections (400, 413, 422) never count. */
  maxConsecutiveFailures?: number;
}

/**
 * Embeds `chunks` through a remote embedder: texts sorted by length are packed into requests of
 * at most `embedder.remote.maxItems` texts and `maxTokens` estimated tokens, and up to
 * `concurrency` requests are in flight. (The embedder retries each request itself.) A request
 * that still fails is split in halves, recursively, until the failing entity stands alone; it
 * gets `onFailed` with the server's message and every other entity its vector. Empty texts are
 * not sent: they get `onFailed` with the reason. Callbacks never overlap (one at a time, in
 * completion order), so a callback may save the cache.
 *
 * @returns the number of chunks that reached a callback (fewer only when aborted; batches in
 *   flight complete, none start after the signal aborts).
 * @throws CodesearchError from the embedder (unreachable service, refused key, wrong dimension)
 *   after the requests in flight settle; EmbeddingServiceError after `maxConsecutiveFailures`
 *   failures in a row. Vectors delivered before stay delivered.
 */
export async function embedChunksRemote(chunks: readonly Chunk[], embedder: Embedder, options: RemoteEmbedChunksOptions): Promise<number> {
  const batching = embedder.remote ?? { maxItems: options.batchSize ?? DEFAULT_BATCH_SIZE, maxTokens: Number.MAX_SAFE_INTEGER, concurrency: 1 };
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
  const deliver = pLimit(1);
  const requests = pLimit(Math.max(1, Math.floor(batching.concurrency)));
  let handled = 0;
  let consecutiveFailures = 0;
  let fatal: CodesearchError | undefined;

  const sendable: Chunk[] = [];
  for (const chunk of [...chunks].sort((a, b) => a.text.length - b.text.length)) {
    if (chunk.text.trim() === "") {
      await deliver(() => options.onFailed(chunk, new Error("skipped: empty text, nothing to embed")));
      handled++;
      continue;
    }
    if (truncateToTokens(chunk.text, embedder.maxTokens).truncated) options.onTruncated?.(chunk);
    sendable.push(chunk);
  }

  const send = async (batch: Chunk[]): Promise<void> => {
    if (fatal || options.signal?.aborted) return;
    let vectors: Float32Array[];
    try {
      vectors = checked(await embedder.embed(batch.map((c) => c.text)), batch.length, embedder);
    } catch (error) {
      if (error instanceof CodesearchError) {
        fatal ??= error;
        return;
      }
      if (batch.length > 1) {
        const middle = Math.ceil(batch.length / 2);
        await send(batch.slice(0, middle));
        await send(batch.slice(middle));
        return;
      }
      await deliver(() => options.onFailed(batch[0]!, error));
      handled++;
      if (!(error instanceof EmbeddingRequestError && !error.retryable) && ++consecutiveFailures >= maxConsecutiveFailures) {
        fatal ??= new EmbeddingServiceError(
          `${consecutiveFailures} entities failed in a row with no request succeeding; the service ${embedder.modelId} looks down. ` +
            `Last error: ${describeError(error)}`,
          { cause: error },
        );
      }
      return;
    }
    consecutiveFailures = 0;
    await deliver(async () => {
      for (let i = 0; i < batch.length; i++) await options.onEmbedded(batch[i]!, vectors[i]!);
    });
    handled += batch.length;
  };

  const batches = packBatches(sendable, batching, (c) => Math.min(estimateTokens(c.text), embedder.maxTokens));
  await Promise.all(batches.map((batch) => requests(() => send(batch))));
  if (fatal) throw fatal;
  return handled;
}

/**
 * Feeds `chunks` to `embedder` the way it wants: {@link embedChunksRemote} when it declares
 * `remote` batching, else the sequential {@link embedChunks} (unchanged for local models).
 * @returns and @throws as the chosen function does.
 */
export function embedChunksWith(chunks: readonly Chunk[], embedder: Embedder, options: RemoteEmbedChunksOptions): Promise<number> {
  return embedder.remote ? embedChunksRemote(chunks, embedder, options) : embedChunks(chunks, embedder, options);
}

/**
 * One vector per text, each of the embedder's dimension, all values finite: a wrong count or a
 * non-finite value may be passing (the batch is split and retried), a wrong dimension is fatal.
 */
function checked(vectors: Float32Array[], count: number, embedder: Embedder): Float32Array[] {
  if (vectors.length !== count) throw new Error(`embedder returned ${vectors.length} vectors for ${count} texts`);
  const wrong = vectors.find((v) => v.length !== embedder.dimension);
  if (wrong) throw new IndexMismatchError(`${embedder.modelId} returned a ${wrong.length}-d vector, expected ${embedder.dimension}`);
  if (!vectors.every(isFiniteVector)) throw new Error(`${embedder.modelId} returned a vector holding NaN or Infinity`);
  return vectors;
}
