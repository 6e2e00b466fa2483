import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverFiles } from "../../src/discover/discover-files.js";
import { extractEntities } from "../../src/extract/extract-entities.js";
import { IndexMismatchError, InterruptedError, NothingIndexedError } from "../../src/model/errors.js";
import type { IndexEvent } from "../../src/model/events.js";
import { SEARCH_MODES } from "../../src/model/search.js";
import type { IndexRepoOptions } from "../../src/pipeline/index-repo.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { listEntities, openDatabase, readManifest, readManifestRecord } from "../../src/store/index.js";
import { countingLoader } from "../support/counting-loader.js";
import { fakeEmbedder } from "../support/fake-embedders.js";
import { indexInProcess } from "../support/index-in-process.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";


/** Indexes with the test model; a test passes `loadEmbedder` to count loads or inject faults. */
const run = (repoRoot: string, overrides: Partial<IndexRepoOptions> = {}) => indexInProcess(repoRoot, overrides);

/** Every definition tree-sitter finds in the fixture tree, as `path:line qualname`. */
async function expectedEntities(repoRoot: string): Promise<string[]> {
  const out: string[] = [];
  for (const { path: file } of (await discoverFiles(repoRoot)).files) {
    const { entities } = await extractEntities(file, await readFile(path.join(repoRoot, file), "utf8"));
    out.push(...entities.map((e) => `${e.path}:${e.startLine} ${e.qualifiedName}`));
  }
  return out.sort();
}

