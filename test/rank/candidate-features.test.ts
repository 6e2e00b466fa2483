import { describe, expect, it } from "vitest";
import {
  type RankingCandidate,
  addedPathShare,
  candidateFeatures,
  isAuxiliaryCode,
  pathWords,
  queryTraits,
  rankDiscount,
  sameWord,
  wordShare,
} from "../../src/rank/candidate-features.js";
import { makeChunk, refOf } from "../support/chunks.js";

describe("queryTraits", () => {
  it.each([
    { query: "APIRouter", words: ["apirouter", "api", "router"], symbolLike: true },
    { query: "check that an email address is valid", words: ["check", "email", "address", "valid"], symbolLike: false },
    { query: "where is parse_header() called", words: ["parse_header", "parse", "header", "called"], symbolLike: true },
    { query: "how does python read a csv file", words: ["read", "csv", "file"], symbolLike: false },
    { query: "Cart.total", words: ["cart", "total"], symbolLike: true },
  ])("$query", ({ query, words, symbolLike }) => {
    expect(queryTraits(query)).toMatchObject({ words, symbolLike });
  });
});

describe("sameWord", () => {
  it.each([
    ["valid", "validator", true],
    ["register", "registry", true],
    ["email", "email", true],
    ["request", "requirement", false],
    ["add", "address", false],
    ["get", "getter", false],
  ] as const)("%s ~ %s: %s", (a, b, expected) => {
    expect(sameWord(a, b)).toBe(expected);
    expect(sameWord(b, a)).toBe(expected);
  });
});

describe("wordShare", () => {
  it.each([
    { wanted: ["email", "valid"], present: ["emailvalidator", "email", "validator"], share: 1 },
    { wanted: ["check", "email", "address", "valid"], present: ["validate", "domain", "part"], share: 0.25 },
    { wanted: [], present: ["x"], share: 0 },
    { wanted: ["x"], present: [], share: 0 },
  ])("$wanted in $present: $share", ({ wanted, present, share }) => {
    expect(wordShare(wanted, present)).toBe(share);
  });
});

describe("addedPathShare", () => {
  // "send an email to the site admins": the admin site's path repeats words its name already holds.
  const wanted = ["send", "email", "site", "admins"];
  it.each([
    { name: "AdminSite in contrib/admin/sites.py", inPath: ["contrib", "admin", "sites"], names: [["adminsite", "admin", "site"], []], share: 0 },
    { name: "AdminSite.index in contrib/admin/sites.py", inPath: ["contrib", "admin", "sites"], names: [["index"], ["adminsite", "admin", "site"]], share: 0 },
    { name: "an admin view function in contrib/admin/sites.py", inPath: ["contrib", "admin", "sites"], names: [["index"], []], share: 0.5 },
    { name: "mail_admins in core/mail", inPath: ["core", "mail"], names: [["mail_admins", "mail", "admins"], []], share: 0 },
    { name: "nothing wanted", inPath: ["core"], names: [[]], share: 0, wanted: [] },
  ])("$name: $share", ({ inPath, names, share, wanted: own }) => {
    expect(addedPathShare(own ?? wanted, inPath, names)).toBe(share);
  });
});

describe("pathWords", () => {
  it.each([
    { path: "src/webkit/routing.py", words: ["webkit", "routing"] },
    { path: "pkg/http_client/__init__.py", words: ["pkg", "http_client", "http", "client"] },
    { path: "setup.py", words: ["setup"] },
  ])("$path", ({ path, words }) => {
    expect(pathWords(path)).toEqual(words);
  });
});

describe("isAuxiliaryCode", () => {
  it.each([
    ["examples/app.py", true],
    ["docs_src/tutorial/main.py", true],
    ["benchmarks/bench_parse.py", true],
    ["pkg/_vendor/six.py", true],
    ["pkg/proto/service_pb2.py", true],
    ["pkg/routing.py", false],
    ["pkg/example_values.py", false],
  ] as const)("%s: %s", (path, expected) => {
    expect(isAuxiliaryCode(path)).toBe(expected);
  });
});

describe("rankDiscount", () => {
  it.each([
    [1, 1],
    [3, 0.5],
    [null, 0],
  ] as const)("rank %s → %s", (rank, value) => {
    expect(rankDiscount(rank)).toBe(value);
  });
});

