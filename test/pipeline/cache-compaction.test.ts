// compactCache drops a model's cache entries that neither the catalog nor the run uses once they
// outnumber the used ones (and 1,000); it decides "not due" without hashing the catalog's keys.
import { describe, expect, it } from "vitest";
import { EmbeddingCache, embeddingCacheKey } from "../../src/embed/index.js";
import { compactCache } from "../../src/pipeline/index-cache.js";
import type { FileCatalog } from "../../src/store/index.js";
import { makeTempDir } from "../support/temp-dirs.js";

const MODEL = "test-model";
const TOKENS = 512;
const vector = (i: number) => Float32Array.from([1, i, 0, 0]);

async function cacheWith(hashes: string[]): Promise<EmbeddingCache> {
  const { cache } = await EmbeddingCache.open(await makeTempDir());
  hashes.forEach((hash, i) => cache.set(embeddingCacheKey(MODEL, TOKENS, hash), vector(i), MODEL));
  await cache.save();
  return cache;
}

const catalogOf = (hashes: string[]): FileCatalog =>
  new Map([["pkg/a.py", { sizeBytes: 1, mtimeMs: 1, contentHash: "f", chunkHashes: hashes, failures: [] }]]);

describe("compactCache", () => {
  it("keeps every entry while the unused ones are too few, and drops them once they outnumber the used ones and 1,000", async () => {
    const used = Array.from({ length: 300 }, (_, i) => `used-${i}`);
    const pending = embeddingCacheKey(MODEL, TOKENS, "pending-0");
    const fewDead = Array.from({ length: 900 }, (_, i) => `dead-${i}`);
    const small = await cacheWith([...used, ...fewDead, "pending-0"]);
    await compactCache(small, catalogOf([...used, ...used.slice(0, 10)]), MODEL, TOKENS, [pending]);
    expect(small.countForModel(MODEL)).toBe(1201);
    small.close();

    const manyDead = Array.from({ length: 1500 }, (_, i) => `dead-${i}`);
    const big = await cacheWith([...used, ...manyDead, "pending-0"]);
    await compactCache(big, catalogOf(used), MODEL, TOKENS, [pending]);
    expect(big.countForModel(MODEL)).toBe(301);
    expect(big.has(pending)).toBe(true);
    expect(used.every((h) => big.has(embeddingCacheKey(MODEL, TOKENS, h)))).toBe(true);
    expect(big.has(embeddingCacheKey(MODEL, TOKENS, "dead-0"))).toBe(false);
    big.close();
  });
});
