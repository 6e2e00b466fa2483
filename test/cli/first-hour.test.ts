// What a new user meets in the first hour (issue 22): queries of punctuation only, conflicting
// flags, --path globs that match nothing. Real CLI runs on a copy of fixtures/python.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { PYTHON_FIXTURES_DIR, TEST_MODEL_DIR, copyCommittedTree, makeTempDir } from "../support/temp-dirs.js";

const OFFLINE = { CODESEARCH_OFFLINE: "1" };
const PUNCTUATION_QUERIES = ["!!!", "_", "==", "()", "@", "..."];

describe("a query of punctuation only, on an index of codesearch-small (split-identifiers)", () => {
  // One index for every test here (makeTempDir's folders go after each test).
  let dir: string;
  let repo: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "codesearch-first-hour-"));
    repo = path.join(dir, "repo");
    await copyCommittedTree(PYTHON_FIXTURES_DIR, repo);
    const index = await runCli(["index", ".", "--model", "codesearch-small", "--json"], { cwd: repo, env: OFFLINE });
    expect(index.code, index.stderr).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ["vector", []],
    ["hybrid", ["--vector-weight", "1"]],
  ])("answers in %s mode with no results and a reason, never a crash", async (mode, extra) => {
    for (const query of PUNCTUATION_QUERIES) {
      const search = await runCli(["search", query, "--mode", mode, ...extra], { cwd: repo, env: OFFLINE });
      expect(search.code, `${query}: ${search.stderr}`).toBe(0);
      expect(search.stderr).toContain("no letter or digit");
    }
  });

  it("keeps hybrid mode's lexical side when the model sees nothing in the query", async () => {
    const search = await runCli(["search", "Cart ()", "--vector-weight", "1", "--json"], { cwd: repo, env: OFFLINE });
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { results: unknown[] }).results.length).toBeGreaterThan(0);
  });

  it("does not abort a --queries batch on such a line", async () => {
    const file = path.join(repo, "queries.jsonl");
    await writeFile(file, ['{"query": "!!!", "id": 1}', '{"query": "add an item to the cart", "id": 2}'].join("\n"));
    const search = await runCli(["search", "--queries", file, "--mode", "vector"], { cwd: repo, env: OFFLINE });
    expect(search.code, search.stderr).toBe(0);
    const lines = search.stdout.trim().split("\n").map((line) => JSON.parse(line) as { id: number; results: unknown[] });
    expect(lines.map((line) => line.id)).toEqual([1, 2]);
    expect(lines[0]!.results).toEqual([]);
    expect(lines[1]!.results.length).toBeGreaterThan(0);
  });

  it("says so when the --path globs match no indexed file", async () => {
    const search = await runCli(["search", "cart", "--path", "nowhere/**"], { cwd: repo, env: OFFLINE });
    expect(search.code).toBe(0);
    expect(search.stderr).toMatch(/--path 'nowhere\/\*\*' matches none of the \d+ indexed files/);
  });
});

describe("conflicting flags", () => {
  it.each([
    [["search", "x", "--preview", "2", "--context", "1"], "--preview"],
    [["search", "x", "--repo", ".", "--db", "elsewhere"], "--repo"],
    [["index", ".", "--json", "--plain"], "--json"],
    [["watch", ".", "--json", "--plain"], "--json"],
  ])("%j is a usage error naming both", async (args, first) => {
    const run = await runCli(args, { cwd: await makeTempDir() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`option '${first}`);
    expect(run.stderr).toContain("cannot be used with");
  });
});

describe("words counted right", () => {
  it("a file with a syntax error and one definition kept says 'kept 1 recovered entity'", async () => {
    const repo = await makeTempDir();
    await writeFile(path.join(repo, "a.py"), "def ok():\n    return 1\n\nx = (1,\n");
    const run = await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--plain"], { cwd: repo });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("kept 1 recovered entity\n");
  });
});
