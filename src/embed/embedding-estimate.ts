import type { EmbeddingEstimate } from "../model/types.js";
import { estimateTokens, packBatches, truncateToTokens } from "./token-budget.js";

/** How a run would batch: requests of a remote model, or model calls of a local one. */
export interface EstimateLimits {
  /** Token limit per text; longer texts are counted as truncated. */
  tokenLimit: number;
  /** Texts per request or model call. */
  maxItems: number;
  /** Estimated tokens per request (remote models); omit for local models. */
  maxTokens?: number;
}

/**
 * What embedding `texts` would cost, without a tokenizer or a model: estimated tokens after
 * truncation to `tokenLimit` (see `estimateTokens`), the batches they pack into (sorted by
 * length, as the embedding loops send them), and how many are over the limit or empty.
 */
export function estimateEmbedding(texts: readonly string[], limits: EstimateLimits): EmbeddingEstimate {
  const sendable = texts.filter((t) => t.trim() !== "").sort((a, b) => a.length - b.length);
  const tokensOf = (text: string) => estimateTokens(truncateToTokens(text, limits.tokenLimit).text);
  const remote = limits.maxTokens !== undefined;
  return {
    tokens: sendable.reduce((sum, t) => sum + tokensOf(t), 0),
    batches: packBatches(sendable, { maxItems: limits.maxItems, maxTokens: limits.maxTokens ?? Number.MAX_SAFE_INTEGER }, tokensOf).length,
    batchUnit: remote ? "request" : "model call",
    truncated: sendable.filter((t) => truncateToTokens(t, limits.tokenLimit).truncated).length,
    empty: texts.length - sendable.length,
  };
}
