// A long-lived session (the MCP server's) keeps the table in memory: it must answer exactly as a
// one-shot session does, follow commits, and never serve a hit it cannot read whole.
process.env.LANCEDB_LOG = "error";

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { StoreError } from "../../src/model/errors.js";
import type { SearchRequest } from "../../src/model/search.js";
import { rankEntities } from "../../src/pipeline/rank-entities.js";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { DEFAULT_RANKER, fusionWeights } from "../../src/rank/index.js";
import { ENTITY_TABLE, loadResidentEntities, openDatabase } from "../../src/store/index.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

const QUERIES = ["scale value clamp", "module 7 limit", "f_3_2", "clamp it to the limit of value 4"];

describe("a session with resident entities", () => {
  it("answers every mode and filter exactly as a one-shot session, and follows the next commit", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const open = (residentEntities: boolean) => openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true, residentEntities });
    const [plain, resident] = [await open(false), await open(true)];
    const requests: SearchRequest[] = [
      { limit: 10, mode: "hybrid", filters: {}, vectorWeight: 1 },
      { limit: 5, mode: "vector", filters: {} },
      { limit: 10, mode: "lexical", filters: {} },
      { limit: 10, mode: "hybrid", filters: { paths: ["pkg/mod_1*.py"] }, vectorWeight: 1 },
      { limit: 3, mode: "vector", filters: { paths: ["pkg/mod_2.py"] } },
    ];
    expect(resident.residentEntityCount).toBeNull();
    // The first search does not wait for the table to be read: LanceDB answers it.
    const [beforeLoad] = await resident.search(QUERIES[0]!, requests[0]!);
    expect(beforeLoad!.chunk.id).toBe((await plain.search(QUERIES[0]!, requests[0]!))[0]!.chunk.id);
    await resident.preload();
    expect(resident.residentEntityCount).toBe(72);
    for (const query of QUERIES) {
      for (const request of requests) {
        const expected = await plain.search(query, request);
        const hits = await resident.search(query, request);
        expect(hits.map(({ score: _score, ...rest }) => rest)).toEqual(expected.map(({ score: _score, ...rest }) => rest));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
        expect(hits.length).toBeGreaterThan(0);
      }
    }

    expect(resident.residentEntityCount).toBe(72);
    expect(plain.residentEntityCount).toBeNull();

    await writeFile(path.join(repo, "pkg", "late.py"), 'def rotate_ledger_archive(ledger):\n    """Rotate the ledger archive."""\n    return ledger[::-1]\n');
    await indexInProcess(repo);
    // Searched while the new version is read (LanceDB answers), then from the new resident table.
    for (const loaded of [false, true]) {
      if (loaded) {
        await resident.preload();
        expect(resident.residentEntityCount).toBe(73);
      }
      for (const mode of ["lexical", "vector", "hybrid"] as const) {
        const [top] = await resident.search("rotate ledger archive", { limit: 1, mode, filters: {}, vectorWeight: 1 });
        expect(top!.chunk).toMatchObject({ path: "pkg/late.py", qualifiedName: "rotate_ledger_archive", docstring: "Rotate the ledger archive." });
      }
    }
    await Promise.all([plain.close(), resident.close()]);
  });

  it("searches again when a hit is missing from the resident table, and fails rather than serve it twice over", { timeout: 60_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 3);
    await indexInProcess(repo);
    const db = await openDatabase(path.join(repo, ".codesearch"));
    const before = (await loadResidentEntities(await db.openTable(ENTITY_TABLE)))!;
    await writeFile(path.join(repo, "pkg", "late.py"), "def rotate_ledger_archive(ledger):\n    return ledger[::-1]\n");
    await indexInProcess(repo);
    const after = (await loadResidentEntities(await db.openTable(ENTITY_TABLE)))!;
    const request: SearchRequest = { limit: 3, mode: "lexical", filters: {} };
    const source = (served: (typeof before)[]) => ({
      db,
      embedQuery: () => Promise.reject(new Error("lexical mode embeds nothing")),
      indexedPaths: () => Promise.resolve([]),
      residentEntities: () => Promise.resolve(served.shift() ?? after),
    });
    // The connection reads the latest version, which has late.py; the first resident snapshot does not.
    const [top] = await rankEntities(source([before]), "rotate ledger archive", request, fusionWeights(0), DEFAULT_RANKER);
    expect(top!.chunk).toMatchObject({ path: "pkg/late.py", source: "def rotate_ledger_archive(ledger):\n    return ledger[::-1]" });
    await expect(rankEntities(source([before, before]), "rotate ledger archive", request, fusionWeights(0), DEFAULT_RANKER)).rejects.toThrow(StoreError);
    db.close();
  });
});
