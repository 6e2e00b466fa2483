// A search session reloaded while searches are running: they finish on the table they started on.
import { describe, expect, it } from "vitest";
import { openSearchSession } from "../../src/pipeline/search-repo.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("SearchSession.reload", () => {
  it("answers searches running across two reloads as it would alone, and serves later ones from the reopened table", { timeout: 60_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const session = await openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true });
    const request = { limit: 10, mode: "lexical" as const, filters: {} };
    const alone = (await session.search("scale value clamp", request)).map((h) => h.chunk.id);

    const running = Array.from({ length: 12 }, () => session.search("scale value clamp", request));
    const reloads = [session.reload(), session.reload()];
    const answers = await Promise.all(running);
    await Promise.all(reloads);
    expect(answers.map((hits) => hits.map((h) => h.chunk.id))).toEqual(Array.from({ length: 12 }, () => alone));
    expect((await session.search("scale value clamp", request)).map((h) => h.chunk.id)).toEqual(alone);
    expect((await session.entitiesOfFile("pkg/mod_3.py")).map((e) => e.name)).toEqual(["f_3_0", "f_3_1", "f_3_2", "f_3_3", "f_3_4", "f_3_5"]);
    await session.close();
  });
});
