// The embedding cache under damage to its real files: every vector it hands out after a cut,
// random bytes, a copied block or a failed append must be exactly the one saved under that key;
// anything else must be a miss.
import { execFileSync } from "node:child_process";
import { mkdir, open, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EMBEDDING_CACHE_DIR, EmbeddingCache, embeddingCacheKey } from "../../src/embed/embedding-cache.js";
import { mountTmpfs, mountUnavailable, unmount } from "../support/mounts.js";
import { seededRandom } from "../support/seeded-random.js";
import { makeTempDir } from "../support/temp-dirs.js";

const MODEL = "test/model";
const SIDECAR = "vectors-1.f32";
const KEY_LOG = "keys-1.jsonl";

const bytesOf = (v: Float32Array): number[] => Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** A deterministic, distinct vector per seed (finite values, no two equal). */
function vector(seed: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(seed * 97 + i * 1.7) / 2 + seed / 1000);
}

interface Entry {
  key: string;
  vector: Float32Array;
}

function entries(count: number, dimension: number, firstSeed = 1): Entry[] {
  return Array.from({ length: count }, (_, i) => ({ key: embeddingCacheKey(MODEL, 512, `text ${firstSeed + i}`), vector: vector(firstSeed + i, dimension) }));
}

/** A cache folder holding `saved`, written over saves of `perSave` entries each; the cache is closed. */
async function savedCache(saved: readonly Entry[], perSave = 4): Promise<string> {
  const dir = path.join(await makeTempDir(), EMBEDDING_CACHE_DIR);
  const { cache } = await EmbeddingCache.open(dir);
  for (let i = 0; i < saved.length; i += perSave) {
    for (const e of saved.slice(i, i + perSave)) cache.set(e.key, e.vector, MODEL);
    await cache.save();
  }
  cache.close();
  return dir;
}

/**
 * Reopens `dir` and checks every key of `all`: a vector handed out must be bit-identical to the
 * one saved under that key. Returns how many were served and how many were wrong.
 */
async function audit(dir: string, all: readonly Entry[]): Promise<{ served: Set<string>; wrong: number }> {
  const { cache } = await EmbeddingCache.open(dir);
  const served = new Set<string>();
  let wrong = 0;
  for (const e of all) {
    const got = cache.get(e.key);
    if (!got) continue;
    served.add(e.key);
    if (got.length !== e.vector.length || bytesOf(got).join() !== bytesOf(e.vector).join()) wrong++;
  }
  cache.close();
  return { served, wrong };
}

/**
 * Reopens `dir`, stores `more` and saves. Entries of `all` it lost stay lost (as after a run capped
 * by `--max-items`), so a key line left over from before the damage is never shadowed by a new one.
 */
async function appendAfterDamage(dir: string, more: readonly Entry[]): Promise<void> {
  const { cache } = await EmbeddingCache.open(dir);
  for (const e of more) cache.set(e.key, e.vector, MODEL);
  await cache.save();
  cache.close();
}

const DIMENSION = 6;
const RECORD_BYTES = DIMENSION * 4;
const SAVED = entries(10, DIMENSION);
const LATER = entries(5, DIMENSION, 100);

