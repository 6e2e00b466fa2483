import { appendFile, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMBEDDING_CACHE_DIR, EmbeddingCache, embeddingCacheKey } from "../../src/embed/embedding-cache.js";
import { makeTempDir } from "../support/temp-dirs.js";

const MODEL_A = "microsoft/codebert-base";
const MODEL_B = "/models/local-unixcoder";
const POINTER = "current.json";

interface KeyLine {
  k: string;
  m: string;
  o: number;
  d: number;
  c: string;
}

const bytesOf = (v: Float32Array): number[] => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** A deterministic vector of `length` values derived from `seed`. */
function vector(seed: number, length = 8): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(seed * 31 + i) / 3);
}

/** A cache folder path inside a fresh temp dir (the folder itself does not exist yet). */
async function cacheDir(): Promise<string> {
  return path.join(await makeTempDir(), EMBEDDING_CACHE_DIR);
}

async function openNew(dir: string): Promise<EmbeddingCache> {
  const opened = await EmbeddingCache.open(dir);
  expect(opened.state).toBe("new");
  return opened.cache;
}

async function reopen(dir: string): Promise<{ cache: EmbeddingCache; state: string; setAsidePath?: string }> {
  return EmbeddingCache.open(dir);
}

async function readPointer(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(path.join(dir, POINTER), "utf8")) as unknown;
}

async function keyLines(dir: string, generation: number): Promise<KeyLine[]> {
  const text = await readFile(path.join(dir, `keys-${generation}.jsonl`), "utf8");
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as KeyLine);
}

async function sidecarBytes(dir: string, generation: number): Promise<number> {
  return (await stat(path.join(dir, `vectors-${generation}.f32`))).size;
}

/** Asserts that every key line's record starts where the previous one ended, from offset 0. */
function expectContiguous(lines: KeyLine[]): number {
  let offset = 0;
  for (const line of lines) {
    expect(line.o).toBe(offset);
    offset += line.d * 4;
  }
  return offset;
}

function key(text: string, modelId = MODEL_A): string {
  return embeddingCacheKey(modelId, 512, text);
}

