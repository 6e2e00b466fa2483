import * as lancedb from "@lancedb/lancedb";
import { describe, expect, it } from "vitest";
import { quoteSqlIdentifier, quoteSqlString, sqlIn } from "../../src/store/sql-quote.js";
import { makeTempDir } from "../support/temp-dirs.js";

const AWKWARD = [
  "plain",
  "it's",
  "''",
  "'; DROP TABLE entities; --",
  "back\\slash",
  "back\\'slash-quote",
  "trailing\\",
  "ünïcødé/π/🐍.py",
  "new\nline\ttab",
  "nul\u0000byte",
  '"double"',
  "100%_like",
  "",
];

describe("quoteSqlString", () => {
  it.each([
    ["plain", "'plain'"],
    ["it's", "'it''s'"],
    ["''", "''''''"],
    ["back\\slash", "'back\\slash'"],
    ["ünï 🐍", "'ünï 🐍'"],
    ["", "''"],
  ])("%j → %s", (value, sql) => {
    expect(quoteSqlString(value)).toBe(sql);
  });

  it("round-trips awkward values through a real LanceDB filter: each finds exactly its own row", async () => {
    const db = await lancedb.connect(await makeTempDir());
    const table = await db.createTable("t", AWKWARD.map((path, id) => ({ id, path })));
    for (const [id, value] of AWKWARD.entries()) {
      const rows = await table.query().where(`path = ${quoteSqlString(value)}`).select(["id"]).toArray();
      expect(rows.map((r) => r.id as number)).toEqual([id]);
    }
    const listed = await table.query().where(sqlIn("path", AWKWARD.slice(0, 4))).select(["id"]).toArray();
    expect(listed.map((r) => r.id as number).sort()).toEqual([0, 1, 2, 3]);
    db.close();
  });
});

describe("quoteSqlIdentifier and sqlIn", () => {
  it.each([
    ["path", "`path`"],
    ["qualified_name", "`qualified_name`"],
    ["Odd Name", "`Odd Name`"],
  ])("%j → %s", (name, sql) => {
    expect(quoteSqlIdentifier(name)).toBe(sql);
  });

  it("refuses names LanceDB cannot resolve", () => {
    expect(() => quoteSqlIdentifier("")).toThrow(RangeError);
    expect(() => quoteSqlIdentifier("a`b")).toThrow(RangeError);
  });

  it("builds an IN list of quoted values and refuses an empty one", () => {
    expect(sqlIn("kind", ["method", "it's"])).toBe("`kind` IN ('method', 'it''s')");
    expect(() => sqlIn("kind", [])).toThrow(RangeError);
  });
});
