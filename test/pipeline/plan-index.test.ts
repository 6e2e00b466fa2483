// planIndex: which catalog entries are read again because their references predate the rules.
import { describe, expect, it } from "vitest";
import { planIndex } from "../../src/pipeline/plan-index.js";
import { REFERENCE_RULES_VERSION, REFERENCES_IN_SIDECAR, type CatalogEntry, type FileCatalog } from "../../src/store/index.js";
import type { SourceFile } from "../../src/model/types.js";

const file = (path: string): SourceFile => ({ path, absPath: `/repo/${path}`, sizeBytes: 10, mtimeMs: 1 });
const entry = (references: CatalogEntry["references"], chunkHashes = ["h"]): CatalogEntry => ({ sizeBytes: 10, mtimeMs: 1, contentHash: "c", chunkHashes, failures: [], ...(references ? { references } : {}) });
const EMPTY = { sites: [], imports: [], assignments: [] };

describe("planIndex and reference records", () => {
  it.each([
    ["no record (indexed before references were recorded)", "a.go", entry(undefined), "changed"],
    ["an empty record of a file with entities (written before its language had reference rules)", "a.go", entry(EMPTY), "changed"],
    ["an empty record of a file without entities", "a.ts", entry(EMPTY, []), "unchanged"],
    ["a record with sites", "a.go", entry({ sites: [[3, 2, "call", "f", null, 0]], imports: [], assignments: [] }), "unchanged"],
    ["a record with imports only", "a.py", entry({ sites: [], imports: [[1, 0, "os", null, "os"]], assignments: [] }), "unchanged"],
    ["an empty record written by the current rules (a file that names nothing)", "a.py", entry({ ...EMPTY, rules: REFERENCE_RULES_VERSION }), "unchanged"],
    ["a record held in the references file (the catalog was read without it)", "a.go", entry(REFERENCES_IN_SIDECAR), "unchanged"],
  ] as const)("%s: %s", (_what, path, known, expected) => {
    const catalog: FileCatalog = new Map([[path, known]]);
    const plan = planIndex(catalog, [file(path)]);
    expect(plan.changed.length === 1 ? "changed" : plan.unchanged.length === 1 ? "unchanged" : "other").toBe(expected);
  });
});