describe("candidateFeatures", () => {
  const validator = refOf(makeChunk("web/validators.py", 5, "EmailValidator", { kind: "class" }));
  const domain = refOf(makeChunk("web/validators.py", 20, "EmailValidator.validate_domain_part"));
  const user = refOf(makeChunk("web/validators.py", 30, "EmailValidator.validate_user_part"));
  const test = refOf(makeChunk("tests/test_validators.py", 1, "test_email_validator"));
  const candidate = (chunk: RankingCandidate["chunk"], lexical: number | null, vector: number | null, exactName = false): RankingCandidate => ({
    chunk,
    ranks: { lexical, vector },
    exactName,
  });
  const pool = [candidate(domain, 1, null), candidate(test, 2, 1), candidate(user, 3, null), candidate(validator, 11, 3)];

  it("gives the class its own evidence, lifted by its methods among the candidates", () => {
    const [d, t, u, v] = candidateFeatures(pool, queryTraits("check that an email address is valid"), 0.5);
    expect(v).toMatchObject({ lexical: rankDiscount(11), vector: 0.5 * rankDiscount(3), nameWords: 0.5, typeForSymbol: 0, memberHits: Math.log2(3), fileSupport: Math.log2(3) });
    expect(d).toMatchObject({ lexical: 1, vector: 0, nameWords: 0.25, parentWords: 0.5, memberHits: 0, testCode: 0 });
    expect(u!.nameWords).toBe(0.25);
    expect(t).toMatchObject({ vector: 0.5, testCode: 1, fileSupport: 0, auxiliaryCode: 0 });
  });

  it("marks a class named by a symbol-like query, and an exact name", () => {
    const [, , , v] = candidateFeatures([...pool.slice(0, 3), candidate(validator, null, null, true)], queryTraits("EmailValidator"), 0);
    expect(v).toMatchObject({ typeForSymbol: 1, exactName: 1, lexical: 0, vector: 0, nameWords: 1 });
  });

  it("counts path and module words the names do not hold, fully for the file's best candidate and by rankDiscount(n) for its n-th", () => {
    const site = refOf(makeChunk("web/contrib/admin/sites.py", 9, "AdminSite", { kind: "class" }));
    const error = refOf(makeChunk("web/contrib/admin/sites.py", 4, "AlreadyRegistered", { kind: "class" }));
    const alone = refOf(makeChunk("web/contrib/admin/checks.py", 4, "check_dependencies"));
    const traits = queryTraits("send an email to the site admins");
    const [s, e, a] = candidateFeatures([candidate(site, 7, null), candidate(error, 20, 3), candidate(alone, 30, null)], traits, 1);
    // "site" and "admins" are in AdminSite's own name: its path adds nothing.
    expect(s).toMatchObject({ pathWords: 0, moduleWords: 0 });
    // AlreadyRegistered's path holds both ("admin", "sites"), its module one ("sites"); its best side
    // rank (3, vector) is its file's best, so they count fully.
    expect(e).toMatchObject({ pathWords: 0.5, moduleWords: 0.25 });
    // The only candidate of its file: full support, whatever its rank.
    expect(a).toMatchObject({ pathWords: 0.25, moduleWords: 0 });
    // Behind a better candidate of the same file, the path counts by the place in the file.
    const [, behind] = candidateFeatures([candidate(site, 1, null), candidate(error, 20, null)], traits, 0);
    expect(behind!.pathWords).toBeCloseTo(0.5 * rankDiscount(2), 10);
    expect(behind!.moduleWords).toBeCloseTo(0.25 * rankDiscount(2), 10);
  });

  it("scales the vector feature by the vector weight: 0 switches it off", () => {
    expect(candidateFeatures(pool, queryTraits("email"), 0).every((f) => f.vector === 0)).toBe(true);
  });

  it("scales the vector side's similarity over the pool, 0 for the least similar and without one, times the vector weight", () => {
    const withSimilarity = pool.map((c, i) => ({ ...c, ...(i < 3 ? { similarity: [0.8, 0.5, 0.6][i] } : {}) }));
    const features = candidateFeatures(withSimilarity, queryTraits("email"), 0.5);
    expect(features.map((f) => f.vectorSimilarity)).toEqual([0.5, 0, expect.closeTo((0.5 * 0.1) / 0.3, 10), 0]);
    expect(candidateFeatures(withSimilarity, queryTraits("email"), 0).every((f) => f.vectorSimilarity === 0)).toBe(true);
  });
});
