// Issue 19, items 6, 8 and 9: a session follows each commit by its generation (a rebuild may commit
// the same table version number again), a manifest and catalog naming different commits are damage
// for search exactly as for status, and bit rot that keeps size and mtime is found before anything reads it.
process.env.LANCEDB_LOG = "error";

import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { IndexDamagedError } from "../../src/model/errors.js";
import { readIndexStatus } from "../../src/pipeline/index-status.js";
import { openSearchSession, type SearchSession } from "../../src/pipeline/search-repo.js";
import { readCatalog, readManifest } from "../../src/store/index.js";
import { indexInProcess } from "../support/index-in-process.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { rotDataFile } from "../support/table-damage.js";
import { makeTempDir } from "../support/temp-dirs.js";

const openSession = (repo: string, residentEntities = false) =>
  openSearchSession({ cwd: repo, repoRoot: repo, modelCacheDir: "/nonexistent", offline: true, residentEntities });

/** Names of the hits of `query` in `mode`. */
async function names(session: SearchSession, query: string, mode: "lexical" | "vector" | "hybrid"): Promise<string[]> {
  return (await session.search(query, { limit: 50, mode, filters: {}, ...(mode === "hybrid" ? { vectorWeight: 1 } : {}) })).map((h) => h.chunk.name);
}

/** Renames every function of module 5 (`f_5_j` → `renamed_5_j`), so a rebuilt index holds rows the old one did not. */
async function renameModule5(repo: string): Promise<void> {
  const file = path.join(repo, "pkg", "mod_5.py");
  await writeFile(file, (await readFile(file, "utf8")).replaceAll("def f_5_", "def renamed_5_"));
}

describe("commit generations", () => {
  it("a rebuild that commits the same table version again is followed by open sessions (LanceDB and resident)", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const indexDir = path.join(repo, ".codesearch");
    const first = (await readManifest(indexDir))!;
    expect(first.generation).toMatch(/^[0-9a-f-]{36}$/);
    expect((await readCatalog(indexDir)).table).toMatchObject({ version: first.tableVersion, generation: first.generation });

    const plain = await openSession(repo);
    const resident = await openSession(repo, true);
    try {
      await resident.preload();
      expect(resident.residentEntityCount).toBe(72);
      expect(await names(plain, "f_5_2", "lexical")).toContain("f_5_2");
      expect(await names(resident, "scale value 2 of module 5", "vector")).toContain("f_5_2");

      await renameModule5(repo);
      await indexInProcess(repo, { rebuild: true });
      const rebuilt = (await readManifest(indexDir))!;
      expect(rebuilt.generation).not.toBe(first.generation);

      for (const session of [plain, resident]) {
        expect(await names(session, "renamed_5_2", "lexical")).toContain("renamed_5_2");
        const vector = await names(session, "scale value 2 of module 5", "vector");
        expect(vector).toContain("renamed_5_2");
        expect(vector).not.toContain("f_5_2");
        expect(await names(session, "clamp it to the limit", "hybrid")).not.toContain("f_5_0");
        expect(session.manifest.generation).toBe(rebuilt.generation);
      }
      await resident.preload();
      expect(resident.residentEntityCount).toBe(72);
      expect((await resident.search("scale value 2 of module 5", { limit: 50, mode: "vector", filters: {} })).map((h) => h.chunk.name)).not.toContain("f_5_2");
    } finally {
      await plain.close();
      await resident.close();
    }
  });

  it("a manifest naming the version before the committed one: status reports damage and search refuses", { timeout: 60_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const manifestFile = path.join(repo, ".codesearch", "manifest.json");
    const manifest = JSON.parse(await readFile(manifestFile, "utf8")) as { tableVersion: number };
    await writeFile(manifestFile, JSON.stringify({ ...manifest, tableVersion: manifest.tableVersion - 1 }));

    const status = await readIndexStatus({ cwd: repo, repoRoot: repo });
    expect(status.damage.join("\n")).toContain(`the manifest names table version ${manifest.tableVersion - 1}`);
    await expect(openSession(repo)).rejects.toBeInstanceOf(IndexDamagedError);
  });

  it("a manifest one commit behind its catalog (a run between its two commit writes) is sound: searches answer from the manifest's commit", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const manifestFile = path.join(repo, ".codesearch", "manifest.json");
    const before = await readFile(manifestFile, "utf8");
    await renameModule5(repo);
    await indexInProcess(repo);
    const catalog = await readCatalog(path.join(repo, ".codesearch"));
    expect(catalog.table?.previous).toEqual({ version: JSON.parse(before).tableVersion, generation: JSON.parse(before).generation });
    await writeFile(manifestFile, before);

    expect((await readIndexStatus({ cwd: repo, repoRoot: repo })).damage).toEqual([]);
    const session = await openSession(repo);
    try {
      expect(await names(session, "f_5_2", "lexical")).toContain("f_5_2");
    } finally {
      await session.close();
    }
  });

  it("bit rot that keeps size and mtime: status and search refuse without reading the file; the next index run repairs it", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 12, 6);
    await indexInProcess(repo);
    const name = await rotDataFile(repo, 16);

    expect((await readIndexStatus({ cwd: repo, repoRoot: repo })).damage.join("\n")).toContain(`changed after they were written: data/${name}`);
    await expect(openSession(repo)).rejects.toBeInstanceOf(IndexDamagedError);
    const { events } = await indexInProcess(repo);
    expect(events.find((e) => e.type === "plan-ready")).toMatchObject({ fullRebuildReason: expect.stringContaining("changed after they were written") });
    const session = await openSession(repo);
    try {
      expect(await names(session, "f_5_2", "lexical")).toContain("f_5_2");
    } finally {
      await session.close();
    }
  });
});
