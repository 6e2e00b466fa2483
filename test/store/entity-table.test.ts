process.env.LANCEDB_LOG = "error";

import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Connection } from "@lancedb/lancedb";
import { beforeEach, describe, expect, it } from "vitest";
import { IndexDamagedError, IndexMismatchError, IndexNotFoundError, StoreError } from "../../src/model/errors.js";
import type { Chunk, EmbeddedChunk } from "../../src/model/types.js";
import {
  ENTITY_TABLE,
  applyEntityChanges,
  countEntities,
  dropEntityTable,
  listEntities,
  openDatabase,
  probeEntityTable,
  readEntities,
  readEntitiesById,
  searchEntities,
} from "../../src/store/entity-table.js";
import {
  MANIFEST_FILE,
  SCHEMA_VERSION,
  assertSameModel,
  readManifest,
  requireManifest,
  writeManifest,
  type IndexManifest,
} from "../../src/store/index-manifest.js";
import { INDEX_DIR_NAME, defaultIndexDir, findIndexUpwards } from "../../src/store/locate-index.js";
import { refOf } from "../support/chunks.js";
import { makeTempDir } from "../support/temp-dirs.js";

const DIM = 8;

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir();
});

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

function normalise(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function chunk(overrides: Partial<EmbeddedChunk> & Pick<EmbeddedChunk, "path" | "qualifiedName" | "startLine" | "vector">): EmbeddedChunk {
  const name = overrides.name ?? overrides.qualifiedName.split(".").pop()!;
  const source = overrides.source ?? `def ${name}():\n    pass`;
  const text = overrides.text ?? `${overrides.qualifiedName}\n${source}`;
  return {
    id: `${overrides.path}:${overrides.startLine}:${overrides.qualifiedName}`,
    language: "python",
    kind: "function",
    name,
    parentQualifiedName: null,
    endLine: overrides.startLine + 1,
    decoratorLine: null,
    decorators: [],
    signature: `def ${name}()`,
    docstring: null,
    source,
    text,
    contentHash: sha256(text),
    ...overrides,
  };
}

/** The chunk without its vector, as listEntities / searchEntities return it. */
function withoutVector(c: EmbeddedChunk): Chunk {
  const { vector: _vector, ...rest } = c;
  return rest;
}

const CART_TOTAL = chunk({
  path: "shop/cart.py",
  kind: "method",
  name: "total",
  qualifiedName: "Cart.total",
  parentQualifiedName: "Cart",
  startLine: 12,
  endLine: 18,
  decoratorLine: 11,
  decorators: ["@property", '@cache(key="a, b")'],
  signature: "def total(self) -> Decimal",
  docstring: 'Sum of the line items.\n\nIncludes "tax".',
  source: 'def total(self) -> Decimal:\n    """Sum of the line items."""\n    return sum(self.items)',
  vector: normalise([1, 0.5, 0, 0, 0, 0, 0, 0.1]),
});
const CART_CLASS = chunk({
  path: "shop/cart.py",
  kind: "class",
  name: "Cart",
  qualifiedName: "Cart",
  startLine: 3,
  endLine: 30,
  signature: "class Cart",
  docstring: "A basket.",
  source: "class Cart:\n    ...",
  vector: normalise([0, 1, 0.2, 0, 0, 0, 0, 0]),
});
const UNICODE = chunk({
  path: "shop/unicode_names.py",
  name: "größe_berechnen",
  qualifiedName: "Maße.größe_berechnen",
  parentQualifiedName: "Maße",
  kind: "method",
  startLine: 5,
  source: "def größe_berechnen(self):\n    return '日本語 🐍'",
  vector: normalise([0, 0, 0, 1, 1, 0, 0, 0]),
});
const RETRY = chunk({
  path: "shop/net/retry.py",
  qualifiedName: "retry",
  startLine: 1,
  endLine: 9,
  decoratorLine: null,
  decorators: [],
  docstring: null,
  vector: normalise([0.3, 0.3, 0.3, 0.3, -0.3, 0.3, 0.3, 0.3]),
});
const TOOL = chunk({
  path: "scripts/tool.py",
  qualifiedName: "main",
  startLine: 40,
  vector: normalise([0, 0, 0, 0, 0, 1, -1, 0]),
});

const ALL = [CART_TOTAL, UNICODE, RETRY, CART_CLASS, TOOL];

/** The `add` and `deletePaths` of one call, with defaults. */
function change(add: EmbeddedChunk[], deletePaths: string[] = []): { deletePaths: string[]; add: EmbeddedChunk[] } {
  return { deletePaths, add };
}

/** A minimal entity of `path` whose vector is derived from `seed`. */
function entityAt(filePath: string, seed: number, startLine = 1): EmbeddedChunk {
  return chunk({
    path: filePath,
    qualifiedName: `f${seed}`,
    startLine,
    vector: normalise(Array.from({ length: DIM }, (_, i) => Math.sin(seed * 7 + i) + 1.5)),
  });
}

describe("entity table: applyEntityChanges", () => {
  let db: Connection;

  beforeEach(async () => {
    db = await openDatabase(path.join(dir, "db"));
  });

  it("the first write creates the table and adds every row, fields intact, listed by path then start line", async () => {
    expect(await applyEntityChanges(db, change(ALL), DIM)).toMatchObject({ rowsDeleted: 0, rowsAdded: 5, rowCount: 5 });
    expect(await db.tableNames()).toEqual([ENTITY_TABLE]);
    expect(await countEntities(db)).toBe(5);
    expect(await listEntities(db)).toEqual([TOOL, CART_CLASS, CART_TOTAL, RETRY, UNICODE].map(withoutVector));
  });

  it("an empty change on a fresh database creates an empty, searchable table", async () => {
    expect(await applyEntityChanges(db, change([]), DIM)).toMatchObject({ rowsDeleted: 0, rowsAdded: 0, rowCount: 0 });
    expect(await db.tableNames()).toEqual([ENTITY_TABLE]);
    expect(await countEntities(db)).toBe(0);
    expect(await listEntities(db)).toEqual([]);
    expect(await searchEntities(db, TOOL.vector, 3)).toEqual([]);
  });

  it("replacing one file's rows leaves exactly the expected set, and re-applying it adds no duplicates", async () => {
    await applyEntityChanges(db, change(ALL), DIM);
    const newTotal = chunk({ ...CART_TOTAL, startLine: 20, endLine: 26, id: "shop/cart.py:20:Cart.total", vector: normalise([1, 1, 0, 0, 0, 0, 0, 0]) });
    const newHelper = chunk({ path: "shop/cart.py", qualifiedName: "helper", startLine: 40, vector: normalise([0, 0, 0, 0, 0, 0, 1, 1]) });
    const edit = change([newTotal, newHelper], ["shop/cart.py"]);

    expect(await applyEntityChanges(db, edit, DIM)).toMatchObject({ rowsDeleted: 2, rowsAdded: 2, rowCount: 5 });
    const expected = [TOOL, newTotal, newHelper, RETRY, UNICODE].map(withoutVector);
    expect(await listEntities(db)).toEqual(expected);

    // An interrupted run repeats the same change: still no duplicates.
    expect(await applyEntityChanges(db, edit, DIM)).toMatchObject({ rowsDeleted: 2, rowsAdded: 2, rowCount: 5 });
    expect(await listEntities(db)).toEqual(expected);
    const hits = await searchEntities(db, CART_TOTAL.vector, 10);
    expect(hits.map((h) => h.chunk.id).sort()).toEqual(expected.map((c) => c.id).sort());
  });

  it("deleting paths without adding removes only their rows; unknown paths delete nothing", async () => {
    await applyEntityChanges(db, change(ALL), DIM);
    expect(await applyEntityChanges(db, change([], ["shop/cart.py", "scripts/tool.py"]), DIM)).toMatchObject({ rowsDeleted: 3, rowsAdded: 0, rowCount: 2 });
    expect(await listEntities(db)).toEqual([RETRY, UNICODE].map(withoutVector));

    expect(await applyEntityChanges(db, change([], ["not/there.py", "shop"]), DIM)).toMatchObject({ rowsDeleted: 0, rowsAdded: 0, rowCount: 2 });
    expect(await listEntities(db)).toEqual([RETRY, UNICODE].map(withoutVector));

    expect(await applyEntityChanges(db, change([], [RETRY.path, UNICODE.path]), DIM)).toMatchObject({ rowsDeleted: 2, rowsAdded: 0, rowCount: 0 });
    expect(await listEntities(db)).toEqual([]);
    expect(await searchEntities(db, TOOL.vector, 3)).toEqual([]);
  });

  it("deletes 1,200 distinct paths in one call (more than one batch)", async () => {
    const paths = Array.from({ length: 1205 }, (_, i) => `pkg/mod_${String(i).padStart(4, "0")}.py`);
    const rows = paths.map((p, i) => entityAt(p, i));
    expect(await applyEntityChanges(db, change(rows), DIM)).toMatchObject({ rowsDeleted: 0, rowsAdded: 1205, rowCount: 1205 });

    // Every path but five, in an order that spreads the survivors over the batches.
    const survivors = new Set([paths[0]!, paths[499]!, paths[500]!, paths[1000]!, paths[1204]!]);
    const doomed = paths.filter((p) => !survivors.has(p)).reverse();
    expect(doomed).toHaveLength(1200);
    expect(await applyEntityChanges(db, change([], doomed), DIM)).toMatchObject({ rowsDeleted: 1200, rowsAdded: 0, rowCount: 5 });
    expect((await listEntities(db)).map((c) => c.path)).toEqual([...survivors].sort());
  });

  it("deletes paths holding quotes, backslashes and unicode exactly, and nothing else", async () => {
    const tricky = [
      "it's.py",
      "dir\\with\\backslash.py",
      "größe/コード 🐍.py",
      "x.py') OR (1=1",
      "pct_%_under.py",
    ];
    const neighbours = [
      "its.py",
      "it''s.py",
      "it\\'s.py",
      "dir/with/backslash.py",
      "dir\\\\with\\\\backslash.py",
      "grosse/code.py",
      "x.py",
      "pct_a_under.py",
    ];
    const rows = [...tricky, ...neighbours].map((p, i) => entityAt(p, i));
    await applyEntityChanges(db, change(rows), DIM);
    expect(await countEntities(db)).toBe(13);

    expect(await applyEntityChanges(db, change([], tricky), DIM)).toMatchObject({ rowsDeleted: 5, rowsAdded: 0, rowCount: 8 });
    expect((await listEntities(db)).map((c) => c.path).sort()).toEqual([...neighbours].sort());
  });

  it("a vector of the wrong length throws StoreError and changes nothing, its deletes included", async () => {
    await applyEntityChanges(db, change(ALL), DIM);
    const short = chunk({ path: "bad.py", qualifiedName: "bad", startLine: 1, vector: new Float32Array(DIM - 1).fill(0.1) });
    const long = chunk({ path: "bad.py", qualifiedName: "bad", startLine: 1, vector: new Float32Array(DIM + 1).fill(0.1) });
    for (const bad of [short, long]) {
      const attempt = applyEntityChanges(db, change([RETRY, bad], [RETRY.path, TOOL.path]), DIM);
      await expect(attempt).rejects.toBeInstanceOf(StoreError);
      await expect(attempt).rejects.toThrow(`vector of ${bad.id} has ${bad.vector.length} values`);
    }
    expect(await countEntities(db)).toBe(5);
    expect(await listEntities(db)).toEqual([TOOL, CART_CLASS, CART_TOTAL, RETRY, UNICODE].map(withoutVector));
  });

  it("the table persists: a new connection to the same folder reads the same rows", async () => {
    await applyEntityChanges(db, change([UNICODE, TOOL]), DIM);
    const again = await openDatabase(path.join(dir, "db"));
    expect(await countEntities(again)).toBe(2);
    expect(await listEntities(again)).toEqual([TOOL, UNICODE].map(withoutVector));
  });
});

describe("entity table: search", () => {
  let db: Connection;

  beforeEach(async () => {
    db = await openDatabase(path.join(dir, "db"));
    await applyEntityChanges(db, change(ALL), DIM);
  });

  it("searches best first with score = cosine similarity, and respects the limit", async () => {
    const query = normalise([0.9, 0.6, 0.1, 0.05, 0, 0, 0, 0]);
    const expected = ALL.map((c) => ({ id: c.id, score: cosine(query, c.vector) })).sort((a, b) => b.score - a.score);

    const hits = await searchEntities(db, query, 5);
    expect(hits.map((h) => h.chunk.id)).toEqual(expected.map((e) => e.id));
    hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    // Hits carry what ranking needs and where the row is, not the source.
    expect(hits[0]!.chunk).toEqual({ ...refOf(withoutVector(CART_TOTAL)), rowId: expect.any(BigInt) });
    expect(hits[0]!.chunk).not.toHaveProperty("source");

    const top2 = await searchEntities(db, query, 2);
    expect(top2.map((h) => h.chunk)).toEqual([CART_TOTAL, CART_CLASS].map((c) => ({ ...refOf(withoutVector(c)), rowId: expect.any(BigInt) })));

    expect(await searchEntities(db, query, 50)).toHaveLength(5);
  });

  it("reads whole entities by id, leaving out ids the table does not hold", async () => {
    const found = await readEntitiesById(db, [RETRY.id, "nowhere.py:1:gone", CART_TOTAL.id]);
    expect([...found.keys()].sort()).toEqual([CART_TOTAL.id, RETRY.id].sort());
    expect(found.get(CART_TOTAL.id)).toEqual(withoutVector(CART_TOTAL));
    expect(found.get(RETRY.id)).toEqual(withoutVector(RETRY));
    expect(await readEntitiesById(db, [])).toEqual(new Map());
  });

  it("reads the final hits whole by their row ids, and by id when a row id names another row", async () => {
    const [total, retry] = (await searchEntities(db, CART_TOTAL.vector, 5)).map((h) => h.chunk).filter((c) => c.id === CART_TOTAL.id || c.id === RETRY.id);
    expect(total!.rowId).not.toBe(retry!.rowId);
    const byRow = await readEntities(db, [total!, retry!]);
    expect(byRow.get(CART_TOTAL.id)).toEqual(withoutVector(CART_TOTAL));
    expect(byRow.get(RETRY.id)).toEqual(withoutVector(RETRY));
    // Row ids from another version: swapped, each names the other entity's row; the ids still decide.
    const swapped = await readEntities(db, [{ ...total!, rowId: retry!.rowId! }, { ...retry!, rowId: total!.rowId! }, { ...total!, id: "gone.py:1:f", rowId: 10_000n }]);
    expect([...swapped.keys()].sort()).toEqual([CART_TOTAL.id, RETRY.id].sort());
    expect(swapped.get(RETRY.id)).toEqual(withoutVector(RETRY));
    const { rowId: _rowId, ...withoutRow } = total!;
    expect((await readEntities(db, [withoutRow])).get(CART_TOTAL.id)).toEqual(withoutVector(CART_TOTAL));
  });

  it("gives score 1 for the query equal to a stored vector and -1 for its opposite", async () => {
    const [exact] = await searchEntities(db, UNICODE.vector, 1);
    expect(exact!.chunk.id).toBe(UNICODE.id);
    expect(exact!.score).toBeCloseTo(1, 5);

    const opposite = Float32Array.from(TOOL.vector, (v) => -v);
    const hits = await searchEntities(db, opposite, 5);
    expect(hits.at(-1)!.chunk.id).toBe(TOOL.id);
    expect(hits.at(-1)!.score).toBeCloseTo(-1, 5);
  });

  it("search after an incremental change sees only the current rows", async () => {
    await applyEntityChanges(db, change([], [UNICODE.path]), DIM);
    const hits = await searchEntities(db, UNICODE.vector, 10);
    expect(hits.map((h) => h.chunk.id).sort()).toEqual([CART_TOTAL, RETRY, CART_CLASS, TOOL].map((c) => c.id).sort());
  });

  it("a query vector of the wrong length throws StoreError", async () => {
    await expect(searchEntities(db, new Float32Array(DIM + 3).fill(0.2), 2)).rejects.toBeInstanceOf(StoreError);
  });
});

describe("entity table: missing, probed, damaged and dropped", () => {
  let db: Connection;
  let dbDir: string;

  beforeEach(async () => {
    dbDir = path.join(dir, "db");
    db = await openDatabase(dbDir);
  });

  it("count, list and search throw StoreError when there is no table", async () => {
    await expect(countEntities(db)).rejects.toBeInstanceOf(StoreError);
    await expect(listEntities(db)).rejects.toBeInstanceOf(StoreError);
    await expect(searchEntities(db, TOOL.vector, 1)).rejects.toBeInstanceOf(StoreError);
  });

  it("probeEntityTable: null before any table, the row count after writes", async () => {
    expect(await probeEntityTable(db)).toBeNull();
    await applyEntityChanges(db, change([]), DIM);
    expect(await probeEntityTable(db)).toBe(0);
    await applyEntityChanges(db, change(ALL), DIM);
    expect(await probeEntityTable(db)).toBe(5);
    await applyEntityChanges(db, change([], [CART_CLASS.path]), DIM);
    expect(await probeEntityTable(db)).toBe(3);
  });

  it("probeEntityTable returns null once the table's data files are gone, and a drop then a write rebuild it", async () => {
    await applyEntityChanges(db, change(ALL), DIM);
    const dataDir = path.join(dbDir, `${ENTITY_TABLE}.lance`, "data");
    const dataFiles = await readdir(dataDir);
    expect(dataFiles.length).toBeGreaterThan(0);
    for (const name of dataFiles) await rm(path.join(dataDir, name), { recursive: true });

    expect(await probeEntityTable(await openDatabase(dbDir))).toBeNull();
    expect(await probeEntityTable(db)).toBeNull();

    await dropEntityTable(db);
    expect(await db.tableNames()).toEqual([]);
    expect(await probeEntityTable(db)).toBeNull();
    expect(await applyEntityChanges(db, change([RETRY, TOOL]), DIM)).toMatchObject({ rowsDeleted: 0, rowsAdded: 2, rowCount: 2 });
    expect(await probeEntityTable(db)).toBe(2);
    expect(await listEntities(db)).toEqual([TOOL, RETRY].map(withoutVector));
  });

  it("dropEntityTable removes an existing table and is a no-op without one", async () => {
    await dropEntityTable(db);
    expect(await db.tableNames()).toEqual([]);
    await applyEntityChanges(db, change(ALL), DIM);
    await dropEntityTable(db);
    expect(await db.tableNames()).toEqual([]);
    await expect(countEntities(db)).rejects.toBeInstanceOf(StoreError);
    expect(await probeEntityTable(await openDatabase(dbDir))).toBeNull();
  });
});

describe("index manifest", () => {
  const manifest: IndexManifest = {
    format: "codesearch-index",
    schemaVersion: SCHEMA_VERSION,
    modelId: "microsoft/codebert-base",
    dimension: 768,
    maxTokens: 512,
    repoRoot: "/home/dev/shop",
    lastRun: {
      startedAt: "2025-01-02T03:04:05.000Z",
      finishedAt: "2025-01-02T03:04:09.500Z",
      durationMs: 4500,
      filesIndexed: 5,
      entitiesStored: 17,
      failureCount: 1,
      stopReason: null,
      chunksPending: 0,
    },
  };

  it("writeManifest then readManifest round-trips, leaving only manifest.json", async () => {
    await writeManifest(dir, manifest);
    expect(await readManifest(dir)).toEqual(manifest);
    expect(await readdir(dir)).toEqual([MANIFEST_FILE]);
    expect(JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), "utf8"))).toEqual(manifest);
  });

  it("writeManifest overwrites an earlier manifest", async () => {
    await writeManifest(dir, manifest);
    const next = { ...manifest, lastRun: { ...manifest.lastRun, entitiesStored: 3 } };
    await writeManifest(dir, next);
    expect(await readManifest(dir)).toEqual(next);
    expect(await readdir(dir)).toEqual([MANIFEST_FILE]);
  });

  it("round-trips a run that stopped early with entities pending", async () => {
    for (const stopReason of ["interrupted", "max-items"] as const) {
      const stopped: IndexManifest = { ...manifest, lastRun: { ...manifest.lastRun, stopReason, chunksPending: 42 } };
      await writeManifest(dir, stopped);
      expect(await readManifest(dir)).toEqual(stopped);
    }
  });

  it("readManifest throws IndexDamagedError on a lastRun with a bad or missing stopReason or chunksPending", async () => {
    const { stopReason: _stopReason, ...withoutStopReason } = manifest.lastRun;
    const { chunksPending: _chunksPending, ...withoutPending } = manifest.lastRun;
    const badRuns = [
      { ...manifest.lastRun, stopReason: "crashed" },
      { ...manifest.lastRun, chunksPending: -1 },
      { ...manifest.lastRun, chunksPending: 1.5 },
      withoutStopReason,
      withoutPending,
    ];
    for (const lastRun of badRuns) {
      await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, lastRun }));
      await expect(readManifest(dir)).rejects.toBeInstanceOf(IndexDamagedError);
    }
  });

  it("readManifest rejects an index written with schema version 1 as a mismatch", async () => {
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    const { stopReason: _s, chunksPending: _c, ...v1Run } = manifest.lastRun;
    await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, schemaVersion: 1, lastRun: v1Run }));
    await expect(readManifest(dir)).rejects.toBeInstanceOf(IndexMismatchError);
  });

  it("writeManifest throws StoreError when the folder does not exist", async () => {
    await expect(writeManifest(path.join(dir, "missing"), manifest)).rejects.toBeInstanceOf(StoreError);
  });

  it("readManifest returns null when there is no manifest", async () => {
    expect(await readManifest(dir)).toBeNull();
    expect(await readManifest(path.join(dir, "does-not-exist"))).toBeNull();
  });

  it("readManifest throws IndexDamagedError advising --rebuild on invalid JSON", async () => {
    await writeFile(path.join(dir, MANIFEST_FILE), '{"format": "codesearch-index", ');
    await expect(readManifest(dir)).rejects.toBeInstanceOf(IndexDamagedError);
    await expect(readManifest(dir)).rejects.toThrow("run `codesearch index --rebuild`");
  });

  it("readManifest throws IndexDamagedError on JSON that is not a manifest", async () => {
    const { modelId: _modelId, ...withoutModel } = manifest;
    for (const bad of [{ ...manifest, format: "other" }, withoutModel, { ...manifest, dimension: 0 }, null, [1, 2]]) {
      await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(bad));
      await expect(readManifest(dir)).rejects.toBeInstanceOf(IndexDamagedError);
    }
  });

  it("readManifest throws IndexMismatchError for another schema version", async () => {
    await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, schemaVersion: SCHEMA_VERSION + 1 }));
    const attempt = readManifest(dir);
    await expect(attempt).rejects.toBeInstanceOf(IndexMismatchError);
    await expect(attempt).rejects.toMatchObject({ code: "index-mismatch", exitCode: 5 });
  });

  it("requireManifest returns the manifest, or throws IndexNotFoundError on an empty folder", async () => {
    await expect(requireManifest(dir)).rejects.toBeInstanceOf(IndexNotFoundError);
    await writeManifest(dir, manifest);
    expect(await requireManifest(dir)).toEqual(manifest);
  });

  it("assertSameModel accepts the same model and dimension and rejects another", () => {
    expect(() => assertSameModel(manifest, "microsoft/codebert-base", 768)).not.toThrow();
    expect(() => assertSameModel(manifest, "microsoft/codebert-base")).not.toThrow();
    expect(() => assertSameModel(manifest, "microsoft/unixcoder-base", 768)).toThrow(IndexMismatchError);
    expect(() => assertSameModel(manifest, "microsoft/unixcoder-base")).toThrow(IndexMismatchError);
    expect(() => assertSameModel(manifest, "microsoft/codebert-base", 384)).toThrow(IndexMismatchError);
  });
});

