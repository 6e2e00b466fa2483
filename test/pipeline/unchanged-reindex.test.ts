// Issue 22: a re-index that finds nothing changed touches neither the embedding cache nor the
// committed catalog and table; it records its run in the manifest, which still names the same commit.
import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyIndex } from "../../src/pipeline/verify-index.js";
import { readManifest } from "../../src/store/index-manifest.js";
import { fakeEmbedder } from "../support/fake-embedders.js";
import { indexInProcess } from "../support/index-in-process.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const loadEmbedder = async () => fakeEmbedder({ dimension: 32, modelId: TEST_MODEL_DIR });

describe("an unchanged re-index", () => {
  it("leaves the cache unopened and the catalog as committed, names the same commit, and verifies sound", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir("codesearch-unchanged-");
    await writeSyntheticRepo(repo, 4, 5);
    const indexDir = path.join(repo, ".codesearch");
    await indexInProcess(repo, { loadEmbedder });
    const catalogBefore = await readFile(path.join(indexDir, "catalog.json"), "utf8");
    const manifestBefore = await readManifest(indexDir);
    // A cache that any opening would find corrupt and set aside: left as it is, nobody opened it.
    const pointer = path.join(indexDir, "embedding-cache", "current.json");
    await writeFile(pointer, "not a cache pointer");
    // Likewise the catalog's references file: only the structural tools (and verify) read it.
    const referencesFile = path.join(indexDir, (await readdir(indexDir)).find((name) => name.startsWith("references-"))!);
    await writeFile(referencesFile, "not references");

    const { summary, events } = await indexInProcess(repo, { loadEmbedder });
    expect(summary).toMatchObject({ filesIndexed: 0, filesUnchanged: 4, chunksEmbedded: 0, failures: [] });
    expect(await readFile(pointer, "utf8")).toBe("not a cache pointer");
    expect(await readFile(referencesFile, "utf8")).toBe("not references");
    expect(await readFile(path.join(indexDir, "catalog.json"), "utf8")).toBe(catalogBefore);
    const manifestAfter = await readManifest(indexDir);
    expect(manifestAfter).toMatchObject({ tableVersion: manifestBefore!.tableVersion, generation: manifestBefore!.generation });
    expect(manifestAfter!.lastRun.finishedAt >= manifestBefore!.lastRun.finishedAt).toBe(true);
    expect(events.some((e) => e.type === "index-finished")).toBe(true);
    // verify (a thorough check) finds the references file altered; the table and catalog are sound.
    const report = await verifyIndex({ cwd: repo, repoRoot: repo });
    expect(report.problems.filter((p) => !/cache/i.test(p))).toEqual([`the references file ${path.basename(referencesFile)} changed after it was written`]);

    // The next run that has something to embed opens the cache, sets the damaged one aside and commits anew.
    await appendFile(path.join(repo, "pkg", "mod_0.py"), "\n\ndef brand_new_function():\n    return 42\n");
    const next = await indexInProcess(repo, { loadEmbedder });
    expect(next.summary.filesIndexed).toBe(1);
    expect(next.events.find((e) => e.type === "cache-checked")).toMatchObject({ cacheState: "corrupt-rebuilt" });
    expect((await readManifest(indexDir))!.generation).not.toBe(manifestBefore!.generation);
  });
});
