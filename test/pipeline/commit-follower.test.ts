// The commit follower on its own: it holds the committed table open, moves once to a newer commit
// however many readers ask at the same time, and closes the commit it left only after the reads on it.
process.env.LANCEDB_LOG = "error";

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CommitFollower, type OpenCommit } from "../../src/pipeline/commit-follower.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

const names = async (commit: OpenCommit) => (await commit.table.query().select(["name"]).toArray()).map((r) => String(r.name)).sort();

describe("CommitFollower", () => {
  it("moves once to a newer commit for concurrent readers, and closes the old one only after its reads", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 6);
    await indexInProcess(repo);
    const moves: [number, number][] = [];
    const follower = await CommitFollower.open(path.join(repo, ".codesearch"), async (from, to) => {
      moves.push([from.manifest.tableVersion!, to.manifest.tableVersion!]);
    });
    try {
      const first = follower.current;
      expect(await follower.follow()).toBe(first);
      expect(await names(first)).toContain("f_0_0");

      // A read that is still running on the first commit when the follower moves.
      let release!: () => void;
      const held = follower.read(async (commit) => {
        await new Promise<void>((resolve) => (release = resolve));
        return names(commit);
      });

      await writeFile(path.join(repo, "pkg", "mod_0.py"), 'def renamed_0(x):\n    """Renamed."""\n    return x\n');
      await indexInProcess(repo);
      const [a, b, c] = await Promise.all([follower.follow(), follower.follow(), follower.read(async (commit) => commit)]);
      expect(a).toBe(b);
      expect(c).toBe(a);
      expect(a).not.toBe(first);
      expect(moves).toEqual([[first.manifest.tableVersion!, a.manifest.tableVersion!]]);
      expect(await names(a)).toContain("renamed_0");

      // The held read still answers from the first commit: it was not closed under it.
      release();
      const old = await held;
      expect(old).toContain("f_0_0");
      expect(old).not.toContain("renamed_0");
    } finally {
      await follower.close();
    }
  });
});