describe("EmbeddingCache under damage: a cut sidecar", () => {
  const cuts = Array.from({ length: SAVED.length * RECORD_BYTES }, (_, i) => i);

  it(`at every byte offset (${cuts.length} cuts, ${SAVED.length + 1} of them record boundaries) serves exactly the whole records before the cut, and appends after it stay right`, async () => {
    const original = await savedCache(SAVED);
    const sidecar = await readFile(path.join(original, SIDECAR));
    const keyLog = await readFile(path.join(original, KEY_LOG));
    let wrongServed = 0;
    let wrongAfterAppend = 0;
    let lostAfterAppend = 0;
    for (const cut of cuts) {
      await writeFile(path.join(original, SIDECAR), sidecar.subarray(0, cut));
      await writeFile(path.join(original, KEY_LOG), keyLog);
      const { served, wrong } = await audit(original, SAVED);
      wrongServed += wrong;
      // Each record that lies wholly before the cut survives; none after it.
      expect(served.size, `cut at ${cut}`).toBe(Math.floor(cut / RECORD_BYTES));
      // Scenario (a) of issue 11: the next appends must not revive lines that pointed past the cut.
      await appendAfterDamage(original, LATER);
      const after = await audit(original, [...SAVED, ...LATER]);
      wrongAfterAppend += after.wrong;
      lostAfterAppend += served.size + LATER.length - after.served.size;
    }
    expect({ wrongServed, wrongAfterAppend, lostAfterAppend }).toEqual({ wrongServed: 0, wrongAfterAppend: 0, lostAfterAppend: 0 });
  });

  it("a cut mid-record is repaired: the sidecar ends at the last whole record, so later offsets stay aligned", async () => {
    const dir = await savedCache(SAVED);
    await truncate(path.join(dir, SIDECAR), 3 * RECORD_BYTES + 5);
    (await EmbeddingCache.open(dir)).cache.close();
    expect((await stat(path.join(dir, SIDECAR))).size).toBe(3 * RECORD_BYTES);
    const lines = (await readFile(path.join(dir, KEY_LOG), "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(3);
  });
});

describe("EmbeddingCache under damage: a cut key log", () => {
  it("at every byte offset serves only correct vectors, and appends after it stay right", async () => {
    const original = await savedCache(SAVED);
    const sidecar = await readFile(path.join(original, SIDECAR));
    const keyLog = await readFile(path.join(original, KEY_LOG));
    let wrong = 0;
    let lost = 0;
    for (let cut = 0; cut <= keyLog.length; cut++) {
      await writeFile(path.join(original, SIDECAR), sidecar);
      await writeFile(path.join(original, KEY_LOG), keyLog.subarray(0, cut));
      const before = await audit(original, SAVED);
      wrong += before.wrong;
      await appendAfterDamage(original, LATER);
      const after = await audit(original, [...SAVED, ...LATER]);
      wrong += after.wrong;
      lost += before.served.size + LATER.length - after.served.size;
    }
    expect({ wrong, lost }).toEqual({ wrong: 0, lost: 0 });
  });
});

describe("EmbeddingCache under damage: random bytes and copied blocks", () => {
  const TRIALS = 200;
  const MANY = entries(40, 16);

  /** Overwrites `length` bytes at `at` in `file` with `bytes`. */
  async function overwrite(file: string, at: number, bytes: Uint8Array): Promise<void> {
    const handle = await open(file, "r+");
    await handle.write(bytes, 0, bytes.length, at);
    await handle.close();
  }

  it(`${TRIALS} seeded trials of random bytes in the sidecar: no wrong vector, damaged records are misses, untouched ones are served`, async () => {
    const random = seededRandom(11);
    const original = await savedCache(MANY, 7);
    const sidecar = await readFile(path.join(original, SIDECAR));
    let wrong = 0;
    let damagedServed = 0;
    let intactLost = 0;
    let damagedTotal = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      await writeFile(path.join(original, SIDECAR), sidecar);
      const length = 1 + Math.floor(random() * 200);
      const at = Math.floor(random() * (sidecar.length - length));
      const garbage = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      await overwrite(path.join(original, SIDECAR), at, garbage);
      const now = await readFile(path.join(original, SIDECAR));
      const { served, wrong: w } = await audit(original, MANY);
      wrong += w;
      MANY.forEach((e, i) => {
        const changed = !now.subarray(i * 64, i * 64 + 64).equals(sidecar.subarray(i * 64, i * 64 + 64));
        if (changed) damagedTotal++;
        if (changed && served.has(e.key)) damagedServed++;
        if (!changed && !served.has(e.key)) intactLost++;
      });
    }
    expect(damagedTotal).toBeGreaterThan(TRIALS);
    expect({ wrong, damagedServed, intactLost }).toEqual({ wrong: 0, damagedServed: 0, intactLost: 0 });
  });

  it(`${TRIALS} seeded trials of a block copied from elsewhere in the sidecar: no wrong vector`, async () => {
    const random = seededRandom(12);
    const original = await savedCache(MANY, 7);
    const sidecar = await readFile(path.join(original, SIDECAR));
    let wrong = 0;
    let misses = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      await writeFile(path.join(original, SIDECAR), sidecar);
      // Whole records or any byte span, from one place to another.
      const aligned = random() < 0.5;
      const unit = aligned ? 64 : 1;
      const length = unit * (1 + Math.floor(random() * (aligned ? 8 : 400)));
      const from = unit * Math.floor((random() * (sidecar.length - length)) / unit);
      const to = unit * Math.floor((random() * (sidecar.length - length)) / unit);
      await overwrite(path.join(original, SIDECAR), to, sidecar.subarray(from, from + length));
      const { served, wrong: w } = await audit(original, MANY);
      wrong += w;
      misses += MANY.length - served.size;
    }
    expect(misses).toBeGreaterThan(0);
    expect(wrong).toBe(0);
  });

  it(`${TRIALS} seeded trials of random bytes in the key log: no wrong vector`, async () => {
    const random = seededRandom(13);
    const original = await savedCache(MANY, 7);
    const keyLog = await readFile(path.join(original, KEY_LOG));
    const sidecar = await readFile(path.join(original, SIDECAR));
    let wrong = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      await writeFile(path.join(original, KEY_LOG), keyLog);
      await writeFile(path.join(original, SIDECAR), sidecar);
      const damaged = Buffer.from(keyLog);
      const count = 1 + Math.floor(random() * 8);
      // Hex digits and digits keep most lines parseable, so a key or offset changes silently.
      const alphabet = "0123456789abcdef";
      for (let i = 0; i < count; i++) damaged[Math.floor(random() * damaged.length)] = alphabet.charCodeAt(Math.floor(random() * alphabet.length));
      await writeFile(path.join(original, KEY_LOG), damaged);
      wrong += (await audit(original, MANY)).wrong;
    }
    expect(wrong).toBe(0);
  });
});

