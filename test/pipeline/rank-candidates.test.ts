import { describe, expect, it } from "vitest";
import { poolCandidates, pooledRefs, rankCandidates, rankCandidatesAtWeights, type Candidates } from "../../src/pipeline/rank-entities.js";
import { DEFAULT_RANKER, VECTOR_WEIGHT_GRID, fusionWeights } from "../../src/rank/index.js";
import type { SearchRequest } from "../../src/model/search.js";
import { makeChunk, refOf } from "../support/chunks.js";

const ref = (path: string, line: number, name: string, kind?: "class") => refOf(makeChunk(path, line, name, kind ? { kind } : {}));
const validator = ref("web/validators.py", 5, "EmailValidator", "class");
const domain = ref("web/validators.py", 20, "EmailValidator.validate_domain_part");
const user = ref("web/validators.py", 30, "EmailValidator.validate_user_part");
const form = ref("web/forms.py", 3, "clean_email_form");
const test = ref("tests/test_validators.py", 1, "test_email_validator");
const hits = (...refs: ReturnType<typeof ref>[]) => refs.map((chunk, i) => ({ chunk, score: 10 - i }));
const candidates: Candidates = {
  lexical: hits(domain, form, user, test, validator),
  vector: hits(test, validator, form),
  name: [],
};
const request: SearchRequest = { mode: "hybrid", limit: 10, filters: {} };
const ids = (list: { chunk: { id: string } }[]) => list.map((hit) => hit.chunk.id);

describe("poolCandidates", () => {
  it("holds each entity once with its rank on each side; the vector side only when asked", () => {
    const pooled = poolCandidates(candidates, true);
    expect(pooled.map((c) => [c.chunk.qualifiedName, c.ranks.lexical, c.ranks.vector])).toEqual([
      ["EmailValidator.validate_domain_part", 1, null],
      ["clean_email_form", 2, 3],
      ["EmailValidator.validate_user_part", 3, null],
      ["test_email_validator", 4, 1],
      ["EmailValidator", 5, 2],
    ]);
    expect(poolCandidates(candidates, false).every((c) => c.ranks.vector === null)).toBe(true);
  });

  it("carries the vector side's similarity and the text read for each candidate; pooledRefs lists the same entities", () => {
    const texts = new Map([[validator.id, { signature: "class EmailValidator", docstring: "Checks an address.", source: "class EmailValidator: ..." }]]);
    const pooled = poolCandidates(candidates, true, texts);
    const byName = new Map(pooled.map((c) => [c.chunk.qualifiedName, c]));
    expect(byName.get("EmailValidator")!.similarity).toBe(9);
    expect(byName.get("EmailValidator")!.text?.docstring).toBe("Checks an address.");
    expect(byName.get("EmailValidator.validate_domain_part")!.similarity).toBeUndefined();
    expect(byName.get("clean_email_form")!.text).toBeUndefined();
    expect(pooledRefs(candidates, true).map((r) => r.id)).toEqual(pooled.map((c) => c.chunk.id));
    expect(pooledRefs(candidates, false).map((r) => r.id)).toEqual(poolCandidates(candidates, false).map((c) => c.chunk.id));
  });
});

describe("rankCandidatesAtWeights", () => {
  it("ranks exactly as rankCandidates at each weight of the calibration grid", () => {
    const query = "check that an email address is valid";
    const atWeights = rankCandidatesAtWeights(candidates, query, request, VECTOR_WEIGHT_GRID, DEFAULT_RANKER);
    VECTOR_WEIGHT_GRID.forEach((weight, i) => {
      const one = rankCandidates(candidates, query, request, fusionWeights(weight), DEFAULT_RANKER);
      expect(ids(atWeights[i]!)).toEqual(ids(one));
      expect(atWeights[i]!.map((hit) => hit.score)).toEqual(one.map((hit) => hit.score));
    });
    // The weights matter: with a heavy vector side the test function the vector side ranks first leads.
    expect(ids(atWeights.at(-1)!)[0]).not.toBe(ids(atWeights[0]!)[0]);
  });
});