describe("indexRepo on the fixture repository with the test model", () => {
  it("stores every definition tree-sitter finds, reports the syntax error, and skips ignored files", async () => {
    const repo = await copyPythonFixtures({ withBrokenFile: true });
    const loader = countingLoader();
    const { summary, events } = await run(repo, { loadEmbedder: loader });

    const stored = await listEntities(await openDatabase(path.join(repo, ".codesearch")));
    expect(stored.map((c) => `${c.path}:${c.startLine} ${c.qualifiedName}`).sort()).toEqual(await expectedEntities(repo));
    expect(stored.some((c) => c.path.startsWith("build/"))).toBe(false);
    expect(summary.entitiesFound).toBe(stored.length);
    expect(summary.chunksStored).toBe(stored.length);
    expect(summary.chunksEmbedded).toBe(stored.length);
    expect(summary.chunksFromCache).toBe(0);
    expect(summary.filesIndexed).toBe(5);
    expect(stored.filter((c) => c.path === "shop/broken.py").map((c) => c.qualifiedName)).toEqual([
      "parse_price", "broken_total", "Receipt", "Receipt.render", "apply_discount",
    ]);
    expect(summary.dimension).toBe(768);
    expect(summary.failures.map((f) => [f.path, f.stage, f.line])).toEqual([["shop/broken.py", "parse", 10]]);
    expect(loader.loads).toBe(1);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe("run-started");
    expect(types.at(-1)).toBe("index-finished");
    expect(types.filter((t) => t === "chunk-embedded")).toHaveLength(stored.length);
    expect(types.indexOf("store-finished")).toBeGreaterThan(types.lastIndexOf("chunk-embedded"));

    const manifest = await readManifest(path.join(repo, ".codesearch"));
    expect(manifest).toMatchObject({ modelId: TEST_MODEL_DIR, dimension: 768, maxTokens: 512, repoRoot: repo });
    expect(await readFile(path.join(repo, ".codesearch", ".gitignore"), "utf8")).toContain("*");
  });

  it("re-running on an unchanged repository takes every vector from the cache and never loads the model", async () => {
    const repo = await copyPythonFixtures();
    const first = await run(repo, { loadEmbedder: countingLoader() });
    const loader = countingLoader();
    const { summary, events } = await run(repo, { loadEmbedder: loader });
    expect(loader.loads).toBe(0);
    expect(summary.filesUnchanged).toBe(first.summary.filesIndexed);
    expect(summary.filesIndexed).toBe(0);
    expect(summary.chunksFromCache).toBe(0);
    expect(summary.chunksEmbedded).toBe(0);
    expect(summary.chunksStored).toBe(first.summary.chunksStored);
    expect(events.some((e) => e.type === "model-loading" || e.type === "store-started")).toBe(false);
  });

  it("re-embeds only edited code; moved code is a cache hit", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    const retry = path.join(repo, "shop/net/retry.py");
    const original = await readFile(retry, "utf8");
    // Move everything down two lines (same texts) and change one docstring.
    await writeFile(retry, `\n\n${original.replace("Decorator form of retry_request().", "Decorator that retries a call.")}`);
    const loader = countingLoader();
    const { summary } = await run(repo, { loadEmbedder: loader });
    expect(loader.loads).toBe(1);
    expect(summary.filesIndexed).toBe(1);
    expect(summary.chunksEmbedded).toBe(1);
    expect(summary.chunksFromCache).toBe(summary.entitiesFound - 1);
    const stored = await listEntities(await openDatabase(path.join(repo, ".codesearch")));
    const retrying = stored.find((c) => c.qualifiedName === "retrying")!;
    expect(retrying.docstring).toBe("Decorator that retries a call.");
    expect(stored.find((c) => c.qualifiedName === "retry_request")!.startLine).toBe(17);
  });

  it("sets a corrupt cache aside, rebuilds it, and still indexes everything", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    await writeFile(path.join(repo, ".codesearch", "embedding-cache", "current.json"), '{"format": "codesearch-embedding-cache", "vers');
    await writeFile(path.join(repo, "shop", "extra.py"), "def extra():\n    pass\n");
    const { summary, events } = await run(repo, { loadEmbedder: countingLoader() });
    const checked = events.find((e) => e.type === "cache-checked");
    expect(checked).toMatchObject({ cacheState: "corrupt-rebuilt", hits: 0, misses: 1 });
    expect(summary.chunksEmbedded).toBe(1);
    const names = await readdir(path.join(repo, ".codesearch"));
    expect(names.some((n) => n.startsWith("embedding-cache.corrupt-"))).toBe(true);
  });

  it("records a poisoned entity as an embed failure and stores all the others", async () => {
    const repo = await copyPythonFixtures();
    const loader: EmbedderLoader = async () => fakeEmbedder({ dimension: 768, modelId: TEST_MODEL_DIR, poisoned: (t) => t.startsWith("backoff_delay") });
    const { summary } = await run(repo, { loadEmbedder: loader });
    const embedFailures = summary.failures.filter((f) => f.stage === "embed");
    expect(embedFailures.map((f) => [f.path, f.qualifiedName, f.line, f.message])).toEqual([["shop/net/retry.py", "backoff_delay", 10, "poisoned input"]]);
    expect(summary.chunksStored).toBe(summary.entitiesFound - 1);
  });

  it("keeps vectors embedded before a fatal failure in the cache", async () => {
    const repo = await copyPythonFixtures();
    let calls = 0;
    const loader: EmbedderLoader = async () => {
      const inner = fakeEmbedder({ dimension: 768, modelId: TEST_MODEL_DIR });
      return {
        ...inner,
        embed: async (texts) => {
          if (++calls > 2) throw new Error("process is going down");
          return inner.embed(texts);
        },
      };
    };
    // All later batches fail item by item: the run completes with failures, and the first batches' vectors are cached.
    const { summary } = await run(repo, { loadEmbedder: loader, batchSize: 4 });
    expect(summary.chunksEmbedded).toBe(8);
    const keys = await readFile(path.join(repo, ".codesearch", "embedding-cache", "keys-1.jsonl"), "utf8");
    expect(keys.trim().split("\n")).toHaveLength(8);
  });

  it("refuses to mix models: another --model is an IndexMismatchError unless --rebuild", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    const other = fakeEmbedder({ dimension: 768, modelId: "other/model" });
    await expect(run(repo, { model: "other/model", loadEmbedder: async () => other })).rejects.toBeInstanceOf(IndexMismatchError);
    const { summary } = await run(repo, { model: "other/model", rebuild: true, loadEmbedder: async () => other });
    expect(summary.modelId).toBe("other/model");
    expect((await readManifest(path.join(repo, ".codesearch")))!.modelId).toBe("other/model");
  });

  it("--rebuild with the same model re-reads every file and rebuilds the table, from the cache", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    const again = await run(repo, { rebuild: true, loadEmbedder: countingLoader() });
    const plan = again.events.find((e) => e.type === "plan-ready");
    expect(plan).toMatchObject({ filesToRead: 4, filesUnchanged: 0, fullRebuildReason: "--rebuild asked for a full re-index" });
    expect(again.summary).toMatchObject({ filesIndexed: 4, chunksEmbedded: 0, chunksFromCache: 25, chunksStored: 25 });
  });

  it("reuses the model the index records when --model is omitted", async () => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    await writeFile(path.join(repo, "shop", "extra.py"), "def brand_new_helper():\n    return 42\n");
    const loader = countingLoader();
    const { summary } = await run(repo, { model: undefined, loadEmbedder: loader });
    expect(summary.modelId).toBe(TEST_MODEL_DIR);
    expect(summary.chunksEmbedded).toBe(1);
  });

  it("a run that finds nothing is NothingIndexedError and leaves the previous index intact", async () => {
    const empty = await makeTempDir();
    await writeFile(path.join(empty, "notes.txt"), "no python here");
    await expect(run(empty, { loadEmbedder: countingLoader() })).rejects.toBeInstanceOf(NothingIndexedError);

    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    const before = (await listEntities(await openDatabase(path.join(repo, ".codesearch")))).length;
    await writeFile(path.join(repo, "shop", "extra.py"), "def only_new():\n    pass\n");
    const failing: EmbedderLoader = async () => fakeEmbedder({ dimension: 768, modelId: TEST_MODEL_DIR, poisoned: () => true });
    // Everything else is cached, so this run still stores rows; only the new entity fails.
    const { summary } = await run(repo, { loadEmbedder: failing });
    expect(summary.failures.filter((f) => f.stage === "embed").map((f) => f.qualifiedName)).toEqual(["only_new"]);
    expect((await listEntities(await openDatabase(path.join(repo, ".codesearch")))).length).toBe(before);
  });
});

