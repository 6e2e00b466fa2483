import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * A byte-level BPE tokenizer (GPT-2 / RoBERTa style) read from a Hugging Face `tokenizer.json`,
 * giving the same token ids as transformers.js 2.17.2's `PreTrainedTokenizer` with
 * `{ padding: false, truncation: true, max_length }` for the configurations
 * {@link readByteLevelBpe} accepts (test/embed/byte-level-bpe.test.ts checks id equality).
 */
export interface ByteLevelBpe {
  /**
   * Token ids of `text`: `<cls> …BPE pieces… <sep>` (RobertaProcessing), cut to the first
   * `maxLength` ids when longer, the way transformers.js 2.17.2 truncates (the closing `<sep>` is
   * cut too). `maxLength` is capped at {@link modelMaxLength}.
   * @throws Error when a BPE piece is not in the vocabulary and the tokenizer has no unknown token.
   */
  encode(text: string, maxLength: number): number[];
  /** `model_max_length` of `tokenizer_config.json` (512 for CodeBERT's tokenizer). */
  readonly modelMaxLength: number;
  /** Id used to pad rows (the pad token, else the eos token, as transformers.js chooses). */
  readonly padTokenId: number;
}

/** Either the tokenizer, or why the folder's tokenizer is not one this implementation reproduces exactly. */
export type ByteLevelBpeResult = { ok: true; tokenizer: ByteLevelBpe } | { ok: false; reason: string };

/** Distinct pre-tokens whose ids are remembered; the cache is emptied when it reaches this size (~10 MB at most). */
const WORD_CACHE_LIMIT = 100_000;

/**
 * GPT-2's pre-tokenisation pattern as transformers.js 2.17.2 writes it (ByteLevelPreTokenizer):
 * contractions, letter runs, digit runs, other runs, each with one optional leading space, then
 * whitespace. Source: openai/gpt-2 `encoder.py`.
 */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's reversible byte → printable character map (`bytes_to_unicode` in openai/gpt-2
 * `encoder.py`): printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards.
 */
export const BYTE_TO_UNICODE: readonly string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const map: string[] = new Array<string>(256);
  let next = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(printable(b) ? b : 256 + next++);
  return map;
})();

interface AddedTokenJson {
  id: number;
  content: string;
  lstrip?: boolean;
  rstrip?: boolean;
}

interface TokenizerJson {
  normalizer?: unknown;
  pre_tokenizer?: { type?: string; add_prefix_space?: unknown; use_regex?: unknown } | null;
  post_processor?: { type?: string; cls?: unknown; sep?: unknown } | null;
  added_tokens?: AddedTokenJson[];
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: unknown[];
    dropout?: unknown;
    unk_token?: unknown;
    continuing_subword_prefix?: unknown;
    continuing_subword_suffix?: unknown;
    end_of_word_suffix?: unknown;
    fuse_unk?: unknown;
    byte_fallback?: unknown;
    ignore_merges?: unknown;
  };
}

type TokenizerConfigJson = Record<string, unknown>;

/** Escapes `text` for a RegExp the way transformers.js's `escapeRegExp` does. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A special-token setting of tokenizer_config.json: a string or `{ content }` (transformers.js `getToken`). */
function tokenName(config: TokenizerConfigJson, key: string): string | undefined {
  const value = config[key];
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && typeof (value as { content?: unknown }).content === "string") return (value as { content: string }).content;
  return undefined;
}

const absent = (value: unknown) => value === undefined || value === null || value === false || value === "";

/**
 * Reads `<dir>/tokenizer.json` and `<dir>/tokenizer_config.json` and returns a {@link ByteLevelBpe}
 * when every setting that affects encoding is one this implementation reproduces: model `BPE`
 * without dropout, byte fallback, subword affixes or `ignore_merges`, merges as `"a b"` strings; no
 * normalizer; a `ByteLevel` pre-tokenizer with the GPT-2 regex; a `RobertaProcessing`
 * post-processor; `tokenizer_class` RobertaTokenizer(Fast), no `remove_space` or
 * `do_lowercase_and_remove_accent`; a numeric `model_max_length` (values outside 1…99,999 become
 * 512, as the transformers.js embedder does). Anything else returns `{ ok: false, reason }` so the
 * caller can use transformers.js instead.
 * @throws Error when a file exists but is not JSON.
 */