describe("embeddingCacheKey", () => {
  it("is 64 lowercase hex characters", () => {
    expect(embeddingCacheKey("model", 512, "def f(): pass")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is equal for equal inputs and differs when the model, token limit or hashed content differs", () => {
    const base = embeddingCacheKey(MODEL_A, 512, "abc123");
    expect(embeddingCacheKey(MODEL_A, 512, "abc123")).toBe(base);
    const others = [
      embeddingCacheKey(MODEL_B, 512, "abc123"),
      embeddingCacheKey(MODEL_A, 256, "abc123"),
      embeddingCacheKey(MODEL_A, 512, "abc124"),
      embeddingCacheKey(MODEL_A, 512, "abc123 "),
    ];
    for (const other of others) expect(other).not.toBe(base);
    expect(new Set(others).size).toBe(others.length);
  });

  it("does not let one field's end run into the next", () => {
    expect(embeddingCacheKey("m1", 2, "x")).not.toBe(embeddingCacheKey("m", 12, "x"));
    expect(embeddingCacheKey("m", 51, "2x")).not.toBe(embeddingCacheKey("m", 512, "x"));
  });
});

describe("EmbeddingCache: opening and saving", () => {
  it("opening a missing folder creates it with an empty generation 1 (state new)", async () => {
    const dir = await cacheDir();
    const opened = await EmbeddingCache.open(dir);
    expect(opened.state).toBe("new");
    expect(opened.setAsidePath).toBeUndefined();
    expect(opened.cache.dir).toBe(dir);
    expect(opened.cache.size).toBe(0);
    expect(opened.cache.unsavedCount).toBe(0);
    expect(opened.cache.skippedEntries).toBe(0);
    expect(opened.cache.has(key("x"))).toBe(false);
    expect(opened.cache.get(key("x"))).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-1.jsonl", "vectors-1.f32"]);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
    expect(await readFile(path.join(dir, "keys-1.jsonl"), "utf8")).toBe("");
    expect(await sidecarBytes(dir, 1)).toBe(0);
  });

  it("an existing folder without a pointer is a new cache", async () => {
    const dir = await cacheDir();
    await mkdir(dir);
    const cache = await openNew(dir);
    expect(cache.size).toBe(0);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
  });

  it("a new empty cache reopens as loaded and empty", async () => {
    const dir = await cacheDir();
    await openNew(dir);
    const reopened = await reopen(dir);
    expect(reopened.state).toBe("loaded");
    expect(reopened.setAsidePath).toBeUndefined();
    expect(reopened.cache.size).toBe(0);
    expect(reopened.cache.skippedEntries).toBe(0);
  });

  it("set, save and reopen give bit-identical vectors, special float32 values included", async () => {
    const special = Float32Array.from([
      0,
      -0,
      1,
      -1,
      1e-45, // smallest subnormal
      -1.401298464324817e-45,
      1.1754943508222875e-38, // smallest normal
      3.4028234663852886e38, // largest finite
      -3.4028234663852886e38,
      Math.PI,
      -1 / 3,
    ]);
    const backing = Float32Array.from([9, 9, 1.5, -2.5, 3.25, 9, 9]);
    const view = backing.subarray(2, 5);
    const entries: [string, Float32Array][] = [
      [key("long"), vector(1, 768)],
      [key("special"), special],
      [key("one"), vector(3, 1)],
      [key("view"), view],
    ];
    const dir = await cacheDir();
    const cache = await openNew(dir);
    for (const [k, v] of entries) cache.set(k, v, MODEL_A);
    await cache.save();
    cache.close();

    const reopened = await reopen(dir);
    expect(reopened.state).toBe("loaded");
    expect(reopened.cache.size).toBe(4);
    expect(reopened.cache.unsavedCount).toBe(0);
    expect(reopened.cache.skippedEntries).toBe(0);
    for (const [k, v] of entries) {
      const got = reopened.cache.get(k);
      expect(got).toBeInstanceOf(Float32Array);
      expect(got!.length).toBe(v.length);
      expect(bytesOf(got!)).toEqual(bytesOf(v));
    }
    expect(Object.is(reopened.cache.get(key("special"))![1], -0)).toBe(true);
    expect(Array.from(reopened.cache.get(key("view"))!)).toEqual([1.5, -2.5, 3.25]);
    // Only the viewed part of the larger buffer went to disk.
    expect(await sidecarBytes(dir, 1)).toBe((768 + special.length + 1 + 3) * 4);
    expect(reopened.cache.get(key("missing"))).toBeUndefined();
    reopened.cache.close();
  });

  it("get before save returns the unsaved vector, and size and unsavedCount count it", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    const input = Float32Array.from([0.5, -0.25, 2]);
    cache.set(key("a"), input, MODEL_A);
    expect(cache.has(key("a"))).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.unsavedCount).toBe(1);
    expect(Array.from(cache.get(key("a"))!)).toEqual([0.5, -0.25, 2]);
    // Nothing is on disk before save.
    expect(await keyLines(dir, 1)).toEqual([]);
    expect(await sidecarBytes(dir, 1)).toBe(0);

    await cache.save();
    expect(cache.unsavedCount).toBe(0);
    expect(cache.size).toBe(1);
    expect(Array.from(cache.get(key("a"))!)).toEqual([0.5, -0.25, 2]);
    cache.close();
  });

  it("get returns a fresh array: changing it or the input passed to set does not change the cache", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    const input = Float32Array.from([1, 2, 3]);
    cache.set(key("k"), input, MODEL_A);
    input[0] = 100;
    const first = cache.get(key("k"))!;
    first[1] = 200;
    expect(Array.from(cache.get(key("k"))!)).toEqual([1, 2, 3]);
    await cache.save();
    const saved = cache.get(key("k"))!;
    saved[2] = 300;
    expect(Array.from(cache.get(key("k"))!)).toEqual([1, 2, 3]);
    cache.close();
  });

  it("set of a key already held is a no-op, before and after save", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("k"), Float32Array.from([1, 1]), MODEL_A);
    cache.set(key("k"), Float32Array.from([2, 2]), MODEL_A);
    expect(cache.unsavedCount).toBe(1);
    expect(Array.from(cache.get(key("k"))!)).toEqual([1, 1]);
    await cache.save();

    cache.set(key("k"), Float32Array.from([3, 3, 3]), MODEL_B);
    expect(cache.unsavedCount).toBe(0);
    expect(cache.size).toBe(1);
    await cache.save();
    expect(await keyLines(dir, 1)).toHaveLength(1);
    expect(await sidecarBytes(dir, 1)).toBe(8);
    expect(cache.countForModel(MODEL_A)).toBe(1);
    expect(cache.countForModel(MODEL_B)).toBe(0);
    cache.close();

    const reopened = await reopen(dir);
    reopened.cache.set(key("k"), Float32Array.from([4, 4]), MODEL_A);
    expect(reopened.cache.unsavedCount).toBe(0);
    await reopened.cache.save();
    expect(await keyLines(dir, 1)).toHaveLength(1);
    expect(Array.from(reopened.cache.get(key("k"))!)).toEqual([1, 1]);
    reopened.cache.close();
  });

  it("save appends: N sets over two saves leave exactly N key lines with contiguous offsets", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    const first: [string, Float32Array][] = [
      [key("a"), vector(1, 4)],
      [key("b"), vector(2, 3)],
      [key("c"), vector(3, 5)],
    ];
    const second: [string, Float32Array][] = [
      [key("d", MODEL_B), vector(4, 2)],
      [key("e"), vector(5, 4)],
    ];
    for (const [k, v] of first) cache.set(k, v, MODEL_A);
    await cache.save();
    const keysAfterFirst = await readFile(path.join(dir, "keys-1.jsonl"), "utf8");
    const sidecarAfterFirst = await readFile(path.join(dir, "vectors-1.f32"));

    for (const [k, v] of second) cache.set(k, v, k === key("d", MODEL_B) ? MODEL_B : MODEL_A);
    await cache.save();

    const lines = await keyLines(dir, 1);
    expect(lines.map((l) => l.k)).toEqual([...first, ...second].map(([k]) => k));
    expect(lines.map((l) => l.d)).toEqual([4, 3, 5, 2, 4]);
    const total = expectContiguous(lines);
    expect(total).toBe(18 * 4);
    expect(await sidecarBytes(dir, 1)).toBe(total);
    // The second save only appended: the first save's bytes are a prefix of both files.
    expect((await readFile(path.join(dir, "keys-1.jsonl"), "utf8")).startsWith(keysAfterFirst)).toBe(true);
    expect((await readFile(path.join(dir, "vectors-1.f32"))).subarray(0, sidecarAfterFirst.length)).toEqual(sidecarAfterFirst);
    // The model tag differs between the two models and is the same within one.
    expect(new Set(lines.map((l) => l.m)).size).toBe(2);
    expect(lines[3]!.m).not.toBe(lines[0]!.m);
    expect(lines.filter((l) => l.m === lines[0]!.m)).toHaveLength(4);
    // Each record in the sidecar holds its vector's bytes, little-endian float32.
    const sidecar = await readFile(path.join(dir, "vectors-1.f32"));
    [...first, ...second].forEach(([, v], i) => {
      const line = lines[i]!;
      const record = sidecar.subarray(line.o, line.o + line.d * 4);
      expect(Array.from({ length: v.length }, (_, j) => record.readFloatLE(j * 4))).toEqual(Array.from(v));
    });
    cache.close();

    const reopened = await reopen(dir);
    expect(reopened.cache.size).toBe(5);
    for (const [k, v] of [...first, ...second]) expect(bytesOf(reopened.cache.get(k)!)).toEqual(bytesOf(v));
    reopened.cache.close();
  });

  it("save with nothing unsaved leaves both files untouched", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(1), MODEL_A);
    await cache.save();
    const keysBefore = await readFile(path.join(dir, "keys-1.jsonl"));
    const vectorsBefore = await readFile(path.join(dir, "vectors-1.f32"));
    await cache.save();
    const reopened = await reopen(dir);
    await reopened.cache.save();
    expect(await readFile(path.join(dir, "keys-1.jsonl"))).toEqual(keysBefore);
    expect(await readFile(path.join(dir, "vectors-1.f32"))).toEqual(vectorsBefore);
    cache.close();
  });

  it("close keeps the cache usable: the next get reopens the sidecar", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(7), MODEL_A);
    await cache.save();
    expect(bytesOf(cache.get(key("a"))!)).toEqual(bytesOf(vector(7)));
    cache.close();
    cache.close();
    expect(bytesOf(cache.get(key("a"))!)).toEqual(bytesOf(vector(7)));
    cache.close();
  });
});

