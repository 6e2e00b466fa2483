// Issue 19: `status` and `verify` check the committed index; a writer keeps only the newest
// superseded commits (KEEP_SUPERSEDED_COMMITS), so the commit a check started on can be removed
// under it. That is not damage: the check must follow the newer commit, not report the index
// damaged (status exit 6) while it is sound.
process.env.LANCEDB_LOG = "error";

import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import { verifyIndex } from "../../src/pipeline/verify-index.js";
import { readManifest } from "../../src/store/index-manifest.js";
import { KEEP_SUPERSEDED_COMMITS } from "../../src/store/version-retention.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { commitUntilRemoved } from "../support/table-versions.js";
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
  const first = (await readManifest(path.join(repo, ".codesearch")))!.tableVersion!;
  await commitUntilRemoved(repo, first, 4 * KEEP_SUPERSEDED_COMMITS + 60);
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