describe("EmbeddingCache under damage: a failed append, then a retry", () => {
  it("a save that wrote part of the sidecar and none of the key log, retried, leaves every vector right (simulated: the key log is briefly a folder)", async () => {
    const dir = await savedCache(SAVED.slice(0, 4));
    const { cache } = await EmbeddingCache.open(dir);
    for (const e of SAVED.slice(4)) cache.set(e.key, e.vector, MODEL);
    const keyLog = await readFile(path.join(dir, KEY_LOG));
    await rm(path.join(dir, KEY_LOG));
    await mkdir(path.join(dir, KEY_LOG));
    await expect(cache.save()).rejects.toThrow();
    expect(cache.unsavedCount).toBe(6);
    await rm(path.join(dir, KEY_LOG), { recursive: true });
    await writeFile(path.join(dir, KEY_LOG), keyLog);
    await cache.save();
    cache.close();
    const { served, wrong } = await audit(dir, SAVED);
    expect({ served: served.size, wrong }).toEqual({ served: SAVED.length, wrong: 0 });
    expect((await stat(path.join(dir, SIDECAR))).size).toBe(SAVED.length * RECORD_BYTES);
  });

  it("bytes left past the recorded end by an interrupted append are cut before the next append", async () => {
    const dir = await savedCache(SAVED.slice(0, 4));
    const { cache } = await EmbeddingCache.open(dir);
    // What a save interrupted after part of its sidecar write leaves behind.
    await writeFile(path.join(dir, SIDECAR), Buffer.alloc(37, 0xab), { flag: "a" });
    for (const e of SAVED.slice(4)) cache.set(e.key, e.vector, MODEL);
    await cache.save();
    cache.close();
    const { served, wrong } = await audit(dir, SAVED);
    expect({ served: served.size, wrong }).toEqual({ served: SAVED.length, wrong: 0 });
  });
});

const noTmpfs = await mountUnavailable();

describe("EmbeddingCache under damage: ENOSPC on a small tmpfs", () => {
  it.skipIf(noTmpfs !== null)(`a save that runs out of space mid-append, retried after space is freed, leaves every vector right${noTmpfs ? ` (skipped: ${noTmpfs})` : ""}`, async () => {
    const mountPoint = await makeTempDir("codesearch-tmpfs-");
    mountTmpfs(mountPoint, "256k");
    try {
      const dir = path.join(mountPoint, EMBEDDING_CACHE_DIR);
      const first = entries(20, 64);
      const second = entries(100, 64, 1000);
      const { cache } = await EmbeddingCache.open(dir);
      for (const e of first) cache.set(e.key, e.vector, MODEL);
      await cache.save();
      // Leave ~12 KB free: less than the 25.6 KB the next save appends.
      const filler = path.join(mountPoint, "filler");
      const free = (): number => {
        const out = execFileSync("df", ["-B1", "--output=avail", mountPoint], { encoding: "utf8" });
        return Number(out.trim().split("\n").at(-1));
      };
      await writeFile(filler, Buffer.alloc(Math.max(0, free() - 12 * 1024)));
      for (const e of second) cache.set(e.key, e.vector, MODEL);
      await expect(cache.save()).rejects.toMatchObject({ code: "ENOSPC" });
      expect(cache.unsavedCount).toBe(second.length);
      await rm(filler);
      await cache.save();
      cache.close();
      const { served, wrong } = await audit(dir, [...first, ...second]);
      expect({ served: served.size, wrong }).toEqual({ served: first.length + second.length, wrong: 0 });
    } finally {
      unmount(mountPoint);
    }
  });
});