describe("EmbeddingCache: a torn tail is skipped", () => {
  /** A cache with three saved 4-d entries under model A; returns the folder. */
  async function savedThree(): Promise<string> {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(1, 4), MODEL_A);
    cache.set(key("b"), vector(2, 4), MODEL_A);
    cache.set(key("c"), vector(3, 4), MODEL_A);
    await cache.save();
    cache.close();
    return dir;
  }

  const tails: [label: string, tail: string][] = [
    ["a garbage line", "this is not json\n"],
    ["half a JSON line without its newline", '{"k":"abc","m":"0123456789ab","o":48,'],
    ["a line with a negative offset", `${JSON.stringify({ k: "x", m: "t", o: -4, d: 1 })}\n`],
    ["a line with a zero dimension", `${JSON.stringify({ k: "x", m: "t", o: 0, d: 0 })}\n`],
    ["a line with a non-string key", `${JSON.stringify({ k: 7, m: "t", o: 0, d: 1 })}\n`],
    ["a line pointing past the sidecar's end", `${JSON.stringify({ k: "past", m: "t", o: 48, d: 4 })}\n`],
  ];

  it.each(tails)("%s: it is counted in skippedEntries and the other entries load", async (_label, tail) => {
    const dir = await savedThree();
    await appendFile(path.join(dir, "keys-1.jsonl"), tail);
    const opened = await reopen(dir);
    expect(opened.state).toBe("loaded");
    expect(opened.setAsidePath).toBeUndefined();
    expect(opened.cache.skippedEntries).toBe(1);
    expect(opened.cache.size).toBe(3);
    expect(bytesOf(opened.cache.get(key("a"))!)).toEqual(bytesOf(vector(1, 4)));
    expect(bytesOf(opened.cache.get(key("c"))!)).toEqual(bytesOf(vector(3, 4)));
    expect(opened.cache.has("past")).toBe(false);
    opened.cache.close();
  });

  it("a sidecar cut short drops only the entry that points past its end", async () => {
    const dir = await savedThree();
    await truncate(path.join(dir, "vectors-1.f32"), 3 * 16 - 2);
    const opened = await reopen(dir);
    expect(opened.state).toBe("loaded");
    expect(opened.cache.skippedEntries).toBe(1);
    expect(opened.cache.size).toBe(2);
    expect(opened.cache.has(key("c"))).toBe(false);
    expect(opened.cache.get(key("c"))).toBeUndefined();
    expect(bytesOf(opened.cache.get(key("a"))!)).toEqual(bytesOf(vector(1, 4)));
    expect(bytesOf(opened.cache.get(key("b"))!)).toEqual(bytesOf(vector(2, 4)));

    // The lost entry can be stored again, and survives the next open.
    opened.cache.set(key("c"), vector(3, 4), MODEL_A);
    await opened.cache.save();
    opened.cache.close();
    const again = await reopen(dir);
    expect(again.cache.size).toBe(3);
    expect(bytesOf(again.cache.get(key("c"))!)).toEqual(bytesOf(vector(3, 4)));
    again.cache.close();
  });

  it("entries saved after a torn key-log tail survive the next open", async () => {
    const dir = await savedThree();
    // A crash in the middle of appending a key line leaves half a line and no newline.
    await appendFile(path.join(dir, "keys-1.jsonl"), '{"k":"torn","m":"0123456789ab","o":4');
    const opened = await reopen(dir);
    expect(opened.cache.skippedEntries).toBe(1);
    opened.cache.set(key("d"), vector(4, 4), MODEL_A);
    opened.cache.set(key("e"), vector(5, 4), MODEL_A);
    await opened.cache.save();
    opened.cache.close();

    const again = await reopen(dir);
    expect(again.state).toBe("loaded");
    expect(again.cache.size).toBe(5);
    // The first open cut the torn line off, so nothing is skipped any more.
    expect(again.cache.skippedEntries).toBe(0);
    expect(bytesOf(again.cache.get(key("d"))!)).toEqual(bytesOf(vector(4, 4)));
    expect(bytesOf(again.cache.get(key("e"))!)).toEqual(bytesOf(vector(5, 4)));
    again.cache.close();
  });
});