describe("indexRepo stopped early (an aborted signal)", () => {
  it("a stop before the run changed anything is an InterruptedError: no folder is left, no model is loaded", async () => {
    const repo = await copyPythonFixtures();
    const loader = countingLoader();
    await expect(run(repo, { loadEmbedder: loader, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(InterruptedError);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
    expect(loader.loads).toBe(0);
  });

  it("on an existing index, such a stop leaves every file of it as it was", async () => {
    const repo = await copyPythonFixtures();
    await run(repo);
    const indexDir = path.join(repo, ".codesearch");
    const before = await folderBytes(indexDir);
    await writeFile(path.join(repo, "shop", "extra.py"), "def extra():\n    return 1\n");
    await expect(run(repo, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(InterruptedError);
    expect(await folderBytes(indexDir)).toEqual(before);
  });

  it("a stop while files are read ends the run before the model loads, recording the model for the resume", async () => {
    const repo = await copyPythonFixtures();
    const controller = new AbortController();
    const loader = countingLoader();
    const seen: IndexEvent[] = [];
    const { summary } = await run(repo, {
      loadEmbedder: loader,
      signal: controller.signal,
      sink: (event) => {
        if (event.type === "plan-ready") controller.abort();
        seen.push(event);
      },
    });
    expect(summary).toMatchObject({ stopReason: "interrupted", chunksEmbedded: 0, filesIndexed: 0 });
    expect(loader.loads).toBe(0);
    expect(seen.some((e) => e.type === "model-loading")).toBe(false);
    expect(seen.filter((e) => e.type === "stop-requested")).toHaveLength(1);
    expect(await readManifestRecord(path.join(repo, ".codesearch"))).toMatchObject({ state: "started", manifest: { modelId: TEST_MODEL_DIR } });

    // A plain resume (no model given) uses the recorded one and completes.
    const resumed = await run(repo, { model: undefined });
    expect(resumed.summary).toMatchObject({ stopReason: null, modelId: TEST_MODEL_DIR, filesIndexed: summary.filesPending });
  });
});

/** Every file under `dir` (recursively) with its bytes, by relative path. */
async function folderBytes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = (await readFile(path.join(entry.parentPath, entry.name))).toString("base64");
  }
  return out;
}

describe("openSearchSession", () => {
  it.each(SEARCH_MODES)("in %s mode, ranks the matching function first, best first, with its side ranks", async (mode) => {
    const repo = await copyPythonFixtures();
    await run(repo, { loadEmbedder: countingLoader() });
    const session = await openSearchSession({ cwd: path.join(repo, "shop", "net"), modelCacheDir: "/nonexistent", offline: true });
    try {
      // Hybrid with both sides: the fixture is too small to calibrate, which would leave the vector side out.
      const hits = await session.search("retry a request when the connection resets", { limit: 5, mode, filters: {}, ...(mode === "hybrid" ? { vectorWeight: 1 } : {}) });
      expect(hits).toHaveLength(5);
      expect(hits[0]!.chunk.qualifiedName).toBe("retry_request");
      expect(hits[0]!.chunk.path).toBe("shop/net/retry.py");
      expect(hits[0]!.ranks).toEqual({ vector: mode === "lexical" ? null : 1, lexical: mode === "vector" ? null : 1 });
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    } finally {
      await session.close();
    }
  });
});
