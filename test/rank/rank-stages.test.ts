import { describe, expect, it } from "vitest";
import { type RankingCandidate, queryTraits } from "../../src/rank/candidate-features.js";
import { DEFAULT_RANKER, FEATURE_NAMES, type FeatureVector, type RankerConfig, parseRankerConfig, rankerReadsText, weighedFields } from "../../src/rank/ranker-config.js";
import { fileRepeatAdjustments, linearScore, rankWithStages } from "../../src/rank/rank-stages.js";
import { makeChunk, refOf } from "../support/chunks.js";

const candidate = (path: string, line: number, qualifiedName: string, lexical: number | null, overrides: Partial<RankingCandidate> = {}, kind?: "class"): RankingCandidate => ({
  chunk: refOf(makeChunk(path, line, qualifiedName, kind ? { kind } : {})),
  ranks: { lexical, vector: null },
  exactName: false,
  ...overrides,
});
const names = (hits: readonly RankingCandidate[]) => hits.map((h) => h.chunk.qualifiedName);
const only = (weights: RankerConfig["weights"], stages: RankerConfig["stages"] = []): RankerConfig => ({ weights, stages, fileRepeatPenalty: 0.5, priorVectorWeight: 0 });

describe("weighedFields and rankerReadsText", () => {
  it("name the fields a ranker weighs, and whether it needs the candidates' text", () => {
    expect(weighedFields(only({ lexical: 1, fieldBody: 1, fieldPath: 0.5, fieldName: 0 }))).toEqual(["body", "path"]);
    expect(rankerReadsText(only({ lexical: 1, fieldPath: 1, fieldName: 1 }))).toBe(false);
    expect(rankerReadsText(only({ fieldDocstring: 0.1 }))).toBe(true);
    // DEFAULT_RANKER weighs no text field: a model without a ranker file reads only the hits it keeps.
    expect(rankerReadsText(DEFAULT_RANKER)).toBe(false);
  });
});

describe("linearScore", () => {
  it("sums weight × feature, skipping zero terms, a missing weight counting 0", () => {
    const features = { ...(Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])) as FeatureVector), lexical: 1, vector: 0.5, exactName: 1, nameWords: 0.5, fileSupport: 1, testCode: 1 };
    const { score, terms } = linearScore(features, { lexical: 2, vector: 1, nameWords: 0.4, testCode: -0.5 });
    expect(score).toBeCloseTo(2 + 0.5 + 0.2 - 0.5);
    expect(terms).toEqual({ lexical: 2, vector: 0.5, nameWords: 0.2, testCode: -0.5 });
  });
});

describe("fileRepeatAdjustments", () => {
  it.each([
    { paths: ["a.py", "b.py", "a.py", "a.py", "b.py"], expected: [0, 0, -0.5, -0.5 * Math.log2(3), -0.5] },
    { paths: [], expected: [] },
  ])("$paths", ({ paths, expected }) => {
    expect(fileRepeatAdjustments(paths, 0.5)).toEqual(expected);
  });
});

describe("rankWithStages", () => {
  const traits = queryTraits("check that an email address is valid");
  const pool = [
    candidate("web/validators.py", 20, "EmailValidator.validate_domain_part", 1),
    candidate("web/forms.py", 3, "clean_form", 2),
    candidate("web/validators.py", 30, "EmailValidator.validate_user_part", 3),
    candidate("web/validators.py", 5, "EmailValidator", 6, {}, "class"),
  ];

  it("keeps a class as the class, with its own ranks, every candidate once", () => {
    const ranked = rankWithStages(pool, traits, only({ lexical: 1 }), 0);
    expect(names(ranked)).toEqual(["EmailValidator.validate_domain_part", "clean_form", "EmailValidator.validate_user_part", "EmailValidator"]);
    expect(ranked[3]).toMatchObject({ chunk: { kind: "class" }, ranks: { lexical: 6, vector: null } });
  });

  it("lets name evidence and matching methods lift the class above them", () => {
    expect(names(rankWithStages(pool, traits, only({ lexical: 1, nameWords: 1, memberHits: 0.5 }), 0))[0]).toBe("EmailValidator");
    expect(names(rankWithStages(pool, traits, only({ lexical: 1, nameWords: 1 }), 0))[0]).toBe("EmailValidator.validate_domain_part");
  });

  it("demotes test code without removing it", () => {
    const withTest = [candidate("tests/test_forms.py", 1, "test_clean_form", 1), candidate("web/forms.py", 3, "clean_form", 2)];
    expect(names(rankWithStages(withTest, queryTraits("clean form"), only({ lexical: 1, testCode: -0.5 }), 0))).toEqual(["clean_form", "test_clean_form"]);
  });

  it("file-diversity lets another file's hit pass a file's second one", () => {
    const sameFileFirst = [candidate("a.py", 1, "first", 1), candidate("a.py", 9, "second", 2), candidate("b.py", 1, "other", 3)];
    expect(names(rankWithStages(sameFileFirst, traits, only({ lexical: 1 }), 0))).toEqual(["first", "second", "other"]);
    const diverse = rankWithStages(sameFileFirst, traits, only({ lexical: 1 }, ["file-diversity"]), 0, true);
    expect(names(diverse)).toEqual(["first", "other", "second"]);
    expect(diverse[2]!.explain!.stages).toEqual({ "file-diversity": -0.5 });
  });

  it("explains each hit: its score is the sum of its contributions and stage adjustments", () => {
    for (const hit of rankWithStages(pool, traits, DEFAULT_RANKER, 0, true)) {
      const sum = Object.values(hit.explain!.contributions).reduce((s, v) => s + v, 0) + Object.values(hit.explain!.stages).reduce((s, v) => s + v, 0);
      expect(hit.score).toBeCloseTo(sum, 12);
      expect(Object.keys(hit.explain!.features)).toContain("nameWords");
    }
    expect(rankWithStages(pool, traits, DEFAULT_RANKER, 0).every((hit) => hit.explain === undefined)).toBe(true);
  });

  it("does not change its input", () => {
    const before = JSON.stringify(pool);
    rankWithStages(pool, traits, DEFAULT_RANKER, 0, true);
    expect(JSON.stringify(pool)).toBe(before);
  });
});

describe("parseRankerConfig", () => {
  it("reads a configuration and rejects unknown features and stages", () => {
    expect(parseRankerConfig(JSON.parse(JSON.stringify(DEFAULT_RANKER)))).toEqual(DEFAULT_RANKER);
    expect(() => parseRankerConfig({ ...DEFAULT_RANKER, weights: { popularity: 1 } })).toThrow();
    expect(() => parseRankerConfig({ ...DEFAULT_RANKER, stages: ["rerank"] })).toThrow();
    expect(() => parseRankerConfig({ ...DEFAULT_RANKER, priorVectorWeight: -1 })).toThrow();
  });
});