describe("EmbeddingCache: a corrupt pointer sets the folder aside", () => {
  const pointers: [label: string, write: (dir: string) => Promise<void>][] = [
    ["garbage bytes", (dir) => writeFile(path.join(dir, POINTER), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a]))],
    ["an empty file", (dir) => writeFile(path.join(dir, POINTER), "")],
    ["truncated JSON", (dir) => writeFile(path.join(dir, POINTER), '{"format":"codesearch-embedding-cache","vers')],
    ["JSON null", (dir) => writeFile(path.join(dir, POINTER), "null")],
    ["another format", (dir) => writeFile(path.join(dir, POINTER), JSON.stringify({ format: "other", version: 2, generation: 1 }))],
    [
      "a newer version than this codesearch knows",
      (dir) => writeFile(path.join(dir, POINTER), JSON.stringify({ format: "codesearch-embedding-cache", version: 4, generation: 1 })),
    ],
    [
      "generation 0",
      (dir) => writeFile(path.join(dir, POINTER), JSON.stringify({ format: "codesearch-embedding-cache", version: 3, generation: 0 })),
    ],
    [
      "a generation that is a string",
      (dir) => writeFile(path.join(dir, POINTER), JSON.stringify({ format: "codesearch-embedding-cache", version: 3, generation: "1" })),
    ],
    [
      "a generation naming a missing keys file",
      (dir) => writeFile(path.join(dir, POINTER), JSON.stringify({ format: "codesearch-embedding-cache", version: 3, generation: 7 })),
    ],
    ["a missing vectors file", (dir) => rm(path.join(dir, "vectors-1.f32"))],
  ];

  it.each(pointers)("%s", async (_label, corrupt) => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("old"), vector(1), MODEL_A);
    await cache.save();
    cache.close();
    await corrupt(dir);
    const oldFiles = (await readdir(dir)).sort();
    const oldContents = await Promise.all(oldFiles.map((name) => readFile(path.join(dir, name))));

    const opened = await reopen(dir);
    expect(opened.state).toBe("corrupt-rebuilt");
    expect(opened.setAsidePath).toMatch(new RegExp(`^${escapeRegExp(dir)}\\.corrupt-\\d+$`));
    // The old folder is kept, byte for byte, under the set-aside name.
    const aside = opened.setAsidePath!;
    expect((await readdir(aside)).sort()).toEqual(oldFiles);
    expect(await Promise.all(oldFiles.map((name) => readFile(path.join(aside, name))))).toEqual(oldContents);
    expect(oldFiles).toContain("keys-1.jsonl");

    // A fresh, empty generation 1 replaced it, and it works.
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-1.jsonl", "vectors-1.f32"]);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
    const fresh = opened.cache;
    expect(fresh.size).toBe(0);
    expect(fresh.skippedEntries).toBe(0);
    expect(fresh.has(key("old"))).toBe(false);
    fresh.set(key("new"), Float32Array.from([0.5]), MODEL_A);
    await fresh.save();
    fresh.close();
    const reopened = await reopen(dir);
    expect(reopened.state).toBe("loaded");
    expect(reopened.cache.size).toBe(1);
    expect(Array.from(reopened.cache.get(key("new"))!)).toEqual([0.5]);
    reopened.cache.close();
  });
});

