// Issue 11, defect 1, end to end: a damaged embedding cache must never put another entity's vector
// (or NaN) into the table; damaged entries are re-embedded.
import * as lancedb from "@lancedb/lancedb";
import { open, readFile, rm, stat, truncate } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Embedder } from "../../src/embed/embedder.js";
import type { IndexEvent } from "../../src/model/events.js";
import type { EmbedderLoader } from "../../src/pipeline/load-embedder.js";
import { ENTITY_TABLE } from "../../src/store/entity-table.js";
import { fakeEmbedder, hashVector } from "../support/fake-embedders.js";
import { indexInProcess } from "../support/index-in-process.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { seededRandom } from "../support/seeded-random.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const DIMENSION = 64;
const FILES = 12;
const FUNCTIONS = 10;

const loader = (wrap?: (inner: Embedder) => Embedder): EmbedderLoader => async () => {
  const inner = fakeEmbedder({ dimension: DIMENSION, modelId: TEST_MODEL_DIR });
  return wrap ? wrap(inner) : inner;
};

/** Every stored row checked against the vector the fake embedder gives its text: the count of rows and of wrong ones. */
async function auditTable(indexDir: string): Promise<{ rows: number; wrong: number }> {
  const db = await lancedb.connect(indexDir);
  const table = await db.openTable(ENTITY_TABLE);
  const rows = (await table.query().select(["text", "vector"]).toArray()) as { text: string; vector: ArrayLike<number> }[];
  table.close();
  db.close();
  let wrong = 0;
  for (const row of rows) {
    const expected = hashVector(row.text, DIMENSION);
    const got = Float32Array.from(row.vector);
    if (got.some((v, i) => v !== expected[i])) wrong++;
  }
  return { rows: rows.length, wrong };
}

async function indexedRepo(): Promise<{ repo: string; indexDir: string; sidecar: string; rows: number }> {
  const repo = await makeTempDir("codesearch-cache-damage-");
  await writeSyntheticRepo(repo, FILES, FUNCTIONS);
  const { summary } = await indexInProcess(repo, { loadEmbedder: loader() });
  expect(summary.chunksStored).toBeGreaterThanOrEqual(FILES * FUNCTIONS);
  const indexDir = path.join(repo, ".codesearch");
  return { repo, indexDir, sidecar: path.join(indexDir, "embedding-cache", "vectors-1.f32"), rows: summary.chunksStored };
}

/** Forgets what the table holds, so the next run rebuilds every row from the cache. */
const forgetCatalog = (indexDir: string) => rm(path.join(indexDir, "catalog.json"));

async function overwrite(file: string, at: number, bytes: Uint8Array): Promise<void> {
  const handle = await open(file, "r+");
  await handle.write(bytes, 0, bytes.length, at);
  await handle.close();
}

describe("indexRepo with a damaged embedding cache", () => {
  it("(a) a sidecar cut mid-record, then a capped run and a full run: every row holds its own vector", async () => {
    const { repo, indexDir, sidecar, rows } = await indexedRepo();
    await truncate(sidecar, Math.floor((await stat(sidecar)).size * 0.45) + 6);
    await forgetCatalog(indexDir);
    const capped = await indexInProcess(repo, { loadEmbedder: loader(), maxItems: 10 });
    expect(capped.summary.chunksEmbedded).toBe(10);
    expect((await auditTable(indexDir)).wrong).toBe(0);
    const full = await indexInProcess(repo, { loadEmbedder: loader() });
    expect(full.summary.chunksPending).toBe(0);
    expect(await auditTable(indexDir)).toEqual({ rows, wrong: 0 });
  });

  it("(b) random bytes inside the sidecar: the run re-embeds the damaged entries, reports them, and stores no wrong vector", async () => {
    const { repo, indexDir, sidecar, rows } = await indexedRepo();
    const random = seededRandom(21);
    const size = (await stat(sidecar)).size;
    const garbage = Uint8Array.from({ length: Math.floor(size / 4) }, () => Math.floor(random() * 256));
    await overwrite(sidecar, Math.floor(size / 3), garbage);
    await forgetCatalog(indexDir);
    const { summary, events } = await indexInProcess(repo, { loadEmbedder: loader() });
    const checked = events.find((e): e is Extract<IndexEvent, { type: "cache-checked" }> => e.type === "cache-checked")!;
    expect(checked.entriesDiscarded).toBeGreaterThan(0);
    expect(summary.chunksEmbedded).toBe(checked.entriesDiscarded);
    expect(summary.failures).toEqual([]);
    expect(await auditTable(indexDir)).toEqual({ rows, wrong: 0 });
  });

  it("(c) a block copied from elsewhere in the sidecar: no wrong vector reaches the table", async () => {
    const { repo, indexDir, sidecar, rows } = await indexedRepo();
    const bytes = await readFile(sidecar);
    const block = bytes.subarray(0, Math.floor(bytes.length / 4));
    await overwrite(sidecar, Math.floor(bytes.length / 2) + 12, block);
    await forgetCatalog(indexDir);
    const { summary } = await indexInProcess(repo, { loadEmbedder: loader() });
    expect(summary.chunksEmbedded).toBeGreaterThan(0);
    expect(await auditTable(indexDir)).toEqual({ rows, wrong: 0 });
  });

  it("an embedder that returns NaN for one entity: that entity fails, the others are stored, the cache holds no NaN", async () => {
    const repo = await makeTempDir("codesearch-cache-nan-");
    await writeSyntheticRepo(repo, 2, 3);
    const nanFor = (text: string) => text.includes("f_1_2");
    const { summary } = await indexInProcess(repo, {
      loadEmbedder: loader((inner) => ({
        ...inner,
        embed: async (texts) => (await inner.embed(texts)).map((v, i) => (nanFor(texts[i]!) ? v.map((x, j) => (j === 3 ? NaN : x)) : v)),
      })),
    });
    const embedFailures = summary.failures.filter((f) => f.stage === "embed");
    expect(embedFailures.map((f) => [f.qualifiedName, f.message])).toEqual([["f_1_2", "embedder returned a vector holding NaN or Infinity"]]);
    const audit = await auditTable(path.join(repo, ".codesearch"));
    expect(audit).toEqual({ rows: summary.chunksStored, wrong: 0 });
    const sidecar = new Float32Array((await readFile(path.join(repo, ".codesearch", "embedding-cache", "vectors-1.f32"))).buffer.slice(0));
    expect(sidecar.every(Number.isFinite)).toBe(true);
  });
});
