// The token-table embedder (codesearch-small computed in JavaScript from its ONNX file's table)
// against onnxruntime-node running the same file: same vectors, token counts, id and limits; a
// folder without the declaration, or with another graph, is declined; the shared cache's model
// fingerprint follows the table.
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NothingToEmbedError } from "../../src/embed/embedder.js";
import { bundledModelDir } from "../../src/embed/model-source.js";
import { MODEL_SETTINGS_FILE } from "../../src/embed/model-settings.js";
import { loadOnnxEmbedder } from "../../src/embed/onnx-embedder.js";
import { OnnxFormatError, readOnnxGraph } from "../../src/embed/onnx-graph.js";
import { modelFingerprint } from "../../src/embed/shared-embedding-cache.js";
import { loadTokenTableEmbedder } from "../../src/embed/token-table-embedder.js";
import { fixtureTexts } from "../support/fixture-texts.js";
import { makeTempDir } from "../support/temp-dirs.js";

const SMALL = { kind: "local" as const, dir: bundledModelDir("codesearch-small"), alias: "codesearch-small" };
const ONNX_FILE = "onnx/model_quantized.onnx";

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, d) => sum + v * b[d]!, 0);

/** A copy of codesearch-small whose ONNX file went through `edit`. */
async function smallCopy(edit: (onnx: Buffer) => Buffer = (onnx) => onnx): Promise<string> {
  const dir = path.join(await makeTempDir("codesearch-token-table-"), "model");
  await cp(SMALL.dir, dir, { recursive: true });
  await writeFile(path.join(dir, ONNX_FILE), edit(await readFile(path.join(dir, ONNX_FILE))));
  return dir;
}

/** `onnx` with the bytes of `from` replaced by `to` (same length) where they first occur after `after`. */
function replaceBytes(onnx: Buffer, from: string, to: string, after = 0): Buffer {
  const at = onnx.indexOf(from, after);
  if (at < 0 || from.length !== to.length) throw new Error(`${from} not in the ONNX file`);
  const copy = Buffer.from(onnx);
  copy.write(to, at);
  return copy;
}

describe("loadTokenTableEmbedder", () => {
  it("gives onnxruntime's vectors (cosine ≥ 0.9999), token counts, id and limits for codesearch-small", { timeout: 60_000 }, async () => {
    const table = await loadTokenTableEmbedder({ source: SMALL, maxTokens: 128 });
    if (!table.ok) throw new Error(table.reason);
    const onnx = await loadOnnxEmbedder({ source: SMALL, maxTokens: 128 });
    if (!onnx.ok) throw new Error(onnx.reason);
    try {
      expect({ ...table.embedder, embed: 0, tokenCounts: 0, dispose: 0 }).toEqual({ ...onnx.embedder, embed: 0, tokenCounts: 0, dispose: 0 });
      expect(table.embedder).toMatchObject({ modelId: "codesearch-small", dimension: 256, maxTokens: 128, preferredBatchSize: 64 });
      const texts = [...(await fixtureTexts()), "python check if a variable is iterable", "emoji 😀 CJK 中文 <s> tag", "word ".repeat(400), "read read read the file"];
      expect(texts.length).toBeGreaterThan(20);
      expect(table.embedder.tokenCounts!(texts)).toEqual(onnx.embedder.tokenCounts!(texts));
      const fromTable = await table.embedder.embed(texts);
      const fromOnnx = await onnx.embedder.embed(texts);
      expect(fromTable).toHaveLength(texts.length);
      for (let i = 0; i < texts.length; i++) {
        expect(fromTable[i]).toHaveLength(256);
        expect(cosine(fromTable[i]!, fromOnnx[i]!), texts[i]).toBeGreaterThanOrEqual(0.9999);
      }
      // Punctuation only: split-identifiers leaves nothing, and both runtimes say so by type.
      for (const embedder of [table.embedder, onnx.embedder]) await expect(embedder.embed(["def f(): pass", "!!!"])).rejects.toEqual(new NothingToEmbedError(1));
    } finally {
      await table.embedder.dispose();
      await onnx.embedder.dispose();
    }
  });

  it("declines a folder whose codesearch.json does not declare token-mean", async () => {
    const dir = await smallCopy();
    await writeFile(path.join(dir, MODEL_SETTINGS_FILE), JSON.stringify({ textPreparation: "split-identifiers", batchSize: 64 }));
    expect(await loadTokenTableEmbedder({ source: { kind: "local", dir } })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not declare/) });
  });

  it("declines a declared folder whose graph is not the token table, or whose ONNX file is cut short", async () => {
    // The last node multiplies the rows by their weights; an Add there is another model.
    const added = await smallCopy((onnx) => replaceBytes(onnx, "Mul", "Add", onnx.indexOf("Unsqueeze")));
    expect(await loadTokenTableEmbedder({ source: { kind: "local", dir: added } })).toMatchObject({ ok: false, reason: expect.stringMatching(/not export_onnx.py's token table/) });
    const cut = await smallCopy((onnx) => onnx.subarray(0, onnx.length - 1000));
    expect(await loadTokenTableEmbedder({ source: { kind: "local", dir: cut } })).toMatchObject({ ok: false, reason: expect.stringMatching(/could not be read/) });
  });

  it("computes from the table in the file: a changed table changes the vectors and the shared cache's model fingerprint", async () => {
    const original = await smallCopy();
    const table = readOnnxGraph(await readFile(path.join(original, ONNX_FILE))).initializers.get("table_int8")!;
    const before = await loadTokenTableEmbedder({ source: { kind: "local", dir: original } });
    if (!before.ok) throw new Error(before.reason);
    // Every int8 value negated (the exporter's values lie in -127…127): each vector turns around.
    const changed = await smallCopy((onnx) => {
      const copy = Buffer.from(onnx);
      for (let at = table.raw.byteOffset; at < table.raw.byteOffset + table.raw.length; at++) copy[at] = (256 - copy[at]!) & 0xff;
      return copy;
    });
    const after = await loadTokenTableEmbedder({ source: { kind: "local", dir: changed } });
    if (!after.ok) throw new Error(after.reason);
    const texts = ["check if a variable is iterable", ...(await fixtureTexts())];
    const [a, b] = [await before.embedder.embed(texts), await after.embedder.embed(texts)];
    for (let i = 0; i < texts.length; i++) expect(cosine(a[i]!, b[i]!)).toBeLessThan(-0.9999);
    expect(await modelFingerprint(changed)).not.toBe(await modelFingerprint(original));
  });
});

describe("readOnnxGraph", () => {
  it("throws OnnxFormatError for bytes that are not a model", () => {
    expect(() => readOnnxGraph(Buffer.from([0x3a, 0x7f, 0x01]))).toThrow(OnnxFormatError);
    expect(() => readOnnxGraph(Buffer.from("just text, no graph"))).toThrow(OnnxFormatError);
  });
});
