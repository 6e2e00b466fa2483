// Issue 11, defect 7: every `search` and `status` left an empty $TMPDIR/.tmpXXXXXX folder (LanceDB
// removes it only when the process exits on its own, not on a forced process.exit).
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

describe("the CLI leaves nothing in $TMPDIR", () => {
  it("after index, status, and search in each mode", async () => {
    const repo = await copyPythonFixtures();
    const tmp = await makeTempDir("codesearch-tmpdir-");
    const env = { TMPDIR: tmp };
    const runs = [
      ["index", "--model", TEST_MODEL_DIR],
      ["status"],
      ["search", "retry the request", "-n", "1"],
      ["search", "retry the request", "-n", "1", "--mode", "vector", "--json"],
      ["search", "retry", "-n", "1", "--mode", "lexical"],
    ];
    for (const args of runs) {
      const result = await runCli(args, { cwd: repo, env });
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
      expect(await readdir(tmp), args.join(" ")).toEqual([]);
    }
  });
});
