// Reference records as the catalog stores them: a round trip, and damaged tuples skipped on reading.
import { describe, expect, it } from "vitest";
import type { FileReferences } from "../../src/model/references.js";
import { type StoredReferences, decodeReferences, encodeReferences, storedReferencesSchema } from "../../src/store/reference-record.js";

const references: FileReferences = {
  sites: [{ line: 3, column: 5, kind: "call", name: "total", qualifier: "self", enclosingLine: 2 }],
  imports: [{ line: 1, scopeLine: 0, module: ".pricing", name: "round_price", alias: "rp" }],
  assignments: [{ name: "X", line: 4 }],
};

describe("reference records", () => {
  it("decode what they encode", () => {
    expect(decodeReferences(JSON.parse(JSON.stringify(encodeReferences(references))) as StoredReferences)).toEqual(references);
  });

  it("skip tuples of another shape instead of failing the catalog", () => {
    const damaged = { sites: [[3, 5, "call", "total", "self", 2], [1, "x"], null, [1, 1, "teleport", "n", null, 0]], imports: [["bad"]], assignments: [["X", 4], [4, "X"]] };
    expect(storedReferencesSchema.safeParse(damaged).success).toBe(true);
    expect(decodeReferences(damaged as unknown as StoredReferences)).toEqual({ sites: references.sites, imports: [], assignments: references.assignments });
    expect(storedReferencesSchema.safeParse({ sites: [] }).success).toBe(false);
  });
});
