/**
 * The seam between the pipeline and any embedding model. Implementations: the transformers.js
 * embedder and the OpenAI-compatible HTTP embedder here; test fakes live under test/.
 */

/**
 * How to feed an embedder that sits behind a network service: requests of up to `maxItems` texts
 * and `maxTokens` estimated tokens, `concurrency` of them in flight (see `embedChunksRemote`).
 */
export interface RemoteBatching {
  maxItems: number;
  maxTokens: number;
  concurrency: number;
}

/**
 * Thrown by a local model's `embed` when a text leaves no content token for the model once the model's text
 * preparation has run (`split-identifiers` drops punctuation, so `!!!` or `==` become empty): there
 * is nothing to pool into a vector. Search treats such a query as one the model cannot read (its
 * vector side finds nothing); indexing records the entity as failed, as any embed failure.
 */
export class NothingToEmbedError extends Error {
  /** `row`: 0-based position of the first such text in the batch. */
  constructor(readonly row: number) {
    super(`text ${row} leaves no token for the model once prepared (punctuation only?)`);
    this.name = "NothingToEmbedError";
  }
}

/** Turns texts into vectors. */
export interface Embedder {
  /** Identity recorded in the index and in cache keys: a hub id (`onnx-community/codebert-base-ONNX`) or an absolute local directory. */
  readonly modelId: string;
  /** Length of every vector returned (768 for CodeBERT). */
  readonly dimension: number;
  /** Texts are truncated to this many tokens, special tokens included (512 for CodeBERT). */
  readonly maxTokens: number;
  /**
   * Embeds `texts` in one model call. Returns exactly one `Float32Array` of length `dimension`
   * per text, in input order, each L2-normalised.
   * @throws Error when the model fails or returns the wrong count or shape; never pads or truncates
   *   results. A `CodesearchError` (remote embedders) means the whole service or model is unusable:
   *   callers stop rather than retry item by item.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Present on remote embedders only: the pipeline then batches by count and tokens, sends
   * requests concurrently and splits failing batches; local models are fed one batch at a time.
   */
  readonly remote?: RemoteBatching;
  /**
   * Present on local models: how many tokens each text becomes after truncation (special tokens
   * included), in input order, so batches can group texts of equal token length and pad little.
   */
  tokenCounts?(texts: readonly string[]): number[];
  /** Texts per model call the model folder asks for (its `codesearch.json`), used when no batch size is given. */
  readonly preferredBatchSize?: number;
  /** Releases the model's native resources. */
  dispose(): Promise<void>;
}

/**
 * Whether every value of `vector` is a finite number (no NaN, no ±Infinity). A vector that fails
 * this is never cached or stored: LanceDB rejects NaN, and an infinite value poisons every
 * cosine distance computed against it.
 */
export function isFiniteVector(vector: Float32Array): boolean {
  // x - x is 0 for every finite x and NaN for NaN and ±Infinity; an indexed loop avoids the iterator.
  for (let i = 0; i < vector.length; i++) if (vector[i]! - vector[i]! !== 0) return false;
  return true;
}
