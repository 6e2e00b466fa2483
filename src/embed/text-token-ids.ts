import type { ByteLevelBpe } from "./byte-level-bpe.js";

/** Token ids kept between `tokenCounts` and `take` at most (16 MB as int32); texts beyond it are tokenised again. */
const REMEMBERED_TOKENS = 4_000_000;

/**
 * How the embedders that tokenise in JavaScript (onnxruntime-node's and the token table's) turn
 * texts into token ids: the model's text preparation, then the byte-level BPE, cut to `maxTokens`.
 */
export interface TextTokenIds {
  /** Token ids of one text, special tokens included, at most `maxTokens`. */
  encode(text: string): number[];
  /**
   * Token ids of each text, in input order. A text counted by {@link tokenCounts} and not taken
   * since gives the ids remembered then (as an Int32Array, not copied; they are forgotten).
   */
  take(texts: readonly string[]): ArrayLike<number>[];
  /**
   * Each text's token count; the ids are remembered (up to 4,000,000 in all) for `take`:
   * `embedChunks` counts every text to order its batches, then embeds them.
   */
  tokenCounts(texts: readonly string[]): number[];
  /** Length of the empty text's ids (its special tokens): a text no longer than this has no content. */
  readonly emptyLength: number;
}

/**
 * Token ids of texts for `tokenizer`, after `prepare` (a model's `textPreparation`, if any), cut to
 * `maxTokens`.
 */
export function textTokenIds(tokenizer: ByteLevelBpe, prepare: ((text: string) => string) | undefined, maxTokens: number): TextTokenIds {
  const encode = (text: string): number[] => tokenizer.encode(prepare ? prepare(text) : text, maxTokens);
  const remembered = new Map<string, Int32Array>();
  let rememberedTokens = 0;
  return {
    encode,
    take: (texts) =>
      texts.map((text) => {
        const kept = remembered.get(text);
        if (kept === undefined) return encode(text);
        remembered.delete(text);
        rememberedTokens -= kept.length;
        return kept;
      }),
    tokenCounts: (texts) =>
      texts.map((text) => {
        const ids = encode(text);
        if (!remembered.has(text) && rememberedTokens + ids.length <= REMEMBERED_TOKENS) {
          remembered.set(text, Int32Array.from(ids));
          rememberedTokens += ids.length;
        }
        return ids.length;
      }),
    emptyLength: encode("").length,
  };
}