export function readByteLevelBpe(dir: string): ByteLevelBpeResult {
  const tokenizerFile = path.join(dir, "tokenizer.json");
  const configFile = path.join(dir, "tokenizer_config.json");
  if (!existsSync(tokenizerFile) || !existsSync(configFile)) return { ok: false, reason: "no tokenizer.json or tokenizer_config.json" };
  const json = JSON.parse(readFileSync(tokenizerFile, "utf8")) as TokenizerJson;
  const config = JSON.parse(readFileSync(configFile, "utf8")) as TokenizerConfigJson;

  const model = json.model;
  if (model?.type !== "BPE") return { ok: false, reason: `tokenizer model is ${String(model?.type)}, not BPE` };
  for (const key of ["dropout", "continuing_subword_prefix", "continuing_subword_suffix", "end_of_word_suffix", "fuse_unk", "byte_fallback", "ignore_merges"] as const) {
    if (!absent(model[key])) return { ok: false, reason: `BPE setting ${key} is not supported` };
  }
  const ranks = model.merges === undefined ? null : mergeRanks(model.merges);
  if (typeof model.vocab !== "object" || model.vocab === null || Array.isArray(model.vocab) || ranks === null) {
    return { ok: false, reason: "BPE vocab or merges are not in the expected form" };
  }
  if (!absent(json.normalizer)) return { ok: false, reason: "tokenizer has a normalizer" };
  const pre = json.pre_tokenizer;
  if (pre?.type !== "ByteLevel" || (pre.use_regex !== undefined && pre.use_regex !== true) || typeof pre.add_prefix_space !== "boolean") {
    return { ok: false, reason: "pre-tokenizer is not ByteLevel with the GPT-2 regex" };
  }
  const post = json.post_processor;
  const specialPair = (value: unknown) => (Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined);
  const cls = specialPair(post?.cls);
  const sep = specialPair(post?.sep);
  if (post?.type !== "RobertaProcessing" || cls === undefined || sep === undefined) return { ok: false, reason: "post-processor is not RobertaProcessing" };
  const tokenizerClass = typeof config.tokenizer_class === "string" ? config.tokenizer_class.replace(/Fast$/, "") : "";
  if (tokenizerClass !== "RobertaTokenizer") return { ok: false, reason: `tokenizer_class ${tokenizerClass || "(none)"} is not RobertaTokenizer` };
  if (config.remove_space === true || config.do_lowercase_and_remove_accent === true) return { ok: false, reason: "tokenizer_config asks for text clean-up" };

  const addedTokens = json.added_tokens ?? [];
  const ids = new Vocabulary(model.vocab, addedTokens);
  if (!BYTE_TO_UNICODE.every((c) => ids.has(c))) return { ok: false, reason: "vocabulary lacks some of the 256 byte symbols" };
  const clsId = ids.get(cls);
  const sepId = ids.get(sep);
  if (clsId === undefined || sepId === undefined) return { ok: false, reason: "post-processor tokens are not in the vocabulary" };
  const padName = tokenName(config, "pad_token") ?? tokenName(config, "eos_token");
  const padTokenId = padName !== undefined ? ids.get(padName) : undefined;
  if (padTokenId === undefined) return { ok: false, reason: "no pad or eos token in the vocabulary" };
  const declaredMax = config.model_max_length;
  const modelMaxLength = typeof declaredMax === "number" && declaredMax > 0 && declaredMax < 100_000 ? declaredMax : 512;

  const tokenizer = new ByteLevelBpeTokenizer({
    ids,
    ranks,
    addedTokens,
    addPrefixSpace: pre.add_prefix_space,
    clsId,
    sepId,
    // transformers.js 2.17.2 takes the unknown token from the BPE model's own settings, not tokenizer_config.
    unkId: typeof model.unk_token === "string" ? ids.get(model.unk_token) : undefined,
    padTokenId,
    modelMaxLength,
  });
  return { ok: true, tokenizer };
}

/**
 * `merge → rank` (its index in `merges`; a repeated merge keeps its last index, as transformers.js's
 * Map does), or null when a merge is not a string holding exactly one space.
 */
