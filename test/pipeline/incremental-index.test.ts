import { existsSync } from "node:fs";
import { appendFile, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import { indexRepo } from "../../src/pipeline/index-repo.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { readCatalog } from "../../src/store/file-catalog.js";
import { SCHEMA_VERSION } from "../../src/store/index-manifest.js";
import { countingLoader } from "../support/counting-loader.js";
import { fakeEmbedder } from "../support/fake-embedders.js";
import { indexInProcess } from "../support/index-in-process.js";
import { snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

const index = indexInProcess;

/** The incremental index of `repo` equals a from-scratch index of the same tree: same rows, same vectors. */
async function expectEqualToFromScratch(repo: string): Promise<void> {
  const fresh = await makeTempDir("codesearch-fresh-");
  await index(repo, { indexDir: fresh });
  const incremental = await snapshotIndex(path.join(repo, ".codesearch"));
  expect(incremental.length).toBeGreaterThan(0);
  expect(incremental).toEqual(await snapshotIndex(fresh));
}

describe("incremental re-indexing ends equal to a from-scratch index", () => {
  it.each([
    ["a file is added", async (repo: string) => writeFile(path.join(repo, "shop", "coupons.py"), "def apply_coupon(cart, code):\n    return cart\n"), 1],
    ["a function body is edited", async (repo: string) => {
      const file = path.join(repo, "shop", "net", "retry.py");
      await writeFile(file, (await readFile(file, "utf8")).replace("Decorator form of retry_request().", "Retry decorator."));
    }, 1],
    ["a file is deleted", async (repo: string) => rm(path.join(repo, "scripts", "tool.py")), 0],
    ["a file is renamed", async (repo: string) => rename(path.join(repo, "shop", "cart.py"), path.join(repo, "shop", "basket.py")), 0],
    ["a function is moved to another file", async (repo: string) => {
      const from = path.join(repo, "shop", "net", "retry.py");
      const text = await readFile(from, "utf8");
      const start = text.indexOf("def backoff_delay");
      const end = text.indexOf("\ndef ", start + 1);
      await writeFile(from, text.slice(0, start) + text.slice(end + 1));
      await appendFile(path.join(repo, "scripts", "tool.py"), `\n\n${text.slice(start, end)}\n`);
    }, 0],
    ["a function is deleted from a file", async (repo: string) => {
      const file = path.join(repo, "shop", "net", "retry.py");
      const text = await readFile(file, "utf8");
      const start = text.indexOf("def backoff_delay");
      await writeFile(file, text.slice(0, start) + text.slice(text.indexOf("\ndef ", start + 1) + 1));
    }, 0],
    ["a directory becomes ignored", async (repo: string) => appendFile(path.join(repo, ".gitignore"), "scripts/\n"), 0],
    ["a file becomes binary", async (repo: string) => writeFile(path.join(repo, "scripts", "tool.py"), Buffer.from([0x64, 0x65, 0x66, 0, 1, 2])), 0],
  ])("when %s (embedding only what changed)", async (_name, change, expectedEmbedded) => {
    const repo = await copyPythonFixtures();
    await index(repo);
    await change(repo);
    const { summary } = await index(repo);
    expect(summary.chunksEmbedded).toBe(expectedEmbedded);
    await expectEqualToFromScratch(repo);
  });

  it("a touched file (new mtime, same bytes) is hashed, not re-parsed, and is unchanged on the next run", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    const file = path.join(repo, "shop", "cart.py");
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
    const touched = await index(repo);
    expect(touched.summary.filesIndexed).toBe(0);
    expect(touched.events.some((e) => e.type === "file-extracted")).toBe(false);
    expect((await readCatalog(path.join(repo, ".codesearch"))).catalog.get("shop/cart.py")!.mtimeMs).toBe((await stat(file)).mtimeMs);
    const again = await index(repo);
    expect(again.events.find((e) => e.type === "plan-ready")).toMatchObject({ filesToRead: 0, filesChanged: 0 });
  });

  it("rebuilds a missing entity table from the cache without loading the model", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    await rm(path.join(repo, ".codesearch", "entities.lance"), { recursive: true });
    const { summary, events, loads } = await index(repo);
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: "the entity table is missing or damaged" });
    expect(loads).toBe(0);
    expect(summary.chunksFromCache).toBe(summary.chunksStored);
    await expectEqualToFromScratch(repo);
  });

  it("rebuilds a damaged table (data files gone) and an unreadable catalog", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    await rm(path.join(repo, ".codesearch", "entities.lance", "data"), { recursive: true });
    await writeFile(path.join(repo, ".codesearch", "catalog.json"), "{ not json");
    const { events, loads } = await index(repo);
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: "the catalog was unreadable" });
    expect(loads).toBe(0);
    await expectEqualToFromScratch(repo);
  });
});

