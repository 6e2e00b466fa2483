// An index built when codesearch-small ran on transformers.js keeps working with the light runtime
// the default loader now picks: same model id and token limit, so every cached vector is a hit.
import { describe, expect, it } from "vitest";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { loadEmbedderFromRequest, type EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { indexInProcess } from "../support/index-in-process.js";
import { copyPythonFixtures } from "../support/temp-dirs.js";

const transformersOnly: EmbedderLoader = (request) => {
  if (request.source.kind === "openai") throw new Error("not a local model");
  return loadTransformersEmbedder({ source: request.source, cacheDir: request.cacheDir, offline: request.offline, maxTokens: request.maxTokens });
};

describe("loadEmbedderFromRequest with codesearch-small", () => {
  it("re-indexes an index built with transformers.js entirely from its embedding cache", { timeout: 120_000 }, async () => {
    const repo = await copyPythonFixtures();
    const first = await indexInProcess(repo, { model: "codesearch-small", loadEmbedder: transformersOnly });
    expect(first.summary.chunksEmbedded).toBeGreaterThan(20);

    const again = await indexInProcess(repo, { model: "codesearch-small", loadEmbedder: loadEmbedderFromRequest, rebuild: true });
    expect(again.summary.modelId).toBe("codesearch-small");
    expect(again.summary.chunksEmbedded).toBe(0);
    expect(again.summary.chunksFromCache).toBe(first.summary.chunksEmbedded);
  });
});