describe("locating an index", () => {
  it("defaultIndexDir is <repoRoot>/.codesearch, absolute", () => {
    expect(defaultIndexDir(dir)).toBe(path.join(dir, INDEX_DIR_NAME));
    expect(path.isAbsolute(defaultIndexDir("relative/repo"))).toBe(true);
  });

  it("findIndexUpwards finds the nearest index from a nested subdirectory", async () => {
    const repo = path.join(dir, "repo");
    const nested = path.join(repo, "pkg", "sub", "deep");
    await mkdir(nested, { recursive: true });
    await mkdir(path.join(repo, INDEX_DIR_NAME));
    await writeFile(path.join(repo, INDEX_DIR_NAME, MANIFEST_FILE), "{}");

    const expected = { repoRoot: repo, indexDir: path.join(repo, INDEX_DIR_NAME) };
    expect(findIndexUpwards(nested)).toEqual(expected);
    expect(findIndexUpwards(repo)).toEqual(expected);
    expect(findIndexUpwards(path.relative(process.cwd(), nested))).toEqual(expected);

    // A nearer index wins.
    const inner = path.join(repo, "pkg");
    await mkdir(path.join(inner, INDEX_DIR_NAME));
    await writeFile(path.join(inner, INDEX_DIR_NAME, MANIFEST_FILE), "{}");
    expect(findIndexUpwards(nested)).toEqual({ repoRoot: inner, indexDir: path.join(inner, INDEX_DIR_NAME) });
  });

  it("findIndexUpwards ignores a .codesearch folder without a manifest and returns null when none exists", async () => {
    const nested = path.join(dir, "repo", "pkg");
    await mkdir(nested, { recursive: true });
    await mkdir(path.join(dir, "repo", INDEX_DIR_NAME));
    expect(findIndexUpwards(nested)).toBeNull();
    expect(findIndexUpwards(dir)).toBeNull();
  });
});