describe("indexes of another schema version", () => {
  it("are refused with a hint, and --rebuild rebuilds them exactly", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    const manifestFile = path.join(repo, ".codesearch", "manifest.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { schemaVersion: number };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, schemaVersion: 1 }));
    await expect(index(repo)).rejects.toThrow(`has schema version 1, this codesearch reads version ${SCHEMA_VERSION}; run \`codesearch index\` with --rebuild`);
    // Without --model, the rebuild uses the model the old index records.
    const { events, summary } = await index(repo, { rebuild: true, model: undefined });
    expect(summary.modelId).toBe(TEST_MODEL_DIR);
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: "the index had no usable manifest (another schema version)" });
    await expectEqualToFromScratch(repo);
  });
});

describe("index run options", () => {
  it("--dry-run reports what would happen and writes nothing", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    await writeFile(path.join(repo, "shop", "coupons.py"), "def apply_coupon(cart, code):\n    return cart\n");
    await rm(path.join(repo, "scripts", "tool.py"));
    const before = await snapshotIndex(path.join(repo, ".codesearch"));
    const catalogBefore = await readFile(path.join(repo, ".codesearch", "catalog.json"), "utf8");
    const { summary, loads } = await index(repo, { dryRun: true });
    expect(loads).toBe(0);
    expect(summary).toMatchObject({ dryRun: true, filesIndexed: 1, filesRemoved: 1, chunksEmbedded: 1, chunksFromCache: 0 });
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(before);
    expect(await readFile(path.join(repo, ".codesearch", "catalog.json"), "utf8")).toBe(catalogBefore);
  });

  it("--dry-run on a repository never indexed creates no index folder", async () => {
    const repo = await copyPythonFixtures();
    const { summary } = await index(repo, { dryRun: true });
    expect(summary.chunksEmbedded).toBe(summary.entitiesFound);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
  });

  it("--max-items caps a run, stores only whole files, and the next run continues to an exact index", async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 5);
    const first = await index(repo, { maxItems: 7 });
    expect(first.summary).toMatchObject({ stopReason: "max-items", chunksEmbedded: 7, chunksPending: 13 });
    // 7 misses in file order complete mod_0 (5) and leave mod_1 partial: only mod_0's rows are stored.
    expect(first.summary.chunksStored).toBe(5);
    const second = await index(repo);
    expect(second.summary).toMatchObject({ stopReason: null, chunksEmbedded: 13, chunksFromCache: 2, chunksPending: 0 });
    await expectEqualToFromScratch(repo);
  });

  it("an aborted run stops after the batch in flight, saves what it embedded, and the next run resumes from the cache", async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 6, 6);
    const controller = new AbortController();
    let embedded = 0;
    const events: IndexEvent[] = [];
    const summary = await indexRepo({
      repoRoot: repo, indexDir: path.join(repo, ".codesearch"), cwd: repo, model: TEST_MODEL_DIR,
      modelCacheDir: "/nonexistent", offline: true, batchSize: 4, loadEmbedder: countingLoader(), signal: controller.signal,
      sink: (e) => {
        events.push(e);
        if (e.type === "chunk-embedded" && ++embedded === 10) controller.abort();
      },
    });
    expect(summary.stopReason).toBe("interrupted");
    expect(summary.chunksEmbedded).toBe(12); // the batch of 4 in flight when the 10th arrived completes
    expect(events.some((e) => e.type === "stop-requested")).toBe(true);
    const resumed = await index(repo);
    // Nothing embedded before the stop is embedded again: stored files are unchanged, the rest are cache hits.
    expect(resumed.summary.chunksEmbedded).toBe(36 - 12);
    expect(summary.chunksStored + resumed.summary.chunksFromCache).toBe(12);
    await expectEqualToFromScratch(repo);
  });

  it("--retry-failed re-attempts only what failed; a normal run leaves recorded failures alone", async () => {
    const repo = await copyPythonFixtures();
    const poisoned: EmbedderLoader = async () => fakeEmbedder({ dimension: 768, modelId: TEST_MODEL_DIR, poisoned: (t) => t.startsWith("backoff_delay") });
    const broken = await index(repo, { loadEmbedder: poisoned });
    expect(broken.summary.failures.map((f) => f.qualifiedName)).toEqual(["backoff_delay"]);
    expect((await readCatalog(path.join(repo, ".codesearch"))).catalog.get("shop/net/retry.py")!.failures).toHaveLength(1);

    const normal = await index(repo);
    expect(normal.loads).toBe(0);
    expect(normal.summary.filesIndexed).toBe(0);

    const healthy = fakeEmbedder({ dimension: 768, modelId: TEST_MODEL_DIR });
    const retried = await index(repo, { retryFailed: true, loadEmbedder: async () => healthy });
    expect(retried.summary.filesIndexed).toBe(1);
    expect(healthy.calls.flat()).toHaveLength(1);
    expect(retried.summary.failures).toEqual([]);
    expect((await readCatalog(path.join(repo, ".codesearch"))).catalog.get("shop/net/retry.py")!.failures).toEqual([]);
  });

  it("--exclude leaves matching files out and removes their rows", async () => {
    const repo = await copyPythonFixtures();
    await index(repo);
    const { summary } = await index(repo, { exclude: ["scripts/"] });
    expect(summary.filesRemoved).toBe(1);
    const rows = await snapshotIndex(path.join(repo, ".codesearch"));
    expect(rows.some((r) => r.path.startsWith("scripts/"))).toBe(false);
  });
});
