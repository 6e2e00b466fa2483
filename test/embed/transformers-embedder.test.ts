import { cp, rm } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { NothingToEmbedError } from "../../src/embed/embedder.js";
import { missingModelFiles, modelIdOf, resolveModelSource } from "../../src/embed/model-source.js";
import { loadTransformersEmbedder, meanPoolNormalised, padToLongest } from "../../src/embed/transformers-embedder.js";
import { ModelLoadError } from "../../src/model/errors.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

describe("loadTransformersEmbedder with the local test model", () => {
  it("returns one L2-normalised 768-d vector per text, deterministically", async () => {
    const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true });
    try {
      expect(embedder.dimension).toBe(768);
      expect(embedder.maxTokens).toBe(512);
      expect(embedder.modelId).toBe(TEST_MODEL_DIR);
      const texts = ["def retry_request(conn): reset connection", "def parse_json_header(text)", "x".repeat(20_000)];
      const first = await embedder.embed(texts);
      const again = await embedder.embed([texts[0]!]);
      expect(first).toHaveLength(3);
      for (const v of first) {
        expect(v).toBeInstanceOf(Float32Array);
        expect(v.length).toBe(768);
        expect(Math.hypot(...v)).toBeCloseTo(1, 5);
      }
      // Batched and alone give the same vector (padding is masked out of the mean).
      expect(cosine(first[0]!, again[0]!)).toBeCloseTo(1, 5);
      const query = (await embedder.embed(["retry the request when the connection resets"]))[0]!;
      expect(cosine(query, first[0]!)).toBeGreaterThan(cosine(query, first[1]!) + 0.3);
    } finally {
      await embedder.dispose();
    }
  });

  it("counts tokens after truncation, special tokens included", async () => {
    const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true, maxTokens: 64 });
    const [short, long] = embedder.tokenCounts!(["def f(): pass", "word ".repeat(1000)]);
    expect(long).toBe(64);
    expect(short).toBeGreaterThan(2);
    expect(short).toBeLessThan(12);
    await embedder.dispose();
  });

  it("caps --max-tokens at the tokenizer's limit", async () => {
    const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: TEST_MODEL_DIR }, cacheDir: "/nonexistent", offline: true, maxTokens: 4096 });
    expect(embedder.maxTokens).toBe(512);
    await embedder.dispose();
  });

  it("names the missing files of an incomplete local model directory", async () => {
    const dir = path.join(await makeTempDir(), "model");
    await cp(TEST_MODEL_DIR, dir, { recursive: true });
    await rm(path.join(dir, "tokenizer.json"));
    const error = await loadTransformersEmbedder({ source: { kind: "local", dir }, cacheDir: "/nonexistent", offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).missingFiles).toEqual(["tokenizer.json"]);
  });

  it("reports a corrupt ONNX file as a ModelLoadError", async () => {
    const dir = path.join(await makeTempDir(), "model");
    await cp(TEST_MODEL_DIR, dir, { recursive: true });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "onnx", "model_quantized.onnx"), "not an onnx file");
    const warn = vi.spyOn(console, "warn");
    const error = await loadTransformersEmbedder({ source: { kind: "local", dir }, cacheDir: "/nonexistent", offline: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(
      new RegExp(`^could not load model ${dir}: ONNX Runtime could not load the model on the CPU \\(Failed to load model because protobuf parsing failed\\.`),
    );
    // Neither transformers.js's warnings nor its silent WASM fallback reach the user.
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

describe("padToLongest", () => {
  it("pads each row to the batch's longest row, not to the token limit", () => {
    const { inputIds, attentionMask, width } = padToLongest([[0, 11, 12, 2], [0, 13, 2]], 1);
    expect(width).toBe(4);
    expect(Array.from(inputIds)).toEqual([0n, 11n, 12n, 2n, 0n, 13n, 2n, 1n]);
    expect(Array.from(attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]);
  });
});

describe("meanPoolNormalised", () => {
  it("averages only unmasked tokens and normalises", () => {
    // batch 1, 3 tokens, width 2; the third token is padding
    const hidden = new Float32Array([3, 0, 0, 4, 100, 100]);
    const [v] = meanPoolNormalised(hidden, new BigInt64Array([1n, 1n, 0n]), 1, 3, 2);
    expect(Array.from(v!)).toEqual([0.6000000238418579, 0.800000011920929]);
  });

  it("throws on a row with no unmasked token", () => {
    expect(() => meanPoolNormalised(new Float32Array(2), new BigInt64Array([0n]), 1, 1, 2)).toThrow(NothingToEmbedError);
  });

  it("throws on a row that pools to a zero vector", () => {
    expect(() => meanPoolNormalised(new Float32Array(2), new BigInt64Array([1n]), 1, 1, 2)).toThrow(/zero or non-finite/);
  });
});

describe("resolveModelSource / missingModelFiles", () => {
  it.each([
    ["onnx-community/codebert-base-ONNX", { kind: "hub", id: "onnx-community/codebert-base-ONNX" }],
    ["./fixtures/model", { kind: "local", dir: path.resolve("/repo", "fixtures/model") }],
    ["/abs/model", { kind: "local", dir: "/abs/model" }],
  ])("%s", (spec, expected) => {
    expect(resolveModelSource(spec, "/repo")).toEqual(expected);
  });

  it("resolves a bundled model's name to the package's folder and keeps the name as its id", () => {
    const source = resolveModelSource("codesearch-small", "/anywhere");
    expect(source).toEqual({ kind: "local", dir: path.resolve("models/codesearch-small"), alias: "codesearch-small" });
    expect(modelIdOf(source)).toBe("codesearch-small");
  });

  it("treats an existing directory given without ./ as local", () => {
    expect(resolveModelSource("model", path.dirname(TEST_MODEL_DIR))).toEqual({ kind: "local", dir: TEST_MODEL_DIR });
  });

  it("lists nothing for the complete test model, and the ONNX file asked for", () => {
    expect(missingModelFiles(TEST_MODEL_DIR, true)).toEqual([]);
    expect(missingModelFiles("/nonexistent", false)).toEqual(["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"]);
  });
});