function mergeRanks(merges: unknown): Map<string, number> | null {
  if (!Array.isArray(merges)) return null;
  const ranks = new Map<string, number>();
  for (let rank = 0; rank < merges.length; rank++) {
    const merge: unknown = merges[rank];
    if (typeof merge !== "string") return null;
    const space = merge.indexOf(" ");
    if (space < 0 || merge.indexOf(" ", space + 1) >= 0) return null;
    ranks.set(merge, rank);
  }
  return ranks;
}

/**
 * Token → id: the added tokens first, then the BPE vocabulary (transformers.js adds the added
 * tokens over the vocabulary the same way). The parsed vocabulary object is used as is, without
 * a prototype, rather than copied into a Map: that copy was a third of the load time.
 */
class Vocabulary {
  private readonly vocab: Record<string, number>;
  private readonly added: Map<string, number>;

  constructor(vocab: Record<string, number>, addedTokens: readonly AddedTokenJson[]) {
    this.vocab = Object.setPrototypeOf(vocab, null) as Record<string, number>;
    this.added = new Map(addedTokens.map((t) => [t.content, t.id]));
  }

  get(token: string): number | undefined {
    return this.added.get(token) ?? this.vocab[token];
  }

  has(token: string): boolean {
    return this.get(token) !== undefined;
  }
}

interface TokenizerParts {
  ids: Vocabulary;
  ranks: Map<string, number>;
  addedTokens: readonly AddedTokenJson[];
  addPrefixSpace: boolean;
  clsId: number;
  sepId: number;
  unkId: number | undefined;
  padTokenId: number;
  modelMaxLength: number;
}

class ByteLevelBpeTokenizer implements ByteLevelBpe {
  readonly modelMaxLength: number;
  readonly padTokenId: number;
  private readonly parts: TokenizerParts;
  /** Splits text around added tokens; capture groups keep the tokens, `lstrip`/`rstrip` swallow adjacent whitespace (transformers.js `added_tokens_regex`). */
  private readonly addedPattern: RegExp | null;
  private readonly addedIds: Map<string, number>;
  private readonly wordIds = new Map<string, readonly number[]>();
  private readonly utf8 = new TextEncoder();

  constructor(parts: TokenizerParts) {
    this.parts = parts;
    this.modelMaxLength = parts.modelMaxLength;
    this.padTokenId = parts.padTokenId;
    this.addedIds = new Map(parts.addedTokens.map((t) => [t.content, t.id]));
    this.addedPattern =
      parts.addedTokens.length > 0
        ? new RegExp(parts.addedTokens.map((t) => `${t.lstrip ? "\\s*" : ""}(${escapeRegExp(t.content)})${t.rstrip ? "\\s*" : ""}`).join("|"))
        : null;
  }

  encode(text: string, maxLength: number): number[] {
    const out: number[] = [this.parts.clsId];
    const sections = this.addedPattern ? text.split(this.addedPattern).filter((s) => s) : [text];
    for (let section of sections) {
      const added = this.addedIds.get(section);
      if (added !== undefined) {
        out.push(added);
        continue;
      }
      if (this.parts.addPrefixSpace && !section.startsWith(" ")) section = ` ${section}`;
      for (const match of section.matchAll(GPT2_PATTERN)) {
        const word = match[0];
        let wordIds = this.wordIds.get(word);
        if (wordIds === undefined) {
          wordIds = this.encodeWord(word);
          if (this.wordIds.size >= WORD_CACHE_LIMIT) this.wordIds.clear();
          this.wordIds.set(word, wordIds);
        }
        for (let i = 0; i < wordIds.length; i++) out.push(wordIds[i]!);
      }
    }
    out.push(this.parts.sepId);
    const limit = Math.min(maxLength, this.modelMaxLength);
    if (out.length > limit) out.length = limit;
    return out;
  }

  /** BPE ids of one pre-token: its UTF-8 bytes as GPT-2 symbols, merged lowest rank first, leftmost first among equals. */
  private encodeWord(word: string): number[] {
    const symbols: string[] = [];
    for (const byte of this.utf8.encode(word)) symbols.push(BYTE_TO_UNICODE[byte]!);
    const { ranks, ids, unkId } = this.parts;
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < symbols.length - 1; i++) {
        const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
    }
    return symbols.map((piece) => {
      const id = ids.get(piece) ?? unkId;
      if (id === undefined) throw new Error(`BPE piece ${JSON.stringify(piece)} is not in the vocabulary and the tokenizer has no unknown token`);
      return id;
    });
  }
}
