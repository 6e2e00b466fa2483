/**
 * Token arithmetic for remote embedding services, without a tokenizer: an estimate of the tokens
 * a text costs, truncation to a token limit, and packing texts into requests by count and tokens.
 */

/**
 * Characters per token assumed when no tokenizer is at hand. OpenAI's rule of thumb ("one token
 * generally corresponds to ~4 characters of text for common English text", help.openai.com,
 * "What are tokens and how to count them?") is used for code too; code with many symbols runs a
 * little denser, so the estimate is a budget, not a promise. Servers that count more tokens than
 * estimated truncate or reject the text themselves (TEI `--auto-truncate`, vLLM, OpenAI's 400).
 */
export const CHARS_PER_TOKEN = 4;

/** Estimated tokens of `text`: its UTF-16 length divided by {@link CHARS_PER_TOKEN}, rounded up (0 for ""). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Cuts `text` to at most `maxTokens` estimated tokens (`maxTokens × CHARS_PER_TOKEN` UTF-16
 * characters), never inside a surrogate pair.
 * @returns the text to send and whether it was cut.
 */
export function truncateToTokens(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const maxChars = Math.max(1, Math.floor(maxTokens)) * CHARS_PER_TOKEN;
  if (text.length <= maxChars) return { text, truncated: false };
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose low half would be cut off
  return { text: text.slice(0, end), truncated: true };
}

/** Limits of one request, for {@link packBatches}. */
export interface BatchLimits {
  /** Most texts per request, at least 1. */
  maxItems: number;
  /** Most estimated tokens per request, summed over its texts, at least 1. A single larger text still gets a request of its own. */
  maxTokens: number;
}

/**
 * Splits `items` into consecutive batches, in input order, each holding at most
 * `limits.maxItems` items and at most `limits.maxTokens` tokens by `tokensOf` (an item above the
 * token limit on its own forms a batch of one). Every item lands in exactly one batch.
 */
export function packBatches<T>(items: readonly T[], limits: BatchLimits, tokensOf: (item: T) => number): T[][] {
  const maxItems = Math.max(1, Math.floor(limits.maxItems));
  const maxTokens = Math.max(1, Math.floor(limits.maxTokens));
  const batches: T[][] = [];
  let current: T[] = [];
  let currentTokens = 0;
  for (const item of items) {
    const tokens = tokensOf(item);
    if (current.length > 0 && (current.length >= maxItems || currentTokens + tokens > maxTokens)) {
      batches.push(current);
      current = [];
      currentTokens = 0;
    }
    current.push(item);
    currentTokens += tokens;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
