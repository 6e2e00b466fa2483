// Issue 19: a writer keeps only the newest superseded commits (KEEP_SUPERSEDED_COMMITS), however
// young, so a watcher committing twice a second does not pile up versions. A session whose commit
// was removed while it read must then answer from the newer commit, never fail and never read a
// half-removed version.
process.env.LANCEDB_LOG = "error";

import { describe, expect, it } from "vitest";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { KEEP_SUPERSEDED_COMMITS } from "../../src/store/version-retention.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { commitUntilRemoved } from "../support/table-versions.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("a session whose commit is removed while it reads", () => {
  it("reads the newer commit once more than KEEP_SUPERSEDED_COMMITS commits replaced its own inside the grace", { timeout: 300_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 6);
    await indexInProcess(repo);
    const session = await openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true });
    try {
      const request = { limit: 5, mode: "lexical" as const, filters: {} };
      expect((await session.search("scale value", request)).length).toBeGreaterThan(0);
      const first = session.manifest.tableVersion!;
      const keys: string[] = [];
      let runs = 0;
      const names = await session.readCommitted(async ({ table, versionKey }) => {
        keys.push(versionKey);
        // While the first read runs, writers commit until the session's version is gone. All of it
        // happens well inside the 60 s grace: only the count of superseded commits removes it.
        if (keys.length === 1) runs = await commitUntilRemoved(repo, first, 4 * KEEP_SUPERSEDED_COMMITS + 20);
        const rows = await table.query().select(["name"]).toArray();
        return rows.map((r) => String(r.name)).sort();
      });
      expect(runs).toBeGreaterThan(KEEP_SUPERSEDED_COMMITS);
      expect(keys).toHaveLength(2);
      expect(keys[1]).not.toBe(keys[0]);
      // The newest commit's rows: the last edit of each module.
      const lastEdits = Array.from({ length: 4 }, (_, m) => runs - ((runs - m) % 4)).filter((i) => i >= 1);
      for (const i of lastEdits) expect(names).toContain(`edited_${i}`);
      expect((await session.search("edited", request)).length).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});
