// Damage to the table, its search indexes or the manifest is detected, never served, and repaired
// from the embedding cache without computing a vector again.
process.env.LANCEDB_LOG = "error";

import { open, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { IndexDamagedError } from "../../src/model/errors.js";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { indexInProcess } from "../support/index-in-process.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const tableDir = (repo: string) => path.join(repo, ".codesearch", "entities.lance");

async function indexedRepo(): Promise<string> {
  const repo = await makeTempDir();
  await writeSyntheticRepo(repo, 24, 8);
  await indexInProcess(repo);
  return repo;
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Overwrites `length` bytes at `offset` of `file` with seeded random bytes. */
async function writeGarbage(file: string, offset: number, length: number, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
  const handle = await open(file, "r+");
  await handle.write(bytes, 0, length, offset);
  await handle.close();
}

const search = async (repo: string, mode: "lexical" | "vector" | "hybrid") => {
  const session = await openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true });
  try {
    return (await session.search("scale value and clamp it", { limit: 5, mode, filters: {} })).map((h) => h.chunk.id);
  } finally {
    await session.close();
  }
};

/**
 * The next index run repairs with every vector from the cache (the model may load, but only for
 * hybrid fusion's calibration, which a rebuilt table asks for), and the table equals a
 * from-scratch index.
 */
async function expectRepaired(repo: string): Promise<void> {
  const { summary } = await indexInProcess(repo);
  expect(summary.chunksEmbedded).toBe(0);
  expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  expect((await readIndexStatus({ cwd: repo, repoRoot: repo })).damage).toEqual([]);
  expect(await search(repo, "hybrid")).toHaveLength(5);
}

describe("damaged table files", () => {
  it("64 KB of garbage inside a data file: search refuses, status names it, index rebuilds from the cache", { timeout: 60_000 }, async () => {
    const repo = await indexedRepo();
    const [data] = (await filesUnder(path.join(tableDir(repo), "data"))).sort();
    const size = (await stat(data!)).size;
    expect(size).toBeGreaterThan(3 * 65_536);
    await writeGarbage(data!, Math.floor(size / 3), 65_536, 11);

    await expect(search(repo, "vector")).rejects.toBeInstanceOf(IndexDamagedError);
    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status.damage.join("\n")).toContain(`data/${path.basename(data!)}`);
    await expectRepaired(repo);
  });

  it("garbage in an inverted index file: search refuses, index rebuilds", { timeout: 60_000 }, async () => {
    const repo = await indexedRepo();
    const invert = (await filesUnder(path.join(tableDir(repo), "_indices"))).find((f) => f.endsWith("_invert.lance"))!;
    await writeGarbage(invert, 64, 512, 12);
    await expect(search(repo, "lexical")).rejects.toBeInstanceOf(IndexDamagedError);
    await expectRepaired(repo);
  });

  it("a truncated data file: search refuses, index rebuilds", { timeout: 60_000 }, async () => {
    const repo = await indexedRepo();
    const [data] = await filesUnder(path.join(tableDir(repo), "data"));
    await truncate(data!, 4096);
    await expect(search(repo, "hybrid")).rejects.toBeInstanceOf(IndexDamagedError);
    await expectRepaired(repo);
  });

  it("the index folder removed: lexical search fails loudly, index rebuilds from the cache", { timeout: 60_000 }, async () => {
    const repo = await indexedRepo();
    await rm(path.join(tableDir(repo), "_indices"), { recursive: true });
    await expect(search(repo, "lexical")).rejects.toThrow();
    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status.damage.some((d) => d.startsWith("search index broken:")), status.damage.join("\n")).toBe(true);
    await expectRepaired(repo);
  });

  it("one full-text index's files removed: status names it, index rebuilds only the full-text indexes", { timeout: 60_000 }, async () => {
    const repo = await indexedRepo();
    const [one] = (await readdir(path.join(tableDir(repo), "_indices"), { withFileTypes: true })).filter((e) => e.isDirectory());
    await rm(path.join(one!.parentPath, one!.name, "part_0_invert.lance"));
    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status.damage.some((d) => d.startsWith("search index broken: full-text index of")), status.damage.join("\n")).toBe(true);
    const { events } = await indexInProcess(repo);
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: null, filesToRead: 0 });
    await expectRepaired(repo);
  });
});

describe("a damaged manifest", () => {
  it.each([
    ["truncated", (file: string) => truncate(file, 40)],
    ["garbage", (file: string) => writeFile(file, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)))],
    ["valid JSON, not a manifest", (file: string) => writeFile(file, '{"format":"codesearch-index"}')],
  ])("%s: every command says to run index --rebuild (never to delete anything), and --rebuild recovers from the cache", { timeout: 60_000 }, async (_, damage) => {
    const repo = await indexedRepo();
    await damage(path.join(repo, ".codesearch", "manifest.json"));
    const refused = await indexInProcess(repo).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(IndexDamagedError);
    expect((refused as Error).message).toContain("codesearch index --rebuild");
    await expect(search(repo, "lexical")).rejects.toThrow("codesearch index --rebuild");
    await expect(readIndexStatus({ cwd: repo, repoRoot: repo })).rejects.toBeInstanceOf(IndexDamagedError);
    for (const error of [refused as Error]) expect(error.message).not.toMatch(/delete|remove/i);

    // No --model: the model comes from the catalog; every vector from the cache.
    const { summary, events } = await indexInProcess(repo, { rebuild: true, model: undefined });
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: "the index had no usable manifest (the manifest is damaged)" });
    expect(summary.modelId).toBe(TEST_MODEL_DIR);
    expect(summary.chunksEmbedded).toBe(0);
    expect(summary.chunksFromCache).toBe(summary.chunksStored);
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  });
});
