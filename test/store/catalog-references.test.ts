// Issue 22: the catalog's references live in a references file of their own, written before the
// catalog that names it (with its SHA-256), read only by the structural tools and checked by verify.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import { REFERENCES_IN_SIDECAR } from "../../src/store/catalog-references.js";
import {
  CATALOG_FILE,
  catalogReferencesProblems,
  readCatalog,
  withCatalogReferences,
  writeCatalog,
  type CatalogEntry,
  type FileCatalog,
} from "../../src/store/file-catalog.js";
import type { StoredReferences } from "../../src/store/reference-record.js";
import { makeTempDir } from "../support/temp-dirs.js";

const refs = (name: string): StoredReferences => ({ sites: [[3, 4, "call", name, null, 1]], imports: [[1, 0, "os", null, "os"]], assignments: [[`${name}_total`, 2]] });
const entry = (hash: string, references?: StoredReferences): CatalogEntry => ({
  sizeBytes: 10, mtimeMs: 1, contentHash: hash.repeat(64), chunkHashes: [`${hash}1`], failures: [], ...(references ? { references } : {}),
});
const referencesFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith("references-")).sort();

describe("the catalog's references file", () => {
  it("holds the references apart; the catalog alone says they are recorded, and only the structural read opens the file", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, new Map([["a.py", entry("a", refs("alpha"))], ["b.py", entry("b")]]));
    const onDisk = JSON.parse(await readFile(path.join(dir, CATALOG_FILE), "utf8")) as { files: Record<string, { references?: unknown }>; references: { file: string } };
    expect(onDisk.files["a.py"]!.references).toBe(true);
    expect(onDisk.files["b.py"]!.references).toBeUndefined();
    expect(await referencesFiles(dir)).toEqual([onDisk.references.file]);

    const read = await readCatalog(dir);
    expect(read.catalog.get("a.py")!.references).toBe(REFERENCES_IN_SIDECAR);
    expect((await withCatalogReferences(dir, read)).catalog.get("a.py")!.references).toEqual(refs("alpha"));
    expect(await catalogReferencesProblems(dir, read)).toEqual([]);

    // Without the file the catalog still reads (searches, status, index runs never open it) …
    await rm(path.join(dir, onDisk.references.file));
    const withoutFile = await readCatalog(dir);
    expect(withoutFile.state).toBe("loaded");
    expect(withoutFile.catalog.get("a.py")!.references).toBe(REFERENCES_IN_SIDECAR);
    // … the structural read and verify say what is wrong.
    await expect(withCatalogReferences(dir, withoutFile)).rejects.toThrow(StoreError);
    expect(await catalogReferencesProblems(dir, withoutFile)).toEqual([`the references file ${onDisk.references.file} is missing`]);
  });

  it("carries unread references over to the next commit, keeps the file the previous catalog named, and removes older ones", async () => {
    const dir = await makeTempDir();
    await writeCatalog(dir, new Map([["a.py", entry("a", refs("alpha"))], ["b.py", entry("b", refs("beta"))]]));
    const [first] = await referencesFiles(dir);
    // An index run reads the catalog without the file and changes b.py only.
    const read = await readCatalog(dir);
    const next: FileCatalog = new Map(read.catalog);
    next.set("b.py", entry("c", refs("gamma")));
    await writeCatalog(dir, next);
    const second = (await readCatalog(dir)).referencesFile!.file;
    expect(await referencesFiles(dir)).toEqual([first, second].sort());
    const full = await withCatalogReferences(dir, await readCatalog(dir));
    expect(full.catalog.get("a.py")!.references).toEqual(refs("alpha"));
    expect(full.catalog.get("b.py")!.references).toEqual(refs("gamma"));

    const third = new Map((await readCatalog(dir)).catalog);
    third.delete("a.py");
    await writeCatalog(dir, third);
    const named = (await readCatalog(dir)).referencesFile!.file;
    expect(await referencesFiles(dir)).toEqual([second, named].sort());
  });

  it("moves the references of a catalog written before the file existed into one, and finds a file altered after it was written", async () => {
    const dir = await makeTempDir();
    const legacy = { format: "codesearch-catalog", version: 1, files: { "a.py": { ...entry("a"), references: refs("alpha") } } };
    await writeFile(path.join(dir, CATALOG_FILE), JSON.stringify(legacy));
    const read = await readCatalog(dir);
    expect(read.catalog.get("a.py")!.references).toEqual(refs("alpha"));
    await writeCatalog(dir, read.catalog);
    const rewritten = await readCatalog(dir);
    expect(rewritten.catalog.get("a.py")!.references).toBe(REFERENCES_IN_SIDECAR);
    expect((await withCatalogReferences(dir, rewritten)).catalog.get("a.py")!.references).toEqual(refs("alpha"));

    const file = path.join(dir, rewritten.referencesFile!.file);
    await writeFile(file, (await readFile(file, "utf8")).replace("alpha", "alphx"));
    expect(await catalogReferencesProblems(dir, rewritten)).toEqual([`the references file ${rewritten.referencesFile!.file} changed after it was written`]);
    await expect(withCatalogReferences(dir, rewritten)).rejects.toThrow(/changed after it was written/);
  });
});
