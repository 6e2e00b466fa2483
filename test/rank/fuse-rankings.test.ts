import { describe, expect, it } from "vitest";
import { RRF_K, fuseRankings } from "../../src/rank/fuse-rankings.js";

const rrf = (...ranks: number[]) => ranks.reduce((sum, r) => sum + 1 / (RRF_K + r), 0);

describe("fuseRankings (Reciprocal Rank Fusion)", () => {
  it.each([
    {
      name: "an item both lists rank second beats one that only a single list ranks first",
      rankings: [["a", "b"], ["c", "b"]],
      expected: [
        { id: "b", score: rrf(2, 2), ranks: [2, 2] },
        { id: "a", score: rrf(1), ranks: [1, null] },
        { id: "c", score: rrf(1), ranks: [null, 1] },
      ],
    },
    {
      name: "equal scores fall back to the best single rank, then the id",
      rankings: [["x", "y"], ["z"]],
      expected: [
        { id: "x", score: rrf(1), ranks: [1, null] },
        { id: "z", score: rrf(1), ranks: [null, 1] },
        { id: "y", score: rrf(2), ranks: [2, null] },
      ],
    },
    {
      name: "a repeated id counts once, at its first rank",
      rankings: [["a", "a", "b"]],
      expected: [
        { id: "a", score: rrf(1), ranks: [1] },
        { id: "b", score: rrf(3), ranks: [3] },
      ],
    },
    { name: "empty lists give nothing", rankings: [[], []], expected: [] },
  ])("$name", ({ rankings, expected }) => {
    const fused = fuseRankings(rankings);
    expect(fused.map((f) => ({ ...f, score: Number(f.score.toFixed(12)) }))).toEqual(expected.map((e) => ({ ...e, score: Number(e.score.toFixed(12)) })));
  });

  it("uses k = 60 by default: first place scores 1/61, and k and weights can be set", () => {
    expect(fuseRankings([["a"]])[0]!.score).toBeCloseTo(1 / 61, 15);
    expect(fuseRankings([["a"]], { k: 0 })[0]!.score).toBe(1);
    const weighted = fuseRankings([["a", "b"], ["b", "a"]], { k: 0, weights: [1, 3] });
    expect(weighted.map((f) => [f.id, f.score])).toEqual([
      ["b", 1 / 2 + 3 / 1],
      ["a", 1 / 1 + 3 / 2],
    ]);
  });

  it("refuses a negative or non-numeric k", () => {
    expect(() => fuseRankings([["a"]], { k: -1 })).toThrow(RangeError);
    expect(() => fuseRankings([["a"]], { k: Number.NaN })).toThrow(RangeError);
  });
});