describe("EmbeddingCache: compaction", () => {
  const A = ["a1", "a2", "a3", "a4"].map((t, i): [string, Float32Array] => [key(t), vector(i + 1, 3 + i)]);
  const B = ["b1", "b2"].map((t, i): [string, Float32Array] => [key(t, MODEL_B), vector(i + 10, 5)]);
  const [a1, a2, a3, a4] = A as [[string, Float32Array], [string, Float32Array], [string, Float32Array], [string, Float32Array]];
  const [b1, b2] = B as [[string, Float32Array], [string, Float32Array]];

  /** A cache holding A's four entries and B's two, saved over two saves (interleaved models). */
  async function mixedCache(dir: string): Promise<EmbeddingCache> {
    const cache = await openNew(dir);
    cache.set(a1[0], a1[1], MODEL_A);
    cache.set(b1[0], b1[1], MODEL_B);
    cache.set(a2[0], a2[1], MODEL_A);
    await cache.save();
    cache.set(a3[0], a3[1], MODEL_A);
    cache.set(b2[0], b2[1], MODEL_B);
    cache.set(a4[0], a4[1], MODEL_A);
    await cache.save();
    return cache;
  }

  function expectVectors(cache: EmbeddingCache, entries: [string, Float32Array][]): void {
    for (const [k, v] of entries) {
      const got = cache.get(k);
      expect(got, k).toBeDefined();
      expect(bytesOf(got!)).toEqual(bytesOf(v));
    }
  }

  it("drops only model A's entries that keep rejects, keeps model B's, and switches to generation 2", async () => {
    const dir = await cacheDir();
    const cache = await mixedCache(dir);
    const kept = new Set([a1[0], a3[0]]);
    const asked: string[] = [];
    const dropped = await cache.compact(MODEL_A, (k) => {
      asked.push(k);
      return kept.has(k);
    });
    expect(dropped).toBe(2);
    expect(asked.sort()).toEqual(A.map(([k]) => k).sort());
    expect(cache.size).toBe(4);
    expect(cache.has(a2[0])).toBe(false);
    expect(cache.has(a4[0])).toBe(false);
    expect(cache.get(a2[0])).toBeUndefined();
    expect(cache.countForModel(MODEL_A)).toBe(2);
    expect(cache.countForModel(MODEL_B)).toBe(2);
    expectVectors(cache, [a1, a3, b1, b2]);

    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 2 });
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-2.jsonl", "vectors-2.f32"]);
    const lines = await keyLines(dir, 2);
    expect(lines.map((l) => l.k).sort()).toEqual([a1[0], a3[0], b1[0], b2[0]].sort());
    expect(await sidecarBytes(dir, 2)).toBe(expectContiguous(lines));
    expect(await sidecarBytes(dir, 2)).toBe((3 + 5 + 5 + 5) * 4);
    cache.close();

    const reopened = await reopen(dir);
    expect(reopened.state).toBe("loaded");
    expect(reopened.cache.skippedEntries).toBe(0);
    expect(reopened.cache.size).toBe(4);
    expect(reopened.cache.countForModel(MODEL_A)).toBe(2);
    expect(reopened.cache.countForModel(MODEL_B)).toBe(2);
    expectVectors(reopened.cache, [a1, a3, b1, b2]);
    reopened.cache.close();
  });

  it("keep rejecting everything drops all of model A and none of model B", async () => {
    const dir = await cacheDir();
    const cache = await mixedCache(dir);
    expect(await cache.compact(MODEL_A, () => false)).toBe(4);
    expect(cache.size).toBe(2);
    expect(cache.countForModel(MODEL_A)).toBe(0);
    expectVectors(cache, [b1, b2]);
    cache.close();
    const reopened = await reopen(dir);
    expect(reopened.cache.size).toBe(2);
    expectVectors(reopened.cache, [b1, b2]);
    reopened.cache.close();
  });

  it("saves unsaved entries first and compacts a cache read back from disk", async () => {
    const dir = await cacheDir();
    (await mixedCache(dir)).close();
    const { cache } = await reopen(dir);
    const extra: [string, Float32Array] = [key("a5"), vector(50, 2)];
    cache.set(extra[0], extra[1], MODEL_A);
    expect(await cache.compact(MODEL_A, (k) => k === extra[0] || k === a4[0])).toBe(3);
    expect(cache.unsavedCount).toBe(0);
    expect(cache.size).toBe(4);
    expectVectors(cache, [a4, extra, b1, b2]);
    cache.close();
    const reopened = await reopen(dir);
    expect(reopened.cache.size).toBe(4);
    expectVectors(reopened.cache, [a4, extra, b1, b2]);
    reopened.cache.close();
  });

  it("after compaction, saves append to the new generation and a second compaction makes generation 3", async () => {
    const dir = await cacheDir();
    const cache = await mixedCache(dir);
    await cache.compact(MODEL_A, (k) => k === a1[0]);
    const added: [string, Float32Array] = [key("late"), vector(99, 6)];
    cache.set(added[0], added[1], MODEL_A);
    await cache.save();
    const lines = await keyLines(dir, 2);
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)!.k).toBe(added[0]);
    expect(await sidecarBytes(dir, 2)).toBe(expectContiguous(lines));
    expectVectors(cache, [a1, b1, b2, added]);

    expect(await cache.compact(MODEL_B, (k) => k === b2[0])).toBe(1);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 3 });
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-3.jsonl", "vectors-3.f32"]);
    expectVectors(cache, [a1, b2, added]);
    cache.close();
    const reopened = await reopen(dir);
    expect(reopened.cache.size).toBe(3);
    expectVectors(reopened.cache, [a1, b2, added]);
    reopened.cache.close();
  });

  it("with nothing to drop it returns 0 and keeps the generation and its files", async () => {
    const dir = await cacheDir();
    const cache = await mixedCache(dir);
    const keysBefore = await readFile(path.join(dir, "keys-1.jsonl"));
    expect(await cache.compact(MODEL_A, () => true)).toBe(0);
    expect(await cache.compact("some/other-model", () => false)).toBe(0);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-1.jsonl", "vectors-1.f32"]);
    expect(await readFile(path.join(dir, "keys-1.jsonl"))).toEqual(keysBefore);
    expect(cache.size).toBe(6);
    expectVectors(cache, [...A, ...B]);
    cache.close();
  });

  it("with nothing to drop it still saves the unsaved entries", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(a1[0], a1[1], MODEL_A);
    expect(await cache.compact(MODEL_A, () => true)).toBe(0);
    expect(cache.unsavedCount).toBe(0);
    expect(await keyLines(dir, 1)).toHaveLength(1);
    cache.close();
  });

  it("an empty cache compacts to nothing and stays at generation 1", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    expect(await cache.compact(MODEL_A, () => false)).toBe(0);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
  });
});

