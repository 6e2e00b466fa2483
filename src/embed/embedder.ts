/**
 * The seam between the pipeline and any embedding model. Implementations: the transformers.js
 * embedder here; test fakes live under test/.
 */

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
   * @throws Error when the model fails or returns the wrong count or shape; never pads or truncates results.
   */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** Releases the model's native resources. */
  dispose(): Promise<void>;
}
