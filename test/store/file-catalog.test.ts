import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import { CATALOG_FILE, catalogRowCount, readCatalog, writeCatalog, type CatalogEntry, type FileCatalog } from "../../src/store/file-catalog.js";
import { makeTempDir } from "../support/temp-dirs.js";

const CART: CatalogEntry = {
  sizeBytes: 1234,
  mtimeMs: 1_700_000_000_123.456,
  contentHash: "a".repeat(64),
  chunkHashes: ["h1", "h2", "h3"],
  failures: [],
};
const BROKEN: CatalogEntry = {
  sizeBytes: 99,
  mtimeMs: 1_700_000_001_000,
  contentHash: "b".repeat(64),
  chunkHashes: ["h4"],
  failures: [
    { stage: "parse", message: "syntax error", line: 10 },
    { stage: "embed", message: "embedder failed", qualifiedName: "Broken.method" },
  ],
};
const EMPTY: CatalogEntry = { sizeBytes: 0, mtimeMs: 0, contentHash: "c".repeat(64), chunkHashes: [], failures: [] };

/** Insertion order deliberately unsorted. */
function sampleCatalog(): FileCatalog {
  return new Map([
    ["shop/net/retry.py", EMPTY],
    ["shop/broken.py", BROKEN],
    ["größe/ü.py", CART],
    ["a.py", CART],
  ]);
}

const SORTED_PATHS = ["a.py", "größe/ü.py", "shop/broken.py", "shop/net/retry.py"];

describe("file catalog", () => {
  it("writeCatalog then readCatalog round-trips every entry (state loaded)", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, sampleCatalog());
    const { catalog, state } = await readCatalog(dir);
    expect(state).toBe("loaded");
    expect(catalog).toEqual(sampleCatalog());
    expect(catalog.get("shop/broken.py")).toEqual(BROKEN);
    expect([...catalog.keys()]).toEqual(SORTED_PATHS);
  });

  it("writes the documented format with paths sorted", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, sampleCatalog());
    const json = JSON.parse(await readFile(path.join(dir, CATALOG_FILE), "utf8")) as { format: unknown; version: unknown; files: Record<string, unknown> };
    expect(json.format).toBe("codesearch-catalog");
    expect(json.version).toBe(1);
    expect(Object.keys(json.files)).toEqual(SORTED_PATHS);
    expect(json.files["shop/broken.py"]).toEqual(BROKEN);
  });

  it("an empty catalog round-trips", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, new Map());
    expect(await readCatalog(dir)).toEqual({ catalog: new Map(), state: "loaded" });
  });

  it("an absent catalog reads as a new, empty one", async () => {
    const dir = await makeTempDir();
    expect(await readCatalog(dir)).toEqual({ catalog: new Map(), state: "new" });
    expect(await readCatalog(path.join(dir, "no-such-folder"))).toEqual({ catalog: new Map(), state: "new" });
  });

  const valid = { format: "codesearch-catalog", version: 1, files: { "a.py": CART } };
  const corruptContents: [string, string][] = [
    ["garbage bytes", "\u0000\u00ff garbage"],
    ["truncated JSON", JSON.stringify(valid).slice(0, 40)],
    ["an empty file", ""],
    ["JSON null", "null"],
    ["a JSON array", "[]"],
    ["another format", JSON.stringify({ ...valid, format: "codesearch-index" })],
    ["another version", JSON.stringify({ ...valid, version: 2 })],
    ["files missing", JSON.stringify({ format: "codesearch-catalog", version: 1 })],
    ["an entry without chunkHashes", JSON.stringify({ ...valid, files: { "a.py": { ...CART, chunkHashes: undefined } } })],
    ["a negative size", JSON.stringify({ ...valid, files: { "a.py": { ...CART, sizeBytes: -1 } } })],
    ["an unknown failure stage", JSON.stringify({ ...valid, files: { "a.py": { ...CART, failures: [{ stage: "bogus", message: "x" }] } } })],
  ];

  it.each(corruptContents)("%s reads as a corrupt, empty catalog", async (_label, contents) => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, CATALOG_FILE), contents);
    expect(await readCatalog(dir)).toEqual({ catalog: new Map(), state: "corrupt" });
  });

  it("readCatalog throws StoreError when catalog.json exists but cannot be read", async () => {
    const dir = await makeTempDir();
    await mkdir(path.join(dir, CATALOG_FILE));
    await expect(readCatalog(dir)).rejects.toBeInstanceOf(StoreError);
  });

  it("writeCatalog replaces the file by rename and leaves no temp files", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, sampleCatalog());
    expect(await readdir(dir)).toEqual([CATALOG_FILE]);
    const firstInode = (await stat(path.join(dir, CATALOG_FILE))).ino;

    const smaller: FileCatalog = new Map([["only.py", EMPTY]]);
    await writeCatalog(dir, smaller);
    expect(await readdir(dir)).toEqual([CATALOG_FILE]);
    // A new inode shows the file was replaced (temp file + rename), not rewritten in place.
    expect((await stat(path.join(dir, CATALOG_FILE))).ino).not.toBe(firstInode);
    expect(await readCatalog(dir)).toEqual({ catalog: smaller, state: "loaded" });
  });

  it("writeCatalog throws StoreError when the folder does not exist", async () => {
    const dir = await makeTempDir();
    await expect(writeCatalog(path.join(dir, "missing"), sampleCatalog())).rejects.toBeInstanceOf(StoreError);
    expect(await readdir(dir)).toEqual([]);
  });

  it("catalogRowCount sums the chunk hashes of every file", () => {
    expect(catalogRowCount(new Map())).toBe(0);
    expect(catalogRowCount(new Map([["e.py", EMPTY]]))).toBe(0);
    expect(catalogRowCount(sampleCatalog())).toBe(3 + 1 + 0 + 3);
  });
});
