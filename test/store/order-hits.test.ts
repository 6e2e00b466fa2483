import { describe, expect, it } from "vitest";
import { withoutTiesAtCut } from "../../src/store/order-hits.js";
import type { EntityRef, SearchHit } from "../../src/model/types.js";

const hit = (id: string, score: number): SearchHit<EntityRef> => ({ chunk: { id } as EntityRef, score });
const ids = (hits: readonly SearchHit<EntityRef>[]) => hits.map((h) => h.chunk.id);

describe("withoutTiesAtCut", () => {
  it.each([
    { name: "fewer hits than the depth: nothing was cut", hits: [hit("a", 3), hit("b", 2), hit("c", 2)], depth: 4, kept: ["a", "b", "c"] },
    { name: "a full list: its last hit may tie with a row past the cut, so it goes", hits: [hit("a", 3), hit("b", 2), hit("c", 1)], depth: 3, kept: ["a", "b"] },
    { name: "a full list ending in a tie group: the group goes", hits: [hit("a", 3), hit("b", 2), hit("c", 1), hit("d", 1)], depth: 4, kept: ["a", "b"] },
    { name: "ties within float noise count as ties", hits: [hit("a", 3), hit("b", 1 + 1e-9), hit("c", 1)], depth: 3, kept: ["a"] },
    { name: "one tie group throughout is kept whole", hits: [hit("a", 1), hit("b", 1), hit("c", 1)], depth: 3, kept: ["a", "b", "c"] },
    { name: "no hits", hits: [], depth: 0, kept: [] },
  ])("$name", ({ hits, depth, kept }) => {
    expect(ids(withoutTiesAtCut(hits, depth))).toEqual(kept);
  });
});
