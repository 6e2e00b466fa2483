import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EmbeddingCache } from "../../src/embed/embedding-cache.js";
import { DEFAULT_SHARED_CACHE_MAX_BYTES, modelFingerprint, sharedCacheSettings } from "../../src/embed/shared-embedding-cache.js";
import { makeTempDir, TEST_MODEL_DIR } from "../support/temp-dirs.js";

const MODEL = "sha256:test";

function vector(seed: number, length = 8): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.cos(seed * 17 + i) / 3);
}

describe("sharedCacheSettings", () => {
  it("defaults to ~/.cache/codesearch/embeddings (XDG_CACHE_HOME first) with a 1 GiB cap", () => {
    expect(sharedCacheSettings({ XDG_CACHE_HOME: "/x/cache" }, "/cwd")).toEqual({ dir: "/x/cache/codesearch/embeddings", maxBytes: DEFAULT_SHARED_CACHE_MAX_BYTES });
  });

  it("takes the option over the environment, resolves relative folders against cwd, and reads the cap in MiB", () => {
    expect(sharedCacheSettings({ CODESEARCH_CACHE_DIR: "/env/dir", CODESEARCH_CACHE_MAX_MB: "2" }, "/cwd", "rel")).toEqual({ dir: "/cwd/rel", maxBytes: 2 * 1024 ** 2 });
    expect(sharedCacheSettings({ CODESEARCH_CACHE_DIR: "/env/dir" }, "/cwd")?.dir).toBe("/env/dir");
  });

  it("is off for off / none / 0 / false, from the option or the environment", () => {
    for (const off of ["off", "OFF", "none", "0", "false"]) {
      expect(sharedCacheSettings({}, "/cwd", off)).toBeNull();
      expect(sharedCacheSettings({ CODESEARCH_CACHE_DIR: off }, "/cwd")).toBeNull();
    }
  });

  it("refuses a cap that is not a positive number", () => {
    for (const bad of ["0", "-3", "lots"]) expect(() => sharedCacheSettings({ CODESEARCH_CACHE_MAX_MB: bad }, "/cwd")).toThrow(/CODESEARCH_CACHE_MAX_MB/);
  });
});

describe("modelFingerprint", () => {
  it("is the same for two copies of a model and changes when a file that shapes vectors changes", async () => {
    const copy = path.join(await makeTempDir(), "model");
    await cp(TEST_MODEL_DIR, copy, { recursive: true });
    const original = await modelFingerprint(TEST_MODEL_DIR);
    expect(original).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await modelFingerprint(copy)).toBe(original);
    await writeFile(path.join(copy, "config.json"), `${JSON.stringify({ changed: true })}\n`);
    expect(await modelFingerprint(copy)).not.toBe(original);
  });

  it("is null for a folder without model files", async () => {
    expect(await modelFingerprint(await makeTempDir())).toBeNull();
  });
});

describe("EmbeddingCache least-recently-used eviction", () => {
  it("keeps the most recently written or touched vectors within the target, across a reopen", async () => {
    const dir = path.join(await makeTempDir(), "vectors");
    const cache = (await EmbeddingCache.open(dir)).cache;
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, vector(i), MODEL);
    await cache.save();
    // k0 and k1 are used again: they become the newest.
    expect(cache.touch("k0")).toBe(true);
    expect(cache.touch("k1")).toBe(true);
    expect(cache.touch("absent")).toBe(false);
    await cache.save();
    cache.close();

    const reopened = (await EmbeddingCache.open(dir)).cache;
    expect(reopened.size).toBe(10);
    const bytesPerVector = 8 * 4;
    // Over the cap (12 records written: 10 + 2 touched); keep four vectors' worth.
    const evicted = await reopened.retainNewest(11 * bytesPerVector, 4 * bytesPerVector);
    expect(evicted).toBe(6);
    const kept = ["k0", "k1", "k8", "k9"];
    for (const key of kept) expect(Array.from(reopened.get(key)!)).toEqual(Array.from(vector(Number(key.slice(1)))));
    for (const key of ["k2", "k3", "k4", "k5", "k6", "k7"]) expect(reopened.has(key)).toBe(false);
    expect(reopened.sidecarBytes).toBe(4 * bytesPerVector);
    expect(await reopened.retainNewest(11 * bytesPerVector, 4 * bytesPerVector)).toBe(0);
    reopened.close();
    const again = (await EmbeddingCache.open(dir)).cache;
    expect(again.size).toBe(4);
    again.close();
  });
});
