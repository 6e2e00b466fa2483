process.env.LANCEDB_LOG = "error";

import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EmbeddedChunk } from "../../src/model/types.js";
import { applyEntityChanges, ENTITY_TABLE, openDatabase, searchEntities } from "../../src/store/entity-table.js";
import { refreshSearchIndexes, VECTOR_INDEX_PREFIX, vectorIndexPartitions } from "../../src/store/search-indexes.js";
import { sqlInList } from "../../src/store/sql-quote.js";
import { makeChunk } from "../support/chunks.js";
import { clusteredVectors as clusteredVectorsOf } from "../support/seeded-random.js";
import { makeTempDir } from "../support/temp-dirs.js";

const DIM = 32;

/** Unit vectors in clusters (seeded-random.ts) of {@link DIM} floats. */
function clusteredVectors(count: number, clusters: number, seed: number): Float32Array[] {
  return clusteredVectorsOf(count, clusters, seed, DIM);
}

function rowsOf(vectors: Float32Array[], firstFile: number): EmbeddedChunk[] {
  return vectors.map((vector, i) => ({ ...makeChunk(`pkg/m${firstFile + Math.floor(i / 10)}.py`, 1 + (i % 10) * 3, `f${firstFile * 10 + i}`), vector }));
}

async function exactTop(db: Awaited<ReturnType<typeof openDatabase>>, vector: Float32Array, k: number): Promise<string[]> {
  const table = await db.openTable(ENTITY_TABLE);
  const rows = await table.vectorSearch(vector).distanceType("cosine").bypassVectorIndex().select(["id"]).limit(k).toArray();
  return rows.map((r: { id: string }) => r.id);
}

describe("vector index", () => {
  it("is not built below the row threshold: search stays exact", async () => {
    const db = await openDatabase(path.join(await makeTempDir(), "db"));
    await applyEntityChanges(db, { deletePaths: [], add: rowsOf(clusteredVectors(300, 10, 1), 0) }, DIM);
    expect((await refreshSearchIndexes(db, { vectorIndexMinRows: 301 })).vectorIndexBuilt).toBeUndefined();
    const table = await db.openTable(ENTITY_TABLE);
    expect((await table.listIndices()).some((i) => i.columns.includes("vector"))).toBe(false);
  });

  it("is built at the threshold, answers top-10 with recall ≥ 0.95 against exact search, filters first, and keeps up with writes", async () => {
    const db = await openDatabase(path.join(await makeTempDir(), "db"));
    const vectors = clusteredVectors(1200, 40, 2);
    await applyEntityChanges(db, { deletePaths: [], add: rowsOf(vectors, 0) }, DIM);
    const refresh = await refreshSearchIndexes(db, { vectorIndexMinRows: 1000 });
    expect(refresh.vectorIndexBuilt).toBe(`${VECTOR_INDEX_PREFIX}${vectorIndexPartitions(1200)}`);
    const table = await db.openTable(ENTITY_TABLE);
    expect((await table.listIndices()).find((i) => i.columns.includes("vector"))).toMatchObject({ indexType: "IvfFlat", name: refresh.vectorIndexBuilt });

    const queries = clusteredVectors(40, 40, 3);
    let found = 0;
    for (const query of queries) {
      const exact = new Set(await exactTop(db, query, 10));
      const hits = await searchEntities(db, query, 10);
      expect(hits).toHaveLength(10);
      found += hits.filter((h) => exact.has(h.chunk.id)).length;
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95);

    // A filter that keeps one file: its rows come back even though most lie in unprobed partitions.
    const onePath = sqlInList("path", ["pkg/m7.py"]);
    const filtered = await searchEntities(db, queries[0]!, 10, onePath);
    expect(filtered.map((h) => h.chunk.path)).toEqual(Array(10).fill("pkg/m7.py"));

    // Rows written later are folded into the index (no retraining below 4× the rows).
    await applyEntityChanges(db, { deletePaths: ["pkg/m0.py"], add: rowsOf(clusteredVectors(200, 40, 4), 500) }, DIM);
    const again = await refreshSearchIndexes(db, { vectorIndexMinRows: 1000 });
    expect(again.vectorIndexBuilt).toBeUndefined();
    const reopened = await db.openTable(ENTITY_TABLE);
    expect(await reopened.indexStats(refresh.vectorIndexBuilt!)).toMatchObject({ numIndexedRows: 1390, numUnindexedRows: 0 });
    const newest = rowsOf(clusteredVectors(200, 40, 4), 500)[17]!;
    expect((await searchEntities(db, newest.vector, 1))[0]!.chunk.id).toBe(newest.id);
  });

  it("is trained again once the table has 4× the rows it was trained on", async () => {
    const db = await openDatabase(path.join(await makeTempDir(), "db"));
    await applyEntityChanges(db, { deletePaths: [], add: rowsOf(clusteredVectors(400, 20, 5), 0) }, DIM);
    const first = await refreshSearchIndexes(db, { vectorIndexMinRows: 400 });
    expect(first.vectorIndexBuilt).toBe(`${VECTOR_INDEX_PREFIX}20`);
    await applyEntityChanges(db, { deletePaths: [], add: rowsOf(clusteredVectors(1200, 20, 6), 100) }, DIM);
    const second = await refreshSearchIndexes(db, { vectorIndexMinRows: 400 });
    expect(second.vectorIndexBuilt).toBe(`${VECTOR_INDEX_PREFIX}40`);
    const table = await db.openTable(ENTITY_TABLE);
    expect((await table.listIndices()).filter((i) => i.columns.includes("vector")).map((i) => i.name)).toEqual([`${VECTOR_INDEX_PREFIX}40`]);
  });
});
