import * as lancedb from "@lancedb/lancedb";
import { describe, expect, it } from "vitest";
import { quoteSqlIdentifier, quoteSqlString, sqlInList } from "../../src/store/sql-quote.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("quoteSqlString", () => {
  const cases: [label: string, value: string, quoted: string][] = [
    ["a plain path", "shop/cart.py", "'shop/cart.py'"],
    ["the empty string", "", "''"],
    ["one single quote", "it's.py", "'it''s.py'"],
    ["a lone single quote", "'", "''''"],
    ["two single quotes", "''", "''''''"],
    ["quotes at both ends", "'a'", "'''a'''"],
    ["a backslash, kept as it is", "dir\\name.py", "'dir\\name.py'"],
    ["a backslash before a quote", "a\\'b", "'a\\''b'"],
    ["a double quote", 'say "hi".py', "'say \"hi\".py'"],
    ["unicode letters and an emoji", "größe/コード 🐍.py", "'größe/コード 🐍.py'"],
    ["an injection attempt", "x.py') OR (1=1", "'x.py'') OR (1=1'"],
    ["a newline and a tab", "a\nb\tc", "'a\nb\tc'"],
  ];

  it.each(cases)("%s", (_label, value, quoted) => {
    expect(quoteSqlString(value)).toBe(quoted);
  });

  it.each([["\0"], ["a\0b"], ["tail\0"]])("throws on a NUL character (%j)", (value) => {
    expect(() => quoteSqlString(value)).toThrow("NUL character in a SQL string literal");
  });
});

describe("sqlInList", () => {
  const cases: [label: string, column: string, values: string[], sql: string][] = [
    ["one value", "path", ["a.py"], "path IN ('a.py')"],
    ["several values, in the given order", "path", ["b.py", "a.py", "c.py"], "path IN ('b.py', 'a.py', 'c.py')"],
    ["values needing quoting", "path", ["it's.py", "x\\y.py", ""], "path IN ('it''s.py', 'x\\y.py', '')"],
    ["another column", "content_hash", ["ab12"], "content_hash IN ('ab12')"],
  ];

  it.each(cases)("%s", (_label, column, values, sql) => {
    expect(sqlInList(column, values)).toBe(sql);
  });

  it("throws on an empty list", () => {
    expect(() => sqlInList("path", [])).toThrow("sqlInList needs at least one value");
  });

  it("throws when any value holds a NUL character", () => {
    expect(() => sqlInList("path", ["ok.py", "bad\0.py"])).toThrow("NUL character in a SQL string literal");
  });
});

describe("quoted values in a real LanceDB filter", () => {
  const AWKWARD = ["plain", "it's", "''", "'; DROP TABLE entities; --", "back\\slash", "back\\'slash-quote", "trailing\\", "ünïcødé/π/🐍.py", "new\nline\ttab", '"double"', "100%_like", ""];

  it("each awkward value finds exactly its own row, alone and in an IN list", async () => {
    const db = await lancedb.connect(await makeTempDir());
    const table = await db.createTable("t", AWKWARD.map((path, id) => ({ id, path })));
    for (const [id, value] of AWKWARD.entries()) {
      const rows = await table.query().where(`path = ${quoteSqlString(value)}`).select(["id"]).toArray();
      expect(rows.map((r) => r.id as number)).toEqual([id]);
    }
    const listed = await table.query().where(sqlInList("path", AWKWARD.slice(0, 4))).select(["id"]).toArray();
    expect(listed.map((r) => r.id as number).sort()).toEqual([0, 1, 2, 3]);
    db.close();
  });
});

describe("quoteSqlIdentifier", () => {
  it.each([
    ["path", "`path`"],
    ["is_test", "`is_test`"],
    ["Odd Name", "`Odd Name`"],
  ])("%j → %s", (name, sql) => {
    expect(quoteSqlIdentifier(name)).toBe(sql);
  });

  it("refuses names LanceDB cannot resolve", () => {
    expect(() => quoteSqlIdentifier("")).toThrow(RangeError);
    expect(() => quoteSqlIdentifier("a`b")).toThrow(RangeError);
  });
});
