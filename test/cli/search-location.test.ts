// Hits open from where the user stands: paths relative to the cwd, absolute `path` in JSON,
// cwd-relative --path globs, a file:line:column:text mode, and scores without exponents.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toRepoGlobs } from "../../src/cli/ranking-options.js";
import { displayPath, formatScore } from "../../src/cli/search-output.js";
import type { SearchHitJson } from "../../src/model/search-result.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures } from "../support/temp-dirs.js";

describe("toRepoGlobs", () => {
  const repo = "/r";
  it.each([
    [["cart.py"], "/r/shop", ["cart.py"]],
    [["./cart.py"], "/r/shop", ["shop/cart.py"]],
    [["!./cart.py"], "/r/shop", ["!shop/cart.py"]],
    [["../scripts/"], "/r/shop", ["scripts/"]],
    [["./"], "/r/shop", ["shop/"]],
    [["."], "/r", ["**"]],
    [["net/*.py"], "/r/shop", ["net/*.py", "shop/net/*.py"]],
    [["shop/net/"], "/r", ["shop/net/"]],
    [["./shop/cart.py"], "/r", ["shop/cart.py"]],
    [["x/*.py"], "/elsewhere", ["x/*.py"]],
  ])("%j typed in %s → %j", (globs, cwd, expected) => {
    expect(toRepoGlobs(globs, cwd, repo)).toEqual(expected);
  });
});

describe("formatScore and displayPath", () => {
  it.each([
    [5243.7, "5243.70"],
    [12.3456, "12.35"],
    [1, "1.00"],
    [0.032787, "0.0328"],
    [0.5, "0.500"],
  ])("formatScore(%d) is %s", (score, text) => {
    expect(formatScore(score)).toBe(text);
    expect(formatScore(score)).not.toMatch(/e/);
  });

  it.each([
    ["shop/cart.py", "/r", "/r/shop", "cart.py"],
    ["scripts/tool.py", "/r", "/r/shop", "../scripts/tool.py"],
    ["color.py", "/home/u/rich", "/home/u", "rich/color.py"],
    ["color.py", "/home/u/rich", "/tmp", "/home/u/rich/color.py"],
  ])("%s of %s seen from %s is %s", (file, repoRoot, cwd, shown) => {
    expect(displayPath(file, repoRoot, cwd)).toBe(shown);
  });
});

describe("codesearch search from inside and beside the repository (built CLI)", () => {
  // One index for all three checks (temp dirs are removed after each test).
  it("paths relative to the current folder, cwd-relative --path globs, --vimgrep lines", async () => {
    const repo = await copyPythonFixtures();
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    await pathsRelativeToCwd(repo);
    await globsFromCwd(repo);
    await vimgrepLines(repo);
  });
});

/** Plain hits print paths relative to the current folder; JSON keeps `file` and adds an absolute `path`. */
async function pathsRelativeToCwd(repo: string): Promise<void> {
  const inShop = await runCli(["search", "cart total with tax", "-n", "1", "--preview", "0"], { cwd: path.join(repo, "shop") });
  expect(inShop.stdout).toMatch(/^cart\.py:67-68 {2}Cart\.total/);
  const beside = await runCli(["search", "cart total with tax", "-n", "1", "--preview", "0", "--repo", path.basename(repo)], { cwd: path.dirname(repo) });
  expect(beside.stdout).toMatch(new RegExp(`^${path.basename(repo)}/shop/cart\\.py:67-68`));
  const json = await runCli(["search", "cart total with tax", "-n", "1", "--json"], { cwd: path.join(repo, "shop") });
  const hit = (JSON.parse(json.stdout) as { results: SearchHitJson[] }).results[0]!;
  expect(hit).toMatchObject({ file: "shop/cart.py", path: path.join(repo, "shop", "cart.py") });
}

/** --path globs are read from the current folder: ./x, ../x and subfolder-relative, as well as repository-relative. */
async function globsFromCwd(repo: string): Promise<void> {
  const files = async (cwd: string, ...globs: string[]) => {
    const result = await runCli(["search", "total", "--json", "--mode", "lexical", ...globs.flatMap((g) => ["--path", g])], { cwd });
    expect(result.code).toBe(0);
    return [...new Set((JSON.parse(result.stdout) as { results: SearchHitJson[] }).results.map((r) => r.file))].sort();
  };
  const shop = path.join(repo, "shop");
  expect(await files(shop, "./cart.py")).toEqual(["shop/cart.py"]);
  expect(await files(shop, "cart.py")).toEqual(["shop/cart.py"]);
  expect(await files(shop, "shop/cart.py")).toEqual(["shop/cart.py"]);
  expect(await files(shop, "../scripts/")).toEqual(["scripts/tool.py"]);
  expect(await files(shop, "./", "!./cart.py")).toEqual(["shop/unicode_names.py"]);
}

/** --vimgrep prints file:line:column:text lines that point at the match line's first character. */
async function vimgrepLines(repo: string): Promise<void> {
  const shop = path.join(repo, "shop");
  const result = await runCli(["search", "cart total", "-n", "3", "--vimgrep"], { cwd: shop });
  expect(result.code).toBe(0);
  const lines = result.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(3);
  for (const line of lines) {
    const match = /^([^:]+):(\d+):(\d+):(.*)$/.exec(line);
    expect(match).not.toBeNull();
    const [, file, lineNo, column, text] = match!;
    const source = (await readFile(path.join(shop, file!), "utf8")).split("\n")[Number(lineNo) - 1]!;
    expect(text).toBe(source.trimEnd());
    expect(source.slice(Number(column) - 1)).toBe(source.trimStart());
  }
  expect((await runCli(["search", "x", "--vimgrep", "--json"], { cwd: shop })).code).toBe(2);
}
