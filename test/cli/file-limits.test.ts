// Issue 19, item 5: a file of 690 nested defs (under the size limit) once took indexing to 2.35 GB
// and broke the parser for every later file. Now it is not parsed, the run says why, and the other
// files are indexed.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

let repo: string;
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe("a file nested too deep to parse", () => {
  it("is reported as a parse problem with the reason, and the files after it are indexed", async () => {
    repo = await makeTempDir();
    const lines = Array.from({ length: 690 }, (_, level) => `${" ".repeat(level)}def level_${level}():`);
    await writeFile(path.join(repo, "a_deep.py"), `${lines.join("\n")}\n${" ".repeat(690)}pass\n`);
    await writeFile(path.join(repo, "b_fine.py"), "def fine_after_deep():\n    return 1\n");
    const index = await runCli(["index", "--model", TEST_MODEL_DIR], { cwd: repo });
    // Exit 1: completed with failures, as for a file with syntax errors.
    expect(index.code).toBe(1);
    expect(index.stdout + index.stderr).toMatch(/a_deep\.py +- +parse +not parsed: nested 690 levels deep, more than the 256 a file may have; kept 0 entities/);
    const search = await runCli(["search", "fine_after_deep", "--json"], { cwd: repo });
    expect((JSON.parse(search.stdout) as { results: { qualname: string }[] }).results.map((hit) => hit.qualname)).toEqual(["fine_after_deep"]);
  });
});
