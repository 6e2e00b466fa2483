import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimateEmbedding } from "../../src/embed/embedding-estimate.js";
import type { RemoteModelSource } from "../../src/embed/index.js";
import { indexRepo } from "../../src/pipeline/index-repo.js";
import { formatEstimate } from "../../src/report/summary-text.js";
import { listEntities, openDatabase } from "../../src/store/index.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

const remote: RemoteModelSource = { kind: "openai", baseUrl: "http://127.0.0.1:9/v1", model: "text-embedding-3-small", apiKeyEnv: "OPENAI_API_KEY" };

function options(repoRoot: string) {
  return { repoRoot, indexDir: path.join(repoRoot, ".codesearch"), cwd: repoRoot, modelCacheDir: "/nonexistent", offline: true, sink: () => {} };
}

describe("estimateEmbedding", () => {
  it.each([
    // texts, limits, expected
    [["abcd", "abcdefgh", ""], { tokenLimit: 512, maxItems: 8 }, { tokens: 3, batches: 1, batchUnit: "model call", truncated: 0, empty: 1 }],
    [["a".repeat(40), "b".repeat(8)], { tokenLimit: 4, maxItems: 100, maxTokens: 100 }, { tokens: 6, batches: 1, batchUnit: "request", truncated: 1, empty: 0 }],
    [["a".repeat(40), "b".repeat(40), "c".repeat(40)], { tokenLimit: 512, maxItems: 100, maxTokens: 20 }, { tokens: 30, batches: 2, batchUnit: "request", truncated: 0, empty: 0 }],
    [Array(5).fill("x"), { tokenLimit: 512, maxItems: 2 }, { tokens: 5, batches: 3, batchUnit: "model call", truncated: 0, empty: 0 }],
  ])("%j with %j", (texts, limits, expected) => {
    expect(estimateEmbedding(texts, limits)).toEqual(expected);
  });

  it("formats as one summary value", () => {
    expect(formatEstimate({ tokens: 697_211, batches: 64, batchUnit: "request", truncated: 3, empty: 2 })).toBe(
      "~697,211 tokens (~4 characters per token) in 64 requests, 3 over the token limit (truncated), 2 empty (skipped)",
    );
    expect(formatEstimate({ tokens: 10, batches: 1, batchUnit: "model call", truncated: 0, empty: 0 })).toBe("~10 tokens (~4 characters per token) in 1 model call");
  });
});

describe("indexRepo --dry-run with a remote model", () => {
  it("estimates tokens and requests for the entities to embed, sending and writing nothing", async () => {
    const repo = await copyPythonFixtures();
    const dry = await indexRepo({ ...options(repo), source: remote, remote: { batchSize: 5 }, dryRun: true });
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);

    // The texts a real run stores, to check the arithmetic against.
    await indexRepo({ ...options(repo), model: TEST_MODEL_DIR });
    const texts = (await listEntities(await openDatabase(path.join(repo, ".codesearch")))).map((c) => c.text);
    expect(dry.modelId).toBe("openai:127.0.0.1:9/text-embedding-3-small");
    expect(dry.chunksEmbedded).toBe(texts.length);
    expect(dry.estimate).toEqual({
      tokens: texts.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0),
      batches: Math.ceil(texts.length / 5),
      batchUnit: "request",
      truncated: 0,
      empty: 0,
    });

    const cut = await indexRepo({ ...options(repo), source: remote, maxTokens: 16, rebuild: true, dryRun: true });
    expect(cut.estimate).toMatchObject({ truncated: texts.filter((t) => t.length > 64).length, batches: 1 });
  });
});

describe("indexRepo --dry-run with a local model that declares its batch size", () => {
  it("counts model calls of codesearch-small's 64 texts, not one call per text", async () => {
    const repo = await copyPythonFixtures();
    const dry = await indexRepo({ ...options(repo), model: "codesearch-small", dryRun: true });
    expect(dry.chunksEmbedded).toBeGreaterThan(1);
    expect(dry.estimate).toMatchObject({ batchUnit: "model call", batches: Math.ceil(dry.chunksEmbedded / 64) });
  });
});
