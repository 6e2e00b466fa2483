// Issue 11, defect 7: indexing on a read-only file system said `ENOENT … mkdir` (Node's recursive
// mkdir hides EROFS); the error must name the read-only file system and the way out (--db).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mountReadOnly, mountUnavailable, unmount } from "../support/mounts.js";
import { runCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";

const noMount = await mountUnavailable();

describe("a repository on a read-only file system", () => {
  it.skipIf(noMount !== null)(`index names the read-only file system and suggests --db, which works${noMount ? ` (skipped: ${noMount})` : ""}`, async () => {
    const repo = await copyPythonFixtures();
    mountReadOnly(repo);
    try {
      const refused = await runCli(["index", repo, "--model", TEST_MODEL_DIR], { cwd: repo });
      expect(refused.code).toBe(6);
      expect(refused.stderr).toContain("EROFS: read-only file system");
      expect(refused.stderr).toContain("--db <folder>");
      expect(refused.stderr).not.toContain("ENOENT");

      const elsewhere = path.join(await makeTempDir("codesearch-ro-index-"), "index");
      const indexed = await runCli(["index", repo, "--db", elsewhere, "--model", TEST_MODEL_DIR], { cwd: repo });
      expect(indexed.code, indexed.stderr).toBe(0);
    } finally {
      unmount(repo);
    }
  });
});