describe("EmbeddingCache: countForModel", () => {
  it("counts the saved entries of one model only", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    expect(cache.countForModel(MODEL_A)).toBe(0);
    cache.set(key("a1"), vector(1), MODEL_A);
    cache.set(key("a2"), vector(2), MODEL_A);
    cache.set(key("b1", MODEL_B), vector(3), MODEL_B);
    // Unsaved entries are not counted.
    expect(cache.countForModel(MODEL_A)).toBe(0);
    await cache.save();
    expect(cache.countForModel(MODEL_A)).toBe(2);
    expect(cache.countForModel(MODEL_B)).toBe(1);
    expect(cache.countForModel("never/used")).toBe(0);
    cache.close();
    const reopened = await reopen(dir);
    expect(reopened.cache.countForModel(MODEL_A)).toBe(2);
    expect(reopened.cache.countForModel(MODEL_B)).toBe(1);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("EmbeddingCache: verification (format 3)", () => {
  it("every key line carries a 16-hex checksum, and a vector whose bytes changed is a miss, counted, and can be stored again", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(1, 4), MODEL_A);
    cache.set(key("b"), vector(2, 4), MODEL_A);
    await cache.save();
    cache.close();
    const lines = await keyLines(dir, 1);
    expect(lines.map((l) => l.c)).toEqual([expect.stringMatching(/^[0-9a-f]{16}$/), expect.stringMatching(/^[0-9a-f]{16}$/)]);
    expect(lines[0]!.c).not.toBe(lines[1]!.c);

    // One bit of b's third value flipped.
    const sidecar = await readFile(path.join(dir, "vectors-1.f32"));
    sidecar[16 + 9]! ^= 0x01;
    await writeFile(path.join(dir, "vectors-1.f32"), sidecar);
    const opened = await reopen(dir);
    expect(opened.cache.has(key("b"))).toBe(true); // not yet read
    expect(opened.cache.get(key("b"))).toBeUndefined();
    expect(opened.cache.has(key("b"))).toBe(false);
    expect(opened.cache.rejectedEntries).toBe(1);
    expect(bytesOf(opened.cache.get(key("a"))!)).toEqual(bytesOf(vector(1, 4)));
    opened.cache.set(key("b"), vector(2, 4), MODEL_A);
    await opened.cache.save();
    opened.cache.close();
    // The new line shadows the damaged one.
    const again = await reopen(dir);
    expect(bytesOf(again.cache.get(key("b"))!)).toEqual(bytesOf(vector(2, 4)));
    expect(again.cache.rejectedEntries).toBe(0);
    again.cache.close();
  });

  it("a vector saved under one key and its line relabelled with another key is a miss (the checksum covers the key)", async () => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(1, 4), MODEL_A);
    await cache.save();
    cache.close();
    const [line] = await keyLines(dir, 1);
    await writeFile(path.join(dir, "keys-1.jsonl"), `${JSON.stringify({ ...line, k: key("other") })}\n`);
    const opened = await reopen(dir);
    expect(opened.cache.get(key("other"))).toBeUndefined();
    expect(opened.cache.rejectedEntries).toBe(1);
    opened.cache.close();
  });

  it.each([
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
  ])("set refuses a vector holding %s, and nothing is stored", async (_label, bad) => {
    const dir = await cacheDir();
    const cache = await openNew(dir);
    expect(() => cache.set(key("bad"), Float32Array.from([0.5, bad, 0.25]), MODEL_A)).toThrow(RangeError);
    expect(cache.has(key("bad"))).toBe(false);
    await cache.save();
    expect(await sidecarBytes(dir, 1)).toBe(0);
    cache.close();
  });

  it("a NaN written into the sidecar with a matching checksum is still a miss", async () => {
    const { createHash } = await import("node:crypto");
    const dir = await cacheDir();
    const cache = await openNew(dir);
    cache.set(key("a"), vector(1, 2), MODEL_A);
    await cache.save();
    cache.close();
    const [line] = await keyLines(dir, 1);
    const nan = new Uint8Array(Float32Array.from([NaN, 0.5]).buffer);
    const c = createHash("sha256").update(line!.k).update("\0").update(line!.m).update("\0").update(nan).digest("hex").slice(0, 16);
    await writeFile(path.join(dir, "vectors-1.f32"), nan);
    await writeFile(path.join(dir, "keys-1.jsonl"), `${JSON.stringify({ ...line, c })}\n`);
    const opened = await reopen(dir);
    expect(opened.cache.get(key("a"))).toBeUndefined();
    expect(opened.cache.rejectedEntries).toBe(1);
    opened.cache.close();
  });

  /** A cache of format 2 (no checksums) as codesearch wrote it before, holding one vector. */
  async function formatTwoCache(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "vectors-1.f32"), new Uint8Array(vector(1, 4).buffer));
    await writeFile(path.join(dir, "keys-1.jsonl"), `${JSON.stringify({ k: key("a"), m: "0123456789ab", o: 0, d: 4 })}\n`);
    await writeFile(path.join(dir, POINTER), `${JSON.stringify({ format: "codesearch-embedding-cache", version: 2, generation: 1 })}\n`);
  }

  it("a cache of an older format is never read: it is deleted and a new one starts (outdated-replaced)", async () => {
    const dir = await cacheDir();
    await formatTwoCache(dir);
    const opened = await reopen(dir);
    expect(opened.state).toBe("outdated-replaced");
    expect(opened.setAsidePath).toBeUndefined();
    expect(opened.cache.size).toBe(0);
    expect(opened.cache.get(key("a"))).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual([POINTER, "keys-1.jsonl", "vectors-1.f32"]);
    expect(await readPointer(dir)).toEqual({ format: "codesearch-embedding-cache", version: 3, generation: 1 });
    expect(await sidecarBytes(dir, 1)).toBe(0);
  });

  it("read-only opening changes no file: an outdated cache stays, a torn tail stays", async () => {
    const outdated = await cacheDir();
    await formatTwoCache(outdated);
    const before = await readFile(path.join(outdated, "keys-1.jsonl"));
    const opened = await EmbeddingCache.open(outdated, { readOnly: true });
    expect(opened.state).toBe("outdated-replaced");
    expect(opened.cache.size).toBe(0);
    expect(await readFile(path.join(outdated, "keys-1.jsonl"))).toEqual(before);
    expect(JSON.parse(await readFile(path.join(outdated, POINTER), "utf8"))).toMatchObject({ version: 2 });

    const torn = await cacheDir();
    const cache = await openNew(torn);
    cache.set(key("a"), vector(1, 4), MODEL_A);
    await cache.save();
    cache.close();
    await appendFile(path.join(torn, "vectors-1.f32"), Buffer.alloc(7, 1));
    await appendFile(path.join(torn, "keys-1.jsonl"), '{"k":"to');
    const keysBefore = await readFile(path.join(torn, "keys-1.jsonl"));
    const readOnly = await EmbeddingCache.open(torn, { readOnly: true });
    expect(readOnly.cache.skippedEntries).toBe(1);
    expect(bytesOf(readOnly.cache.get(key("a"))!)).toEqual(bytesOf(vector(1, 4)));
    readOnly.cache.close();
    expect(await readFile(path.join(torn, "keys-1.jsonl"))).toEqual(keysBefore);
    expect(await sidecarBytes(torn, 1)).toBe(16 + 7);

    const corrupt = await cacheDir();
    await mkdir(corrupt);
    await writeFile(path.join(corrupt, POINTER), "garbage");
    const corruptOpened = await EmbeddingCache.open(corrupt, { readOnly: true });
    expect(corruptOpened.state).toBe("corrupt-rebuilt");
    expect(corruptOpened.setAsidePath).toBeUndefined();
    expect(await readdir(corrupt)).toEqual([POINTER]);
  });
});
