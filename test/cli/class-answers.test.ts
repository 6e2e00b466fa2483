// Issue 18: a class named or described by a query comes back as the class, in lexical and default
// mode, with the test model (fixtures/python-classes: the APIRouter and EmailValidator shapes,
// whose methods outrank the class on BM25 alone). --explain shows each hit's features, and
// --ranker swaps the configuration without a code change (an ablation).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { runCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, copyCommittedTree } from "../support/temp-dirs.js";

let repo: string;

beforeAll(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), "codesearch-classes-"));
  await copyCommittedTree(path.join(PROJECT_ROOT, "fixtures", "python-classes"), repo);
  const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
  expect(index.code).toBe(0);
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function search(query: string, ...args: string[]): Promise<SearchHitJson[]> {
  const result = await runCli(["search", query, "--json", "-n", "5", ...args], { cwd: repo });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { results: SearchHitJson[] }).results;
}

describe.each([["lexical"], ["hybrid"]])("--mode %s", (mode) => {
  it("ranks the class APIRouter first for the query `APIRouter`, as the class with its own ranks", async () => {
    const [first] = await search("APIRouter", "--mode", mode);
    expect(first).toMatchObject({ qualname: "APIRouter", kind: "class", file: "webkit/routing.py", exact_name: true });
  });

  it("answers `check that an email address is valid` with the class EmailValidator", async () => {
    const hits = await search("check that an email address is valid", "--mode", mode);
    expect(hits[0]).toMatchObject({ qualname: "EmailValidator", kind: "class" });
    // Its methods are still there, as themselves, each with its own lexical rank.
    const method = hits.find((hit) => hit.qualname === "EmailValidator.validate_domain_part" || hit.qualname === "EmailValidator.validate_user_part");
    expect(method?.kind).toBe("method");
    expect(method?.ranks.lexical).not.toBe(hits[0]!.ranks.lexical);
  });
});

it("--explain shows each hit's features; its score is the sum of the contributions and stage adjustments", async () => {
  const hits = await search("check that an email address is valid", "--mode", "lexical", "--explain");
  for (const hit of hits) {
    const explain = hit.explain!;
    expect(Object.keys(explain.features)).toEqual(expect.arrayContaining(["lexical", "nameWords", "pathWords", "memberHits", "testCode"]));
    const sum = [...Object.values(explain.contributions), ...Object.values(explain.stages)].reduce((s, v) => s + v, 0);
    expect(hit.score).toBeCloseTo(sum, 4);
  }
  expect((await search("APIRouter", "--mode", "lexical"))[0]!.explain).toBeUndefined();
});

it("--ranker ranks with another configuration: BM25 rank alone lets the class fall behind its methods", async () => {
  const file = path.join(repo, "lexical-only.json");
  await writeFile(file, JSON.stringify({ weights: { lexical: 1 }, stages: [], fileRepeatPenalty: 0, priorVectorWeight: 0 }));
  const hits = await search("check that an email address is valid", "--mode", "lexical", "--ranker", file);
  expect(hits[0]!.qualname).not.toBe("EmailValidator");
  const bad = await runCli(["search", "x", "--ranker", path.join(repo, "missing.json")], { cwd: repo });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--ranker");
});

it("--mode vector stays raw: the vector side's order, no ranking stage", async () => {
  const hits = await search("APIRouter", "--mode", "vector", "--explain");
  expect(hits.map((hit) => hit.ranks.vector)).toEqual([1, 2, 3, 4, 5]);
  expect(hits.every((hit) => hit.explain === undefined && hit.ranks.lexical === null)).toBe(true);
});
