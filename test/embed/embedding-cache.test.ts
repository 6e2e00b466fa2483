import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EMBEDDING_CACHE_FILE, EmbeddingCache, embeddingCacheKey } from "../../src/embed/embedding-cache.js";

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "codesearch-"));
  file = path.join(dir, EMBEDDING_CACHE_FILE);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (v: Float32Array): number[] => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** A deterministic vector of `length` values derived from `seed`. */
function vector(seed: number, length = 8): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(seed * 31 + i) / 3);
}

async function openNew(): Promise<EmbeddingCache> {
  const opened = await EmbeddingCache.open(file);
  expect(opened.state).toBe("new");
  return opened.cache;
}

describe("embeddingCacheKey", () => {
  it("is 64 lowercase hex characters", () => {
    expect(embeddingCacheKey("model", 512, "def f(): pass")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is equal for equal inputs and differs when the model, token limit or text differs", () => {
    const key = embeddingCacheKey("microsoft/codebert-base", 512, "def f(): pass");
    expect(embeddingCacheKey("microsoft/codebert-base", 512, "def f(): pass")).toBe(key);
    const others = [
      embeddingCacheKey("microsoft/unixcoder-base", 512, "def f(): pass"),
      embeddingCacheKey("microsoft/codebert-base", 256, "def f(): pass"),
      embeddingCacheKey("microsoft/codebert-base", 512, "def g(): pass"),
      embeddingCacheKey("microsoft/codebert-base", 512, "def f(): pass "),
    ];
    for (const other of others) expect(other).not.toBe(key);
    expect(new Set(others).size).toBe(others.length);
  });

  it("does not let a field's end run into the next one", () => {
    expect(embeddingCacheKey("m1", 2, "x")).not.toBe(embeddingCacheKey("m", 12, "x"));
    expect(embeddingCacheKey("m", 51, "2x")).not.toBe(embeddingCacheKey("m", 512, "x"));
  });
});

describe("EmbeddingCache", () => {
  it("opens an absent file as a new, empty cache without creating it", async () => {
    const opened = await EmbeddingCache.open(file);
    expect(opened.state).toBe("new");
    expect(opened.setAsidePath).toBeUndefined();
    expect(opened.cache.size).toBe(0);
    expect(opened.cache.unsavedCount).toBe(0);
    expect(opened.cache.filePath).toBe(file);
    expect(opened.cache.get(embeddingCacheKey("m", 1, "x"))).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("counts unsaved vectors and resets the count on save", async () => {
    const cache = await openNew();
    cache.set("a", vector(1));
    cache.set("b", vector(2));
    expect(cache.size).toBe(2);
    expect(cache.unsavedCount).toBe(2);
    await cache.save();
    expect(cache.unsavedCount).toBe(0);
    expect(cache.size).toBe(2);
  });

  it("save then open gives bit-identical vectors (state loaded)", async () => {
    const special = Float32Array.from([0, -0, 1, -1, 1e-45, 3.4028234663852886e38, Math.PI, -1 / 3]);
    const keys = [embeddingCacheKey("m", 512, "a"), embeddingCacheKey("m", 512, "b"), embeddingCacheKey("m", 512, "c")];
    const vectors = [vector(1, 768), special, vector(3, 1)];
    const cache = await openNew();
    keys.forEach((key, i) => cache.set(key, vectors[i]!));
    await cache.save();

    const reopened = await EmbeddingCache.open(file);
    expect(reopened.state).toBe("loaded");
    expect(reopened.setAsidePath).toBeUndefined();
    expect(reopened.cache.size).toBe(3);
    expect(reopened.cache.unsavedCount).toBe(0);
    keys.forEach((key, i) => {
      const got = reopened.cache.get(key);
      expect(got).toBeInstanceOf(Float32Array);
      expect(got!.length).toBe(vectors[i]!.length);
      expect(bytesOf(got!)).toEqual(bytesOf(vectors[i]!));
    });
    expect(Object.is(reopened.cache.get(keys[1]!)![1], -0)).toBe(true);
    expect(reopened.cache.get("missing")).toBeUndefined();
  });

  it("stores only the viewed part of a Float32Array that is a view into a larger buffer", async () => {
    const backing = Float32Array.from([9, 9, 1.5, 2.5, 3.5, 9, 9]);
    const view = backing.subarray(2, 5);
    const cache = await openNew();
    cache.set("k", view);
    expect(Array.from(cache.get("k")!)).toEqual([1.5, 2.5, 3.5]);
    await cache.save();
    const reopened = await EmbeddingCache.open(file);
    expect(Array.from(reopened.cache.get("k")!)).toEqual([1.5, 2.5, 3.5]);
  });

  it("get returns a fresh array: changing it or the stored input does not change the cache", async () => {
    const cache = await openNew();
    const input = Float32Array.from([1, 2, 3]);
    cache.set("k", input);
    input[0] = 100;
    const first = cache.get("k")!;
    first[1] = 200;
    expect(Array.from(cache.get("k")!)).toEqual([1, 2, 3]);
    expect(cache.get("k")).not.toBe(cache.get("k"));
  });

  it("writes the documented on-disk format", async () => {
    const cache = await openNew();
    cache.set("k", Float32Array.from([1, -2]));
    await cache.save();
    const json = JSON.parse(await readFile(file, "utf8")) as unknown;
    expect(json).toEqual({
      format: "codesearch-embedding-cache",
      version: 1,
      entries: { k: Buffer.from(Float32Array.from([1, -2]).buffer).toString("base64") },
    });
  });

  it("get returns undefined for an entry whose bytes are not whole float32 values", async () => {
    const entries = {
      three: Buffer.from([1, 2, 3]).toString("base64"),
      empty: "",
      good: Buffer.from(Float32Array.from([0.25, 0.5]).buffer).toString("base64"),
    };
    await writeFile(file, JSON.stringify({ format: "codesearch-embedding-cache", version: 1, entries }));
    const opened = await EmbeddingCache.open(file);
    expect(opened.state).toBe("loaded");
    expect(opened.cache.size).toBe(3);
    expect(opened.cache.get("three")).toBeUndefined();
    expect(opened.cache.get("empty")).toBeUndefined();
    expect(Array.from(opened.cache.get("good")!)).toEqual([0.25, 0.5]);
  });

  describe("a corrupt file is set aside and the cache rebuilt empty", () => {
    const corruptContents: [string, string | Buffer][] = [
      ["garbage bytes", Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a])],
      ["truncated JSON", '{"format":"codesearch-embedding-cache","version":1,"entries":{"a":"AAAA'],
      ["JSON null", "null"],
      ["a JSON array", "[]"],
      ["another format", JSON.stringify({ format: "something-else", version: 1, entries: {} })],
      ["another version", JSON.stringify({ format: "codesearch-embedding-cache", version: 2, entries: {} })],
      ["entries missing", JSON.stringify({ format: "codesearch-embedding-cache", version: 1 })],
      ["entries null", JSON.stringify({ format: "codesearch-embedding-cache", version: 1, entries: null })],
      ["an entry that is not a string", JSON.stringify({ format: "codesearch-embedding-cache", version: 1, entries: { a: "AACAPw==", b: [1, 2] } })],
      ["an empty file", ""],
    ];

    it.each(corruptContents)("%s", async (_label, contents) => {
      await writeFile(file, contents);
      const original = await readFile(file);
      const opened = await EmbeddingCache.open(file);
      expect(opened.state).toBe("corrupt-rebuilt");
      expect(opened.setAsidePath).toMatch(new RegExp(`^${escapeRegExp(file)}\\.corrupt-\\d+$`));
      expect(await readFile(opened.setAsidePath!)).toEqual(original);
      expect(await readdir(dir)).toEqual([path.basename(opened.setAsidePath!)]);

      const { cache } = opened;
      expect(cache.size).toBe(0);
      expect(cache.unsavedCount).toBe(0);
      expect(cache.get("a")).toBeUndefined();
      cache.set("fresh", Float32Array.from([0.5]));
      await cache.save();
      const reopened = await EmbeddingCache.open(file);
      expect(reopened.state).toBe("loaded");
      expect(reopened.cache.size).toBe(1);
      expect(Array.from(reopened.cache.get("fresh")!)).toEqual([0.5]);
      expect(await readFile(opened.setAsidePath!)).toEqual(original);
    });
  });

  it("save leaves only the cache file in the directory and replaces it by rename", async () => {
    const cache = await openNew();
    cache.set("a", vector(1));
    await cache.save();
    expect(await readdir(dir)).toEqual([EMBEDDING_CACHE_FILE]);
    const firstInode = (await stat(file)).ino;

    cache.set("b", vector(2));
    await cache.save();
    expect(await readdir(dir)).toEqual([EMBEDDING_CACHE_FILE]);
    // A new inode shows the file was replaced (temp file + rename), not rewritten in place.
    expect((await stat(file)).ino).not.toBe(firstInode);

    const reopened = await EmbeddingCache.open(file);
    expect(reopened.state).toBe("loaded");
    expect(reopened.cache.size).toBe(2);
  });

  it("a reader polling the file during saves only ever sees a whole, parseable cache", async () => {
    const cache = await openNew();
    for (let i = 0; i < 500; i++) cache.set(`first-${i}`, vector(i, 768));
    await cache.save();

    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 500; i++) cache.set(`round-${round}-${i}`, vector(i + 1000 * round, 768));
      const expectedSize = cache.size;
      let done = false;
      const saving = cache.save().then(() => {
        done = true;
      });
      const seenSizes = new Set<number>();
      let reads = 0;
      do {
        const raw = await readFile(file, "utf8");
        const parsed = JSON.parse(raw) as { entries: Record<string, string> };
        seenSizes.add(Object.keys(parsed.entries).length);
        reads++;
      } while (!done);
      await saving;
      expect(reads).toBeGreaterThan(0);
      for (const size of seenSizes) expect([expectedSize - 500, expectedSize]).toContain(size);
      expect(await readdir(dir)).toEqual([EMBEDDING_CACHE_FILE]);
    }
    const reopened = await EmbeddingCache.open(file);
    expect(reopened.state).toBe("loaded");
    expect(reopened.cache.size).toBe(2000);
  });

  it("save with no changes does not rewrite the file", async () => {
    const cache = await openNew();
    cache.set("a", vector(1));
    await cache.save();
    const before = await stat(file);

    await cache.save();
    const reopened = await EmbeddingCache.open(file);
    await reopened.cache.save();
    const after = await stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(reopened.cache.unsavedCount).toBe(0);
    expect(await readdir(dir)).toEqual([EMBEDDING_CACHE_FILE]);
  });

  it("save on a new cache with nothing set creates no file", async () => {
    const cache = await openNew();
    await cache.save();
    expect(await readdir(dir)).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
