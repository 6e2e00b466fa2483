// Issue 19: `status` and `verify` check the committed index; a writer keeps only the newest
// superseded commits (KEEP_SUPERSEDED_COMMITS), so the commit a check started on can be removed
// under it. That is not damage: the check must follow the newer commit, not report the index
// damaged (status exit 6) while it is sound.
process.env.LANCEDB_LOG = "error";

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import { verifyIndex } from "../../src/pipeline/verify-index.js";
import { readManifest } from "../../src/store/index-manifest.js";
import { KEEP_SUPERSEDED_COMMITS } from "../../src/store/version-retention.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { listedVersions } from "../support/table-versions.js";
import { makeTempDir } from "../support/temp-dirs.js";

// The first check of each test runs while writers commit more than KEEP_SUPERSEDED_COMMITS times.
const { hook } = vi.hoisted(() => ({ hook: { beforeCheck: null as null | (() => Promise<void>) } }));
vi.mock("../../src/store/index.js", async (importOriginal) => {
  const store = await importOriginal<typeof import("../../src/store/index.js")>();
  return {
    ...store,
    checkCommittedIndex: async (...args: Parameters<typeof store.checkCommittedIndex>) => {
      const before = hook.beforeCheck;
      hook.beforeCheck = null;
      if (before) await before();
      return store.checkCommittedIndex(...args);
    },
  };
});

const editModule = (repo: string, i: number) =>
  writeFile(path.join(repo, "pkg", `mod_${i % 4}.py`), `def edited_${i}(x):\n    """Edit ${i}."""\n    return x * ${i}\n`);

async function indexedRepo(): Promise<string> {
  const repo = await makeTempDir();
  await writeSyntheticRepo(repo, 4, 6);
  await indexInProcess(repo);
  return repo;
}

/**
 * Commits until the version the manifest names now is removed (more than KEEP_SUPERSEDED_COMMITS
 * commits, and past the cleanup's 2 s slack however fast the machine runs them).
 */
const commitMany = (repo: string) => async () => {
  const indexDir = path.join(repo, ".codesearch");
  const first = (await readManifest(indexDir))!.tableVersion!;
  for (let i = 1; (await listedVersions(indexDir)).includes(first); i++) {
    if (i > 4 * KEEP_SUPERSEDED_COMMITS + 60) throw new Error(`version ${first} still listed after ${i - 1} commits`);
    await editModule(repo, i);
    await indexInProcess(repo);
  }
};

describe("checks of a commit removed under them", () => {
  it("status reports the newer commit sound, not damage", { timeout: 300_000 }, async () => {
    const repo = await indexedRepo();
    const before = await readIndexStatus({ cwd: repo });
    hook.beforeCheck = commitMany(repo);
    const status = await readIndexStatus({ cwd: repo });
    expect(hook.beforeCheck).toBeNull();
    expect(status.state).toBe("complete");
    if (status.state !== "complete") return;
    expect(status.damage).toEqual([]);
    expect(status.tableVersion).toBeGreaterThan(before.state === "complete" ? before.tableVersion! : 0);
  });

  it("verify reports no problems on the newer commit", { timeout: 300_000 }, async () => {
    const repo = await indexedRepo();
    hook.beforeCheck = commitMany(repo);
    const report = await verifyIndex({ cwd: repo });
    expect(hook.beforeCheck).toBeNull();
    expect(report.problems).toEqual([]);
    expect(report.rowsChecked).toBeGreaterThan(0);
  });
});
