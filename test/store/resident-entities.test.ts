process.env.LANCEDB_LOG = "error";

import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import type { EmbeddedChunk } from "../../src/model/types.js";
import { applyEntityChanges, ENTITY_TABLE, listEntities, openDatabase, searchEntities } from "../../src/store/entity-table.js";
import { idsMatching, loadResidentEntities, nearestResident, residentEntitiesById } from "../../src/store/resident-entities.js";
import { refreshSearchIndexes } from "../../src/store/search-indexes.js";
import { sqlInList } from "../../src/store/sql-quote.js";
import { makeChunk } from "../support/chunks.js";
import { clusteredVectors } from "../support/seeded-random.js";
import { makeTempDir } from "../support/temp-dirs.js";

const DIM = 24;

/** 300 entities in 30 files; every seventh vector is scaled (norm ≠ 1) and rows 10 and 11 share one vector (a tie). */
function entities(): EmbeddedChunk[] {
  const vectors = clusteredVectors(300, 12, 7, DIM).map((v, i) => (i % 7 === 0 ? v.map((x) => x * 3) : v));
  vectors[11] = vectors[10]!;
  return vectors.map((vector, i) => ({
    ...makeChunk(`pkg/m${Math.floor(i / 10)}.py`, 1 + (i % 10) * 3, i % 2 ? `C${i}.f${i}` : `f${i}`, { docstring: `entity ${i}` }),
    vector,
  }));
}

async function tableWith(rows: EmbeddedChunk[]) {
  const db = await openDatabase(path.join(await makeTempDir(), "db"));
  await applyEntityChanges(db, { deletePaths: [], add: rows }, DIM);
  return { db, table: await db.openTable(ENTITY_TABLE) };
}

describe("resident entities", () => {
  it("holds every entity whole, at the table's version, with its stored vector", async () => {
    const rows = entities();
    const { db, table } = await tableWith(rows);
    const resident = (await loadResidentEntities(table))!;
    expect(resident.version).toBe(await table.version());
    expect(resident.dimension).toBe(DIM);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect([...resident.entities].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      (await listEntities(db)).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    resident.entities.forEach((entity, row) => {
      expect(Array.from(resident.matrix.subarray(row * DIM, (row + 1) * DIM))).toEqual(Array.from(byId.get(entity.id)!.vector));
      expect(resident.norms[row]).toBeCloseTo(Math.hypot(...byId.get(entity.id)!.vector), 5);
    });
    const found = residentEntitiesById(resident, [rows[5]!.id, "gone.py:1:f", rows[200]!.id]);
    expect([...found.keys()]).toEqual([rows[5]!.id, rows[200]!.id]);
    expect(found.get(rows[200]!.id)!.docstring).toBe("entity 200");
  });

  it("ranks exactly as LanceDB's exact search does, filters first, and orders ties by id", async () => {
    const rows = entities();
    const { db, table } = await tableWith(rows);
    const resident = (await loadResidentEntities(table))!;
    const queries = [...clusteredVectors(12, 12, 8, DIM), rows[10]!.vector, rows[11]!.vector];
    for (const query of queries) {
      for (const limit of [1, 10, 50]) {
        const expected = await searchEntities(db, query, limit);
        const hits = nearestResident(resident, query, limit);
        expect(hits.map((h) => h.chunk.id)).toEqual(expected.map((h) => h.chunk.id));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
      }
      const filter = sqlInList("path", ["pkg/m3.py", "pkg/m17.py"]);
      const allowed = await idsMatching(table, filter);
      expect(allowed.size).toBe(20);
      const filtered = nearestResident(resident, query, 8, allowed);
      expect(filtered.map((h) => h.chunk.id)).toEqual((await searchEntities(db, query, 8, filter)).map((h) => h.chunk.id));
      expect(new Set(filtered.map((h) => h.chunk.path))).toEqual(new Set(["pkg/m3.py", "pkg/m17.py"]));
    }
    // Rows 10 and 11 hold the same vector: they tie at 1, the smaller id first.
    const [first, second] = nearestResident(resident, rows[10]!.vector, 2);
    expect([first!.chunk.id, second!.chunk.id]).toEqual([rows[10]!.id, rows[11]!.id].sort());
    expect(first!.score).toBeCloseTo(1, 5);
    expect(second!.score).toBeCloseTo(1, 5);
    expect(nearestResident(resident, queries[0]!, 0)).toEqual([]);
    expect(() => nearestResident(resident, new Float32Array(DIM + 1), 5)).toThrow(StoreError);
  });

  it("is not loaded for a table with a vector index: LanceDB then reads only the partitions it probes", async () => {
    const { db, table } = await tableWith(entities());
    await refreshSearchIndexes(db, { vectorIndexMinRows: 200 });
    await table.checkoutLatest();
    expect(await loadResidentEntities(table)).toBeNull();
  });
});
