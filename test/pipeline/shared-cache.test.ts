// The per-user shared embedding cache across clones: real fixture copies, real indexes, the test model.
import { cp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SharedCacheSettings } from "../../src/embed/shared-embedding-cache.js";
import { indexInProcess } from "../support/index-in-process.js";
import { copyPythonFixtures, makeTempDir, TEST_MODEL_DIR } from "../support/temp-dirs.js";

async function sharedSettings(maxBytes = 1024 ** 3): Promise<SharedCacheSettings> {
  return { dir: path.join(await makeTempDir("codesearch-shared-"), "embeddings"), maxBytes };
}

/** The shared cache's current vector file (`vectors/vectors-<gen>.f32`). */
async function sharedVectorFile(settings: SharedCacheSettings): Promise<string> {
  const dir = path.join(settings.dir, "vectors");
  const name = (await readdir(dir)).find((f) => f.startsWith("vectors-") && f.endsWith(".f32"))!;
  return path.join(dir, name);
}

describe("the per-user shared embedding cache", () => {
  it("lets a second clone embed nothing and never load the model, and its own cache then holds every vector", async () => {
    const sharedCache = await sharedSettings();
    const first = await indexInProcess(await copyPythonFixtures(), { sharedCache });
    expect(first.summary.chunksEmbedded).toBeGreaterThan(10);
    expect(first.summary.sharedCacheAdded).toBe(first.summary.chunksEmbedded);
    expect(first.summary.sharedCacheProblem).toBeUndefined();

    const clone = await copyPythonFixtures();
    const second = await indexInProcess(clone, { sharedCache });
    expect(second.summary.chunksEmbedded).toBe(0);
    expect(second.summary.chunksFromSharedCache).toBe(first.summary.chunksEmbedded);
    expect(second.summary.chunksStored).toBe(first.summary.chunksStored);
    expect(second.loads).toBe(0);
    const checked = second.events.find((e) => e.type === "cache-checked");
    expect(checked).toMatchObject({ sharedHits: first.summary.chunksEmbedded, misses: 0 });

    // Without the shared cache, the clone's own cache still has every vector.
    const third = await indexInProcess(clone, { sharedCache: null, rebuild: true });
    expect(third.summary.chunksEmbedded).toBe(0);
    expect(third.summary.chunksFromCache).toBe(first.summary.chunksStored);
  });

  it("shares nothing between a model and a copy of it changed in place", async () => {
    const sharedCache = await sharedSettings();
    const first = await indexInProcess(await copyPythonFixtures(), { sharedCache });
    const changed = path.join(await makeTempDir(), "model");
    await cp(TEST_MODEL_DIR, changed, { recursive: true });
    const config = JSON.parse(await readFile(path.join(changed, "config.json"), "utf8")) as Record<string, unknown>;
    await writeFile(path.join(changed, "config.json"), `${JSON.stringify({ ...config, note: "edited" }, null, 1)}\n`);
    const second = await indexInProcess(await copyPythonFixtures(), { sharedCache, model: changed });
    expect(second.summary.chunksFromSharedCache).toBe(0);
    expect(second.summary.chunksEmbedded).toBe(first.summary.chunksEmbedded);
  });

  it("treats a damaged shared vector as a miss: it is embedded again, nothing fails", async () => {
    const sharedCache = await sharedSettings();
    const first = await indexInProcess(await copyPythonFixtures(), { sharedCache });
    const file = await sharedVectorFile(sharedCache);
    const bytes = await readFile(file);
    for (let i = 0; i < 16; i++) bytes[40 + i] = bytes[40 + i]! ^ 0xff;
    await writeFile(file, bytes);
    const second = await indexInProcess(await copyPythonFixtures(), { sharedCache });
    expect(second.summary.failures).toEqual([]);
    expect(second.summary.chunksEmbedded).toBeGreaterThanOrEqual(1);
    expect(second.summary.chunksEmbedded + (second.summary.chunksFromSharedCache ?? 0)).toBe(first.summary.chunksEmbedded);
    expect(second.loads).toBe(1);
  });

  it("stays under its size cap, evicting the least recently used vectors", async () => {
    const probe = await indexInProcess(await copyPythonFixtures(), { sharedCache: await sharedSettings() });
    const bytesPerVector = probe.summary.dimension * 4;
    const sharedCache = await sharedSettings(10 * bytesPerVector);
    await indexInProcess(await copyPythonFixtures(), { sharedCache });
    const size = (await stat(await sharedVectorFile(sharedCache))).size;
    expect(size).toBeLessThanOrEqual(10 * bytesPerVector);
    expect(size).toBeGreaterThan(0);
  });

  it("goes on without the shared cache when it cannot be used, and says why", async () => {
    const blocker = path.join(await makeTempDir(), "not-a-folder");
    await writeFile(blocker, "a file where the shared cache folder should be\n");
    const { summary } = await indexInProcess(await copyPythonFixtures(), { sharedCache: { dir: blocker, maxBytes: 1024 ** 3 } });
    expect(summary.failures).toEqual([]);
    expect(summary.chunksEmbedded).toBeGreaterThan(10);
    expect(summary.sharedCacheProblem).toMatch(/shared cache/);
    expect(summary.chunksStored).toBe(summary.chunksEmbedded);
  });
});
