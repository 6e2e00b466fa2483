// `--shared-cache` and CODESEARCH_CACHE_DIR through the built CLI: a second clone reuses the first one's vectors.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { copyPythonFixtures, makeTempDir, TEST_MODEL_DIR } from "../support/temp-dirs.js";

describe("codesearch index with the per-user shared cache", () => {
  it("embeds nothing in a second clone and says where its vectors came from; off turns it off", async () => {
    const shared = path.join(await makeTempDir("codesearch-shared-"), "embeddings");
    const first = await runCli(["index", "--model", TEST_MODEL_DIR, "--shared-cache", shared], { cwd: await copyPythonFixtures() });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/entities\s+\d+ found: (\d+) embedded, 0 from cache/);

    const clone = await copyPythonFixtures();
    const second = await runCli(["index", "--model", TEST_MODEL_DIR, "--json"], { cwd: clone, env: { CODESEARCH_CACHE_DIR: shared } });
    expect(second.code).toBe(0);
    const finished = second.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; summary?: Record<string, unknown> }).find((e) => e.type === "index-finished")!;
    expect(finished.summary).toMatchObject({ chunksEmbedded: 0 });
    expect(finished.summary!.chunksFromSharedCache).toBe(finished.summary!.chunksStored);

    const off = await runCli(["index", "--model", TEST_MODEL_DIR, "--shared-cache", "off"], { cwd: await copyPythonFixtures(), env: { CODESEARCH_CACHE_DIR: shared } });
    expect(off.code).toBe(0);
    expect(off.stderr).not.toMatch(/shared cache/);
    expect(off.stderr).toMatch(/found: [1-9]\d* embedded, 0 from cache/);
  });

  it("refuses a bad size cap as a usage error before reading anything", async () => {
    const result = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: await copyPythonFixtures(), env: { CODESEARCH_CACHE_DIR: "/tmp/x", CODESEARCH_CACHE_MAX_MB: "lots" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/CODESEARCH_CACHE_MAX_MB/);
  });
});
