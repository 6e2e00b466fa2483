process.env.LANCEDB_LOG = "error";

import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import type { Chunk, EmbeddedChunk } from "../../src/model/types.js";
import { applyEntityChanges, ENTITY_TABLE, openDatabase, searchEntities } from "../../src/store/entity-table.js";
import { findEntitiesByName, searchEntitiesByText } from "../../src/store/entity-text-search.js";
import { FULL_TEXT_INDEXES } from "../../src/store/search-columns.js";
import { refreshSearchIndexes } from "../../src/store/search-indexes.js";
import { sqlInList } from "../../src/store/sql-quote.js";
import { makeChunk, refOf } from "../support/chunks.js";
import { hashVector } from "../support/fake-embedders.js";
import { makeTempDir } from "../support/temp-dirs.js";

const DIM = 8;
const embedded = (chunk: Chunk): EmbeddedChunk => ({ ...chunk, vector: hashVector(chunk.id, DIM) });

const PARSER = embedded(
  makeChunk("lib/http.py", 3, "parseHTTPHeader2", { docstring: "Split one raw line into a name and a value.", source: "def parseHTTPHeader2(line):\n    return line.split(':', 1)" }),
);
const READER = embedded(makeChunk("lib/files.py", 1, "read_config_dir", { docstring: "Load every settings file of a folder." }));
const CART = embedded(makeChunk("shop/cart.py", 1, "Cart.total", { docstring: "Sum of the line items." }));

async function tableWith(chunks: EmbeddedChunk[]) {
  const db = await openDatabase(path.join(await makeTempDir(), "db"));
  await applyEntityChanges(db, { deletePaths: [], add: chunks }, DIM);
  return db;
}

describe("refreshSearchIndexes", () => {
  it("builds the full-text indexes of a new table, folds later writes into them with optimize(), and does nothing when current", async () => {
    const db = await tableWith([PARSER, READER]);
    expect(await refreshSearchIndexes(db)).toEqual({ created: FULL_TEXT_INDEXES.map((i) => i.column), optimized: false });
    const table = await db.openTable(ENTITY_TABLE);
    expect((await table.listIndices()).filter((i) => i.indexType === "FTS").flatMap((i) => i.columns).sort()).toEqual(FULL_TEXT_INDEXES.map((i) => i.column).sort());

    // An incremental write: rows of another table are added, one row is deleted.
    const other = await tableWith([CART]);
    await table.add(await (await other.openTable(ENTITY_TABLE)).query().toArrow());
    await table.delete("path = 'lib/files.py'");
    const before = await table.indexStats(`${FULL_TEXT_INDEXES[0]!.column}_idx`);
    expect(before?.numUnindexedRows).toBe(1);

    expect(await refreshSearchIndexes(db)).toEqual({ created: [], optimized: true });
    expect(await refreshSearchIndexes(db)).toEqual({ created: [], optimized: false });
    const reopened = await db.openTable(ENTITY_TABLE);
    for (const { column } of FULL_TEXT_INDEXES) expect(await reopened.indexStats(`${column}_idx`)).toMatchObject({ numIndexedRows: 2, numUnindexedRows: 0 });
    expect((await searchEntitiesByText(db, "sum of the items", 5)).map((h) => h.chunk.id)).toEqual([CART.id]);
    expect((await searchEntitiesByText(db, "settings folder", 5)).map((h) => h.chunk.id)).not.toContain(READER.id);
  });

  it("fails with a StoreError when there is no table", async () => {
    const db = await openDatabase(path.join(await makeTempDir(), "db"));
    await expect(refreshSearchIndexes(db)).rejects.toBeInstanceOf(StoreError);
  });
});

describe("searchEntitiesByText", () => {
  it.each([
    ["parse http header", PARSER],
    ["parseHttpHeader", PARSER],
    ["parse_http_header", PARSER],
    ["python: how do I split a raw header line", PARSER],
    ["read the configuration directory", READER],
    ["load settings files", READER],
  ])("%j finds %s first (code words, stemming, abbreviations)", async (query, expected) => {
    const db = await tableWith([PARSER, READER, CART]);
    await refreshSearchIndexes(db);
    const hits = await searchEntitiesByText(db, query, 3);
    expect(hits[0]!.chunk).toEqual({
      ...refOf(makeChunk(expected.path, expected.startLine, expected.qualifiedName, { docstring: expected.docstring, source: expected.source })),
      rowId: expect.any(BigInt),
    });
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it("returns nothing for a query without words", async () => {
    const db = await tableWith([PARSER]);
    await refreshSearchIndexes(db);
    expect(await searchEntitiesByText(db, "?! python", 3)).toEqual([]);
  });

  it("filters before choosing the top k, in the text and the vector search alike", async () => {
    const decoys = Array.from({ length: 80 }, (_, i) => embedded(makeChunk(`vendor/copy_${i}.py`, 1, `parse_http_header_${i}`, { docstring: "Parse an HTTP header." })));
    const answer = embedded(makeChunk("lib/it's ünï.py", 7, "header_fields", { docstring: "Header fields of an HTTP response." }));
    const db = await tableWith([...decoys, answer]);
    await refreshSearchIndexes(db);
    const top = await searchEntitiesByText(db, "parse http header", 1);
    expect(top[0]!.chunk.path).toMatch(/^vendor\//);

    const sql = sqlInList("path", [answer.path]);
    expect((await searchEntitiesByText(db, "parse http header", 1, sql)).map((h) => h.chunk.id)).toEqual([answer.id]);
    expect((await searchEntities(db, decoys[0]!.vector, 1, sql)).map((h) => h.chunk.id)).toEqual([answer.id]);
  });

  it("still answers, by scanning, rows the indexes have not seen", async () => {
    const db = await tableWith([PARSER]);
    expect((await searchEntitiesByText(db, "parse header", 3)).map((h) => h.chunk.id)).toEqual([PARSER.id]);
  });
});

describe("findEntitiesByName", () => {
  it("finds entities whose name or qualified name is exactly one of the names, ordered by path and line", async () => {
    const db = await tableWith([PARSER, READER, CART]);
    expect((await findEntitiesByName(db, ["total", "read_config_dir"], 10)).map((h) => h.chunk.id)).toEqual([READER.id, CART.id]);
    expect((await findEntitiesByName(db, ["Cart.total"], 10)).map((h) => h.chunk.id)).toEqual([CART.id]);
    expect(await findEntitiesByName(db, ["TOTAL", "Cart"], 10)).toEqual([]);
    expect(await findEntitiesByName(db, [], 10)).toEqual([]);
    expect(await findEntitiesByName(db, ["total"], 10, "path IN ('lib/http.py')")).toEqual([]);
  });
});
