// Issue 19 item 15 / issue 22: what incremental runs leave in the entity table's folder. Many
// back-to-back runs must not pile up table versions (each run's cleanup keeps only the versions
// readers may be on, and no empty index folders stay behind), and a one-file run must write data
// rows for that file, not the whole table.
process.env.LANCEDB_LOG = "error";

import * as lancedb from "@lancedb/lancedb";
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ENTITY_TABLE } from "../../src/store/entity-table.js";
import { readCatalog } from "../../src/store/file-catalog.js";
import { PRUNE_AT_VERSIONS } from "../../src/store/table-maintenance.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { indexInProcess } from "../support/index-in-process.js";
import { makeTempDir } from "../support/temp-dirs.js";

/** Versions the entity table lists, and its latest version number (versions ever made). */
async function versionCount(indexDir: string): Promise<{ listed: number; latest: number }> {
  const db = await lancedb.connect(indexDir);
  const table = await db.openTable(ENTITY_TABLE);
  try {
    return { listed: (await table.listVersions()).length, latest: await table.version() };
  } finally {
    table.close();
    db.close();
  }
}

const editModule = (repo: string, i: number) =>
  writeFile(path.join(repo, "pkg", `mod_${i % 4}.py`), `def edited_${i % 4}(x):\n    """Edit ${i}."""\n    return x * ${i}\n`);

/**
 * The grace a superseded commit stays readable, shortened from 60 s so that a test's few dozen
 * runs outlive it (LanceDB's cleanup goes by its own clock, so the test cannot move time instead).
 */
const { GRACE_MS } = vi.hoisted(() => ({ GRACE_MS: 3_000 }));
vi.mock("../../src/store/table-snapshot.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../src/store/table-snapshot.js")>()),
  KEEP_SUPERSEDED_VERSIONS_MS: GRACE_MS,
}));

describe("entity table versions across incremental runs", () => {
  it("stay bounded over back-to-back one-file runs: versions superseded longer than the grace are removed", { timeout: 300_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 4, 6);
    const indexDir = path.join(repo, ".codesearch");
    await indexInProcess(repo);
    const versions: number[] = [];
    const started = Date.now();
    // At least 30 runs, and long enough that the first runs' commits outlive the grace several
    // times over, however fast the machine runs them.
    let runs = 0;
    let latest = 0;
    const endedAt: number[] = [];
    while (runs < 30 || (Date.now() - started < 4 * (GRACE_MS + 2_000) && runs < 300)) {
      runs++;
      await editModule(repo, runs);
      await indexInProcess(repo);
      const count = await versionCount(indexDir);
      versions.push(count.listed);
      latest = count.latest;
      endedAt.push(Date.now());
    }
    // The most runs that ended within one grace (plus the cleanup's 2 s slack) of each other: their
    // commits may all still be kept, however unevenly fast the runs were.
    const window = GRACE_MS + 2_000;
    const runsPerGrace = Math.max(...endedAt.map((end, i) => endedAt.slice(0, i + 1).filter((t) => end - t <= window).length));
    const indices = path.join(indexDir, `${ENTITY_TABLE}.lance`, "_indices");
    const folders = await readdir(indices);
    const emptyFolders = (await Promise.all(folders.map(async (f) => (await readdir(path.join(indices, f))).length === 0))).filter(Boolean).length;
    const files = (await readdir(path.join(indexDir, `${ENTITY_TABLE}.lance`), { recursive: true })).length;
    const catalogFiles = Object.keys((await readCatalog(indexDir)).table?.files ?? {}).length;
    console.log(`table versions after each of ${runs} runs: ${versions.join(" ")}; files ${files}, recorded ${catalogFiles}; index folders ${folders.length}, empty ${emptyFolders}`);
    // Kept: the commits of the last grace, the versions within the cleanup's 2 s slack before them, and
    // what piles up between two cleanups (PRUNE_AT_VERSIONS); before the fix every version stayed.
    const perRun = Math.max(...versions.slice(1).map((v, i) => v - versions[i]!));
    const bound = (runsPerGrace + 2) * perRun + PRUNE_AT_VERSIONS;
    expect(Math.max(...versions.slice(Math.floor(runs / 2)))).toBeLessThanOrEqual(bound);
    // Versions were removed: the table lists far fewer than it ever made.
    expect(versions.at(-1)!).toBeLessThan(latest / 2);
    // LanceDB's cleanup leaves the folders of the indexes it removed; each cleanup is followed by their removal.
    expect(emptyFolders).toBe(0);
  });
});

describe("a one-file run's writes", () => {
  /** Data bytes three one-file runs in a row added to the table folder, and the bytes of the data files they kept. */
  async function newDataBytesOfEdits(modules: number): Promise<{ added: number; table: number }> {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, modules, 6);
    const indexDir = path.join(repo, ".codesearch");
    await indexInProcess(repo);
    const before = (await readCatalog(indexDir)).table?.files ?? {};
    for (const i of [1, 2, 3]) {
      await editModule(repo, i);
      await indexInProcess(repo);
    }
    const after = (await readCatalog(indexDir)).table?.files ?? {};
    const data = Object.entries(after).filter(([name]) => name.startsWith("data/"));
    return {
      added: data.filter(([name]) => !(name in before)).reduce((n, [, f]) => n + f.sizeBytes, 0),
      table: data.filter(([name]) => name in before).reduce((n, [, f]) => n + f.sizeBytes, 0),
    };
  }

  it("add data files the size of the change, whatever the table's size (no compaction, which rewrites the table, at every write)", { timeout: 300_000 }, async () => {
    const small = await newDataBytesOfEdits(10);
    const large = await newDataBytesOfEdits(100);
    console.log(`data bytes written by three one-file runs: ${small.added} (table of 60 rows, ${small.table} bytes), ${large.added} (600 rows, ${large.table} bytes)`);
    expect(large.table).toBeGreaterThan(5 * small.table);
    expect(large.added).toBeLessThan(2 * small.added);
    expect(large.added).toBeLessThan(large.table / 10);
  });
});
