// The light runtime (our BPE tokenizer + onnxruntime-node) against the transformers.js embedder on
// the shipped codesearch-small: same vectors, token counts, id and limits; other folders declined.
import { cp, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Embedder, NothingToEmbedError } from "../../src/embed/embedder.js";
import { bundledModelDir, resolveModelSource } from "../../src/embed/model-source.js";
import { loadOnnxEmbedder } from "../../src/embed/onnx-embedder.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { ModelLoadError } from "../../src/model/errors.js";
import { fixtureTexts } from "../support/fixture-texts.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let max = 0;
  a.forEach((row, r) => row.forEach((v, d) => (max = Math.max(max, Math.abs(v - b[r]![d]!)))));
  return max;
}

describe("loadOnnxEmbedder", () => {
  it("gives the transformers.js embedder's vectors, token counts, id and limits for codesearch-small", { timeout: 60_000 }, async () => {
    const source = resolveModelSource("codesearch-small", process.cwd());
    if (source.kind !== "local") throw new Error("codesearch-small is not a local folder");
    const light = await loadOnnxEmbedder({ source, maxTokens: 128 });
    if (!light.ok) throw new Error(light.reason);
    const reference: Embedder = await loadTransformersEmbedder({ source, cacheDir: "/nonexistent", offline: true, maxTokens: 128 });
    try {
      expect({ ...light.embedder, embed: 0, tokenCounts: 0, dispose: 0 }).toEqual({ ...reference, embed: 0, tokenCounts: 0, dispose: 0 });
      expect(light.embedder).toMatchObject({ modelId: "codesearch-small", dimension: 256, maxTokens: 128, preferredBatchSize: 64 });
      const texts = [...(await fixtureTexts()), "python check if a variable is iterable", "emoji 😀 CJK 中文 <s> tag", "word ".repeat(400)];
      expect(light.embedder.tokenCounts!(texts)).toEqual(reference.tokenCounts!(texts));
      // One padded batch, and one text at a time.
      expect(maxAbsDiff(await light.embedder.embed(texts), await reference.embed(texts))).toBeLessThanOrEqual(1e-6);
      const one = [];
      for (const text of texts.slice(0, 5)) one.push(...(await light.embedder.embed([text])));
      expect(maxAbsDiff(one, await reference.embed(texts.slice(0, 5)))).toBeLessThanOrEqual(1e-6);
      // Punctuation only: split-identifiers leaves nothing, and both runtimes say so by type.
      for (const embedder of [light.embedder, reference]) await expect(embedder.embed(["def f(): pass", "!!!"])).rejects.toEqual(new NothingToEmbedError(1));
    } finally {
      await light.embedder.dispose();
      await reference.dispose();
    }
  });

  it("declines the WordPiece test model, so transformers.js loads it", async () => {
    expect(await loadOnnxEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR } })).toMatchObject({ ok: false, reason: expect.stringMatching(/WordPiece/) });
  });

  it("throws ModelLoadError naming the missing ONNX file", async () => {
    const dir = await makeTempDir("codesearch-onnx-");
    await cp(bundledModelDir("codesearch-small"), dir, { recursive: true });
    await rm(path.join(dir, "onnx"), { recursive: true });
    const loading = loadOnnxEmbedder({ source: { kind: "local", dir } });
    await expect(loading).rejects.toBeInstanceOf(ModelLoadError);
    await expect(loading).rejects.toMatchObject({ missingFiles: ["onnx/model_quantized.onnx"] });
  });
});
