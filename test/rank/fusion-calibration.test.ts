import { describe, expect, it } from "vitest";
import {
  CALIBRATION_METHOD,
  RECALIBRATE_CHANGED_SHARE,
  VECTOR_WEIGHT_GRID,
  chooseVectorWeight,
  docstringQuery,
  fusionWeights,
  needsCalibration,
} from "../../src/rank/index.js";
import { seededRandom } from "../support/seeded-random.js";

describe("docstringQuery", () => {
  it.each([
    ["Return the terminal size.\n\nFalls back to 80x24.", "Return the terminal size."],
    ["Parse a header\n  line into a (name, value) pair.", "Parse a header line into a (name, value) pair."],
    ["Get it.", null],
    [":param x: the value to add", null],
    ["TODO write this", null],
    ["   ", null],
  ])("%j → %j", (docstring, query) => {
    expect(docstringQuery(docstring)).toBe(query);
  });

  it("cuts a long summary at a space", () => {
    const query = docstringQuery(`${"word ".repeat(200)}end`)!;
    expect(query.length).toBeLessThanOrEqual(300);
    expect(query.endsWith("word")).toBe(true);
  });
});

/** Reciprocal ranks for `n` queries per grid weight, from `rank(weight, query, random)`. */
function simulate(n: number, seed: number, rank: (weight: number, random: () => number) => number | null): number[][] {
  const random = seededRandom(seed);
  const perQuery = Array.from({ length: n }, () => VECTOR_WEIGHT_GRID.map((w) => rank(w, random)));
  return VECTOR_WEIGHT_GRID.map((_, i) => perQuery.map((ranks) => (ranks[i] === null ? 0 : 1 / ranks[i]!)));
}

describe("chooseVectorWeight (standard-error rule)", () => {
  it("keeps lexical alone when the vector side only adds noise", () => {
    // The answer's lexical rank, pushed down by a random amount that grows with the vector weight.
    const rows = simulate(200, 1, (w, random) => {
      const base = 1 + Math.floor(random() * 4);
      return base + Math.floor(random() * w * 6);
    });
    const choice = chooseVectorWeight(rows);
    expect(choice.vectorWeight).toBe(0);
    expect(choice.scores[0]!.mrrAt10).toBeGreaterThan(choice.scores.at(-1)!.mrrAt10);
  });

  it("gives the vector side weight when it lifts the answer clearly", () => {
    const rows = simulate(200, 2, (w, random) => {
      const lexical = 2 + Math.floor(random() * 8);
      return Math.max(1, Math.round(lexical / (1 + 2 * Math.min(w, 1))));
    });
    const choice = chooseVectorWeight(rows);
    expect(choice.vectorWeight).toBeGreaterThan(0);
    expect(choice.scores.find((s) => s.vectorWeight === choice.vectorWeight)!.mrrAt10).toBeGreaterThan(choice.scores[0]!.mrrAt10);
  });

  it("prefers the smaller weight when the best is within the margin of it", () => {
    // Weight 0.5 is best by a hair (better on one query, worse on another); 0.1 is within noise of it.
    const rr = (w: number, q: number) => (w === 0 ? 0.2 : w === 0.5 && q === 0 ? 1 : w === 0.5 && q === 1 ? 0.25 : 0.5);
    const rows = VECTOR_WEIGHT_GRID.map((w) => Array.from({ length: 40 }, (_, q) => rr(w, q)));
    const choice = chooseVectorWeight(rows);
    expect(choice.bestVectorWeight).toBe(0.5);
    expect(choice.vectorWeight).toBe(0.1);
  });

  it("rejects rows that do not match the grid", () => {
    expect(() => chooseVectorWeight([[1]])).toThrow(RangeError);
    expect(() => chooseVectorWeight(VECTOR_WEIGHT_GRID.map(() => []))).toThrow(RangeError);
  });
});

describe("needsCalibration", () => {
  it("calibrates when nothing, or another method, is recorded", () => {
    expect(needsCalibration(null)).toBe(true);
    expect(needsCalibration({ method: CALIBRATION_METHOD + 1, rowsAtCalibration: 100, rowsChangedSince: 0 })).toBe(true);
  });

  it("calibrates again once the changed rows reach the threshold share", () => {
    const at = (changed: number) => needsCalibration({ method: CALIBRATION_METHOD, rowsAtCalibration: 1000, rowsChangedSince: changed });
    expect(at(0)).toBe(false);
    expect(at(RECALIBRATE_CHANGED_SHARE * 1000 - 1)).toBe(false);
    expect(at(RECALIBRATE_CHANGED_SHARE * 1000)).toBe(true);
  });
});

describe("fusionWeights", () => {
  it("rejects negative and non-finite weights", () => {
    expect(fusionWeights(0.5)).toEqual({ vector: 0.5, lexical: 1, name: 1, k: 60 });
    expect(() => fusionWeights(-1)).toThrow(RangeError);
    expect(() => fusionWeights(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
