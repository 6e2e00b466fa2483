import { describe, expect, it } from "vitest";
import { type RelevantItem, type ResultLocation, isFileLevel, meanScores, meanScoresByGroup, scoreQuery } from "../../src/rank/retrieval-metrics.js";

const at = (file: string, qualname: string, startLine: number): ResultLocation => ({ file, qualname, startLine });
const other = (n: number): ResultLocation => at("other.py", `noise_${n}`, n);

describe("scoreQuery and meanScores, against values worked out by hand", () => {
  // q1: the answer at rank 2.  q2: two answers, at ranks 1 and 7.  q3: the answer at rank 11, past the cut-off.
  const q1 = scoreQuery([{ file: "a.py", name: "alpha", startLine: 3, endLine: 9 }], [other(1), at("a.py", "alpha", 3), other(2)]);
  const q2 = scoreQuery(
    [
      { file: "b.py", qualname: "B.run", startLine: 10 },
      { file: "c.py", name: "gamma", startLine: 1 },
    ],
    [at("b.py", "B.run", 10), other(1), other(2), other(3), other(4), other(5), at("c.py", "gamma", 1)],
  );
  const q3 = scoreQuery([{ file: "d.py", name: "delta" }], [...Array.from({ length: 10 }, (_, i) => other(i)), at("d.py", "delta", 40)]);

  it("scores each query", () => {
    expect(q1).toEqual({ mrrAt10: 0.5, recallAt1: 0, recallAt5: 1, recallAt10: 1, ndcgAt10: expect.closeTo(1 / Math.log2(3), 12), firstRank: 2 });
    // nDCG: (1/log2(2) + 1/log2(8)) / (1/log2(2) + 1/log2(3)) = (4/3) / 1.6309297535714575
    expect(q2).toEqual({ mrrAt10: 1, recallAt1: 0.5, recallAt5: 0.5, recallAt10: 1, ndcgAt10: expect.closeTo(4 / 3 / 1.6309297535714575, 12), firstRank: 1 });
    expect(q3).toEqual({ mrrAt10: 0, recallAt1: 0, recallAt5: 0, recallAt10: 0, ndcgAt10: 0, firstRank: 11 });
  });

  it("averages over the queries", () => {
    const mean = meanScores([q1, q2, q3]);
    expect(mean.mrrAt10).toBeCloseTo(0.5, 12);
    expect(mean.recallAt1).toBeCloseTo(1 / 6, 12);
    expect(mean.recallAt5).toBeCloseTo(0.5, 12);
    expect(mean.recallAt10).toBeCloseTo(2 / 3, 12);
    expect(mean.ndcgAt10).toBeCloseTo((1 / Math.log2(3) + 4 / 3 / 1.6309297535714575) / 3, 12);
    expect(meanScores([])).toEqual({ mrrAt10: 0, recallAt1: 0, recallAt5: 0, recallAt10: 0, ndcgAt10: 0 });
  });
});

