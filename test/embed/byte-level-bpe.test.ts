// Our byte-level BPE tokenizer against transformers.js 2.17.2 on the same tokenizer.json: identical
// ids on every entity text of fixtures/python (raw and identifier-split) and on hostile strings.
import { readFileSync } from "node:fs";
import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readByteLevelBpe, type ByteLevelBpe } from "../../src/embed/byte-level-bpe.js";
import { bundledModelDir } from "../../src/embed/model-source.js";
import { identifierWords } from "../../src/model/identifier-words.js";
import { fixtureTexts } from "../support/fixture-texts.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const SMALL_MODEL_DIR = bundledModelDir("codesearch-small");

type Reference = (texts: string[], options: { padding: false; truncation: true; max_length: number; return_tensor: false }) => { input_ids: number[][] };

async function referenceTokenizer(dir: string): Promise<Reference> {
  const { env, AutoTokenizer } = await import("@xenova/transformers");
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = `${path.dirname(dir)}/`;
  return (await AutoTokenizer.from_pretrained(path.basename(dir))) as unknown as Reference;
}

const HOSTILE = [
  "",
  " ",
  "   leading and trailing   ",
  "tabs\tand\r\nCRLF\r\nlines\n\n\n  \t \n",
  "unicode: café naïve Ærøskøbing straße ǅ",
  "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flags 🇩🇪",
  "CJK 中文字符 日本語のテキスト 한국어",
  "combining e\u0301 a\u0308 \u0301 leading mark",
  "zero\u200bwidth\u00a0nbsp\u2028line sep",
  "lone surrogate \ud800 end",
  "x".repeat(5000),
  "aVeryLongIdentifierName".repeat(200),
  "<s> literally </s> and <pad><unk> and <mask>  <mask> with spaces",
  "text<s>glued</s>tokens",
  "it's we're they've I'm we'll he'd 'S shouldn't",
  "numbers 1234567890 3.14159 0xFF 1e-10 ١٢٣",
  "punct !!! ??? ... --- === ::: ;;; @@@ ### $$$ %%% ^^^ &&& *** ((( )))",
  "def f(x):\n    return x ** 2  # squares\n",
  Array.from({ length: 600 }, (_, i) => `w${i}`).join(" "),
];

describe("readByteLevelBpe", () => {
  let ours: ByteLevelBpe;
  let reference: Reference;
  beforeAll(async () => {
    const read = readByteLevelBpe(SMALL_MODEL_DIR);
    if (!read.ok) throw new Error(read.reason);
    ours = read.tokenizer;
    reference = await referenceTokenizer(SMALL_MODEL_DIR);
  });

  function expectSameIds(texts: string[], maxLength: number): void {
    const expected = reference(texts, { padding: false, truncation: true, max_length: maxLength, return_tensor: false }).input_ids;
    const actual = texts.map((t) => ours.encode(t, maxLength));
    const mismatches = texts.filter((_, i) => JSON.stringify(actual[i]) !== JSON.stringify(expected[i]));
    expect(mismatches).toEqual([]);
  }

  it("gives transformers.js's ids for every entity text of fixtures/python, raw and identifier-split", async () => {
    const texts = await fixtureTexts();
    expect(texts.length).toBeGreaterThan(20);
    expectSameIds(texts, 512);
    expectSameIds(texts.map(identifierWords), 512);
    // Again from the word cache, and cut short.
    expectSameIds(texts.map(identifierWords), 512);
    expectSameIds(texts, 17);
  });

  it("gives transformers.js's ids for hostile strings, at and below the length limit", () => {
    expectSameIds(HOSTILE, 512);
    expectSameIds(HOSTILE, 3);
    expectSameIds(HOSTILE, 1);
    expectSameIds(HOSTILE.map(identifierWords), 512);
    // A limit above model_max_length is capped at it.
    expectSameIds(HOSTILE, 100_000);
  });

  it("wraps in <s> … </s>, cuts the closing token when truncating, and reads the pad id", () => {
    expect(ours.encode("", 512)).toEqual([0, 2]);
    const long = ours.encode("word ".repeat(1000), 512);
    expect(long).toHaveLength(512);
    expect(long[0]).toBe(0);
    expect(long.at(-1)).not.toBe(2);
    expect(ours.modelMaxLength).toBe(512);
    expect(ours.padTokenId).toBe(1);
  });

  it("declines the WordPiece test model and tokenizers with settings it does not reproduce", async () => {
    expect(readByteLevelBpe(TEST_MODEL_DIR)).toMatchObject({ ok: false, reason: expect.stringMatching(/WordPiece/) });
    const dir = await makeTempDir("codesearch-bpe-");
    expect(readByteLevelBpe(dir)).toMatchObject({ ok: false });
    await cp(path.join(SMALL_MODEL_DIR, "tokenizer_config.json"), path.join(dir, "tokenizer_config.json"));
    const json = JSON.parse(readFileSync(path.join(SMALL_MODEL_DIR, "tokenizer.json"), "utf8")) as Record<string, unknown>;
    await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify({ ...json, normalizer: { type: "NFC" } }));
    expect(readByteLevelBpe(dir)).toEqual({ ok: false, reason: "tokenizer has a normalizer" });
    await writeFile(path.join(dir, "tokenizer.json"), JSON.stringify({ ...json, post_processor: { type: "TemplateProcessing" } }));
    expect(readByteLevelBpe(dir)).toEqual({ ok: false, reason: "post-processor is not RobertaProcessing" });
  });
});
