// Searches read the table version the last completed run committed: never a half-written table.
process.env.LANCEDB_LOG = "error";

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SearchMode } from "../../src/model/search.js";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import { openSearchSession, type SearchSession } from "../../src/pipeline/search-repo.js";
import { applyEntityChanges, openDatabase, readCatalog, readManifest } from "../../src/store/index.js";
import { indexInProcess } from "../support/index-in-process.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { type ScoredId, sameRanking, sameRankings } from "../support/same-ranking.js";
import { TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

const QUERIES: [string, SearchMode][] = [
  ["scale value 3 of module 7", "lexical"],
  ["clamp it to the limit", "hybrid"],
  ["f_5_2", "hybrid"],
  ["scale a value and clamp", "vector"],
];

/**
 * Each query's hits. Hybrid queries fix the vector weight: the calibrated weight depends on when an
 * index last calibrated (an incremental index keeps it until a fifth of its rows changed), the
 * table's contents must not.
 */
async function answers(session: SearchSession): Promise<ScoredId[][]> {
  const out: ScoredId[][] = [];
  for (const [query, mode] of QUERIES) {
    const request = { limit: 10, mode, filters: {}, ...(mode === "hybrid" ? { vectorWeight: 1 } : {}) };
    out.push((await session.search(query, request)).map((h) => ({ id: h.chunk.id, score: h.score })));
  }
  return out;
}

const open = (repo: string) => openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true });

/** Rewrites half of the synthetic repo's modules so an index run deletes and adds their rows. */
async function editHalf(repo: string, tag: string): Promise<void> {
  for (let i = 0; i < 24; i += 2) {
    const file = path.join(repo, "pkg", `mod_${i}.py`);
    await writeFile(file, (await readFile(file, "utf8")).replaceAll("clamp it", `clamp it (${tag})`));
  }
}

describe("snapshot reads", () => {
  it("searches during an index run see the committed version before or after it, never a mix", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    await indexInProcess(repo);
    const session = await open(repo);
    try {
      const before = await answers(session);
      await editHalf(repo, "edited");
      let done = false;
      const run = indexInProcess(repo).finally(() => (done = true));
      const seen: ScoredId[][][] = [];
      while (!done) seen.push(await answers(session));
      await run;
      const after = await answers(await open(repo));
      expect(sameRankings(after, before)).toBe(false);
      expect(seen.length).toBeGreaterThan(1);
      // Each query answers from one committed version (the session may move on between queries).
      const mixed = seen.flatMap((answer) => answer.filter((ranking, q) => !sameRanking(ranking, before[q]!) && !sameRanking(ranking, after[q]!)));
      expect(mixed).toEqual([]);
      // The session follows the new commit on its next query.
      expect(sameRankings(await answers(session), after)).toBe(true);
    } finally {
      await session.close();
    }
  });

  it("a writer killed between delete and add changes no answer; the next run sets its versions aside and is exact", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    await indexInProcess(repo);
    const indexDir = path.join(repo, ".codesearch");
    const session = await open(repo);
    const before = await answers(session);
    await session.close();
    const committed = (await readManifest(indexDir))!.tableVersion!;

    // What a run killed after LanceDB's delete leaves: later versions without half of the rows.
    const db = await openDatabase(indexDir);
    const half = Array.from({ length: 12 }, (_, i) => `pkg/mod_${i * 2}.py`);
    const written = await applyEntityChanges(db, { deletePaths: half, add: [] }, 768);
    db.close();
    expect(written.rowCount).toBe(96);
    expect(written.version).toBeGreaterThan(committed);

    const reopened = await open(repo);
    expect(sameRankings(await answers(reopened), before)).toBe(true);
    await reopened.close();
    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status).toMatchObject({ entitiesIndexed: 192, tableVersion: committed, damage: [] });

    const next = await indexInProcess(repo);
    expect(next.summary.chunksStored).toBe(192);
    expect(await snapshotIndex(indexDir)).toEqual(await snapshotFromScratch(repo));
    expect((await readCatalog(indexDir)).table?.version).toBe((await readManifest(indexDir))!.tableVersion);
  });

  it("lexical scores after incremental runs equal a from-scratch index's exactly", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 24, 8);
    await indexInProcess(repo);
    await editHalf(repo, "one");
    await indexInProcess(repo);
    await writeFile(path.join(repo, "pkg", "mod_3.py"), "def clamp_all(values, limit):\n    \"\"\"Clamp every value to the limit.\"\"\"\n    return [min(v, limit) for v in values]\n");
    await indexInProcess(repo);
    const fresh = await makeTempDir("codesearch-fresh-");
    await indexInProcess(repo, { indexDir: fresh, model: TEST_MODEL_DIR });
    const incremental = await open(repo);
    const scratch = await openSearchSession({ cwd: repo, indexDir: fresh, modelCacheDir: "/nonexistent", offline: true });
    try {
      const [a, b] = [await answers(incremental), await answers(scratch)];
      expect(sameRankings(a, b), JSON.stringify([a, b])).toBe(true);
    } finally {
      await incremental.close();
      await scratch.close();
    }
  });
});