describe("matching a result to a relevant item", () => {
  const first = (relevant: RelevantItem, result: ResultLocation) => scoreQuery([relevant], [result]).firstRank;

  it.each<[string, RelevantItem, ResultLocation, number | null]>([
    ["same file, name and start line", { file: "pkg/a.py", name: "f", startLine: 3 }, at("pkg/a.py", "f", 3), 1],
    ["result path ends with the relevant path", { file: "a.py", name: "f" }, at("repo/pkg/a.py", "f", 3), 1],
    ["relevant path ends with the result path", { file: "/abs/pkg/a.py", name: "f" }, at("pkg/a.py", "f", 3), 1],
    ["./ and backslashes are normalised", { file: "./pkg\\a.py", name: "f" }, at("pkg/a.py", "f", 3), 1],
    ["a path suffix must end at a /", { file: "a.py", name: "f" }, at("pkg/data.py", "f", 3), null],
    ["module-prefixed qualified name", { file: "a.py", qualname: "C.m" }, at("a.py", "pkg.C.m", 3), 1],
    ["bare name against a qualified relevant", { file: "a.py", qualname: "C.m" }, at("a.py", "m", 3), 1],
    ["other class, same method name", { file: "a.py", qualname: "C.m" }, at("a.py", "D.m", 3), null],
    [":: and <locals> are ignored", { file: "a.py", qualname: "outer.<locals>.inner" }, at("a.py", "outer::inner", 3), 1],
    ["start line inside the span", { file: "a.py", name: "f", startLine: 3, endLine: 9 }, at("a.py", "f", 9), 1],
    ["start line after the span", { file: "a.py", name: "f", startLine: 3, endLine: 9 }, at("a.py", "f", 10), null],
    ["decorator line opens the span", { file: "a.py", name: "f", startLine: 3, endLine: 9, decoratedStartLine: 2 }, at("a.py", "f", 2), 1],
    ["within 2 lines when there is no end line", { file: "a.py", name: "f", startLine: 10 }, at("a.py", "f", 12), 1],
    ["3 lines off without an end line", { file: "a.py", name: "f", startLine: 10 }, at("a.py", "f", 13), null],
    ["an alternative range", { file: "a.py", name: "f", startLine: 3, endLine: 4, altRanges: [[20, 25]] }, at("a.py", "f", 22), 1],
    ["an alternative start line", { file: "a.py", name: "f", startLine: 3, endLine: 4, altStartLines: [30] }, at("a.py", "f", 31), 1],
    ["file-level answer: any entity of the file", { file: "django/urls/conf.py" }, at("django/urls/conf.py", "path", 70), 1],
    ["file-level answer: a path suffix at a /", { file: "urls/conf.py" }, at("django/urls/conf.py", "_path", 57), 1],
    ["file-level answer: another file", { file: "django/urls/conf.py" }, at("django/urls/base.py", "path", 70), null],
    ["file-level answer: same name, not a suffix at a /", { file: "conf.py" }, at("django/urls/myconf.py", "x", 1), null],
    ["an empty name is a file-level answer", { file: "a.py", name: "" }, at("a.py", "anything", 400), 1],
  ])("%s", (_label, relevant, result, rank) => {
    expect(first(relevant, result)).toBe(rank);
  });

  it("credits each relevant item once and lets each result satisfy one item", () => {
    const relevant: RelevantItem[] = [
      { file: "a.py", name: "f", startLine: 1 },
      { file: "a.py", name: "f", startLine: 2 },
    ];
    const scores = scoreQuery(relevant, [at("a.py", "f", 1), at("a.py", "f", 1), at("a.py", "f", 2)]);
    expect(scores.recallAt1).toBe(0.5);
    expect(scores.recallAt5).toBe(1);
    const duplicateHits = scoreQuery([{ file: "a.py", name: "f" }], [at("a.py", "f", 1), at("a.py", "f", 1)]);
    expect(duplicateHits.ndcgAt10).toBe(1);
  });

  it("credits a file-level answer once however many hits come from the file (one point per answer target)", () => {
    const fileOnly: RelevantItem[] = [{ file: "pkg/routing.py" }];
    const hits = [other(1), at("pkg/routing.py", "Rule", 10), at("pkg/routing.py", "Map", 90), at("pkg/routing.py", "Map.add", 95)];
    const scores = scoreQuery(fileOnly, hits);
    expect(scores.firstRank).toBe(2);
    expect(scores.recallAt10).toBe(1);
    expect(scores.ndcgAt10).toBeCloseTo(1 / Math.log2(3), 12);
  });

  it("mixes a file-level and a span-level answer: each hit satisfies one target, the first it matches", () => {
    // The file-level target is listed first, so the span hit at rank 1 takes it; the second hit of
    // that file finds only the span target left, which it does not match; rank 3 matches nothing.
    const relevant: RelevantItem[] = [{ file: "a.py" }, { file: "a.py", qualname: "C.m", startLine: 5, endLine: 9 }];
    const scores = scoreQuery(relevant, [at("a.py", "C.m", 5), at("a.py", "other", 30), other(1)]);
    expect(scores.recallAt10).toBe(0.5);
    const reversed = scoreQuery([...relevant].reverse(), [at("a.py", "C.m", 5), at("a.py", "other", 30)]);
    expect(reversed.recallAt10).toBe(1);
    expect(reversed.ndcgAt10).toBe(1);
  });

  it("tells a file-level answer by its missing name", () => {
    expect(isFileLevel({ file: "a.py" })).toBe(true);
    expect(isFileLevel({ file: "a.py", name: "f" })).toBe(false);
    expect(isFileLevel({ file: "a.py", qualname: "C.f" })).toBe(false);
  });

  it("refuses a query without relevant items", () => {
    expect(() => scoreQuery([], [at("a.py", "f", 1)])).toThrow(RangeError);
  });
});

describe("meanScoresByGroup", () => {
  const hit = scoreQuery([{ file: "a.py" }], [at("a.py", "f", 1)]);
  const miss = scoreQuery([{ file: "a.py" }], [other(1)]);
  const second = scoreQuery([{ file: "a.py" }], [other(1), at("a.py", "f", 1)]);

  it("averages each group's queries, groups sorted by value, a query with several values in each, one with none in no group", () => {
    const groups = meanScoresByGroup([hit, miss, second, hit], [["symbol"], ["architecture"], ["symbol", "semantic"], []]);
    expect(groups.map((g) => [g.value, g.queries, g.mean.mrrAt10])).toEqual([
      ["architecture", 1, 0],
      ["semantic", 1, 0.5],
      ["symbol", 2, 0.75],
    ]);
  });

  it("counts a value repeated on one query once", () => {
    expect(meanScoresByGroup([hit], [["x", "x"]])).toEqual([{ value: "x", queries: 1, mean: expect.objectContaining({ mrrAt10: 1 }) }]);
  });

  it("refuses lists of different lengths", () => {
    expect(() => meanScoresByGroup([hit], [])).toThrow(RangeError);
  });
});
