// Which repository `codesearch index` works on from a subfolder, and a missing model failing before
// any file is read (issue 22, defects 2 and 5). Real CLI runs on copies of fixtures/python.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { PYTHON_FIXTURES_DIR, TEST_MODEL_DIR, copyCommittedTree, makeTempDir } from "../support/temp-dirs.js";

async function indexedRepo(): Promise<string> {
  const repo = path.join(await makeTempDir(), "repo");
  await copyCommittedTree(PYTHON_FIXTURES_DIR, repo);
  const index = await runCli(["index", ".", "--model", TEST_MODEL_DIR, "--json"], { cwd: repo });
  expect(index.code, index.stderr).toBe(0);
  return repo;
}

describe("codesearch index from a subfolder of an indexed repository", () => {
  it("without a folder argument, updates the enclosing repository's index and makes no nested one", async () => {
    const repo = await indexedRepo();
    const sub = path.join(repo, "shop");
    const run = await runCli(["index", "--plain"], { cwd: sub });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`indexing ${repo}, the indexed repository this folder is in`);
    expect(existsSync(path.join(sub, ".codesearch"))).toBe(false);
  });

  it("naming the subfolder, refuses with both choices spelled out, and --db makes the separate index", async () => {
    const repo = await indexedRepo();
    const sub = path.join(repo, "shop");
    const refused = await runCli(["index", "shop", "--model", TEST_MODEL_DIR], { cwd: repo });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`\`codesearch index ${repo}\``);
    expect(refused.stderr).toContain(`\`codesearch index shop --db ${path.join(sub, ".codesearch")}\``);
    expect(existsSync(path.join(sub, ".codesearch"))).toBe(false);
    const separate = await runCli(["index", "shop", "--db", path.join(sub, ".codesearch"), "--model", TEST_MODEL_DIR, "--json"], { cwd: repo });
    expect(separate.code, separate.stderr).toBe(0);
    // Once it has its own index, the subfolder is indexed as itself.
    const again = await runCli(["index", "--json"], { cwd: sub });
    expect(again.code, again.stderr).toBe(0);
  });

  it("watch from the subfolder refuses the same way when named", async () => {
    const repo = await indexedRepo();
    const watch = await runCli(["watch", "shop"], { cwd: repo });
    expect(watch.code).toBe(2);
    expect(watch.stderr).toContain("which has an index; choose one");
  });
});

describe("a model that cannot load", () => {
  it.each([
    ["offline, a hub model not downloaded", [], { CODESEARCH_OFFLINE: "1" }],
    ["a model folder without its files", ["--model", "./no-model-here"], {}],
  ])("%s fails before any file is read, leaving no index folder", async (_name, extra, env) => {
    const repo = path.join(await makeTempDir(), "repo");
    await copyCommittedTree(PYTHON_FIXTURES_DIR, repo);
    const run = await runCli(["index", ".", "--json", ...extra], { cwd: repo, env });
    expect(run.code).toBe(4);
    const events = run.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { type: string }).type);
    expect(events).toEqual(["error"]);
    expect(existsSync(path.join(repo, ".codesearch"))).toBe(false);
  });
});
