import { cp } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { resolveModelSource } from "../../src/embed/model-source.js";
import { loadTransformersEmbedder } from "../../src/embed/transformers-embedder.js";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

/** fixtures/python-semantic: the only function that hashes a file shares no word with the query below; three others share "compute" and "file". */
const SEMANTIC_FIXTURES_DIR = path.join(PROJECT_ROOT, "fixtures", "python-semantic");
const QUERY = "compute the checksum of a file";

async function indexedCopy(model: string): Promise<string> {
  const repo = path.join(await makeTempDir(), "repo");
  await cp(SEMANTIC_FIXTURES_DIR, repo, { recursive: true });
  const index = await runCli(["index", ".", "--model", model, "--json"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
  expect(index.code, index.stderr).toBe(0);
  return repo;
}

async function topNames(repo: string, mode: string): Promise<string[]> {
  const search = await runCli(["search", QUERY, "--mode", mode, "--json", "-n", "3"], { cwd: repo, env: { CODESEARCH_OFFLINE: "1" } });
  expect(search.code, search.stderr).toBe(0);
  return (JSON.parse(search.stdout) as { results: SearchHitJson[] }).results.map((hit) => hit.name);
}

describe("the bundled codesearch-small model", () => {
  it("loads offline by name, splits identifiers as in training, and declares its batch size", async () => {
    const embedder = await loadTransformersEmbedder({ source: resolveModelSource("codesearch-small", "/"), cacheDir: "/nonexistent", offline: true });
    try {
      expect(embedder.modelId).toBe("codesearch-small");
      expect(embedder.preferredBatchSize).toBe(64);
      const [split, spelled, other] = await embedder.embed(["def parseHTTPHeader(raw_bytes):", "def parse http header raw bytes", "open a socket"]);
      let same = 0;
      let different = 0;
      for (let d = 0; d < embedder.dimension; d++) {
        same += split![d]! * spelled![d]!;
        different += split![d]! * other![d]!;
      }
      expect(same).toBeGreaterThan(0.9999);
      expect(different).toBeLessThan(0.9);
    } finally {
      await embedder.dispose();
    }
  });

  it("puts the function that means the query first, where lexical search does not", async () => {
    const repo = await indexedCopy("codesearch-small");
    // The model of every language (issue 20) ranks it second by vector, after count_file_lines;
    // lexical search ranks it below functions that share the query's words (it reaches the top
    // three only through its file's name, files.py); the default mode puts it first.
    expect((await topNames(repo, "vector")).slice(0, 2)).toContain("sha256_of");
    expect((await topNames(repo, "lexical"))[0]).not.toBe("sha256_of");
    expect((await topNames(repo, "hybrid"))[0]).toBe("sha256_of");
    // The index records the model by name, so search reloads it from the installed package.
    const status = await runCli(["status", "--json"], { cwd: repo });
    expect(JSON.parse(status.stdout)).toMatchObject({ modelId: "codesearch-small" });
  });

  it("is needed for that: the word-overlap test model misses the same function", async () => {
    const repo = await indexedCopy(TEST_MODEL_DIR);
    expect((await topNames(repo, "vector"))[0]).not.toBe("sha256_of");
  });
});
