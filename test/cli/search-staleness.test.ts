// Issue 11, defect 7: search's "files changed" warning must be right. After `mv` of an indexed
// repository it reported every hit as changed (it looked under the old path) while status said all
// was current; with an unreadable catalog it called every hit's file changed instead of naming it.
import { rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

describe("a repository moved after indexing", () => {
  it("searches without 'changed' warnings, and status and search agree", async () => {
    const repo = await copyPythonFixtures();
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    const moved = path.join(await makeTempDir("codesearch-moved-"), "renamed-repo");
    await rename(repo, moved);

    const search = await runCli(["search", "retry the request", "--json", "-n", "3"], { cwd: moved });
    expect(search.code, search.stderr).toBe(0);
    const result = JSON.parse(search.stdout) as { results: unknown[]; warnings: string[] };
    expect(result.results.length).toBeGreaterThan(0);
    expect(result.warnings).toEqual([]);

    const status = await runCli(["status", "--json"], { cwd: moved });
    expect(JSON.parse(status.stdout)).toMatchObject({ repoRoot: moved, stale: { filesAdded: 0, filesChanged: 0, filesRemoved: 0 } });
  });
});

describe("search with an unreadable catalog", () => {
  it("says the catalog is unreadable instead of calling the hits' files changed", async () => {
    const repo = await copyPythonFixtures();
    expect((await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo })).code).toBe(0);
    await writeFile(path.join(repo, ".codesearch", "catalog.json"), "garbage");
    const search = await runCli(["search", "retry the request", "-n", "2"], { cwd: repo });
    expect(search.stderr).toContain("catalog (catalog.json) is unreadable");
    expect(search.stderr).not.toContain("changed since they were indexed (");
  });
});
