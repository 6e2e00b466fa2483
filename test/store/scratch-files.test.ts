// Scratch files live in the index's state folder, named for their process, and the next index run
// sweeps what killed processes left (issue 19, item 14).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { WatchState } from "../../src/model/watch-events.js";
import { SCRATCH_DIR, makeScratchFolder, scratchFilePath, sweepScratch } from "../../src/store/scratch-files.js";
import { WATCH_RECORD_FILE, readWatchRecord, writeWatchRecord } from "../../src/store/watch-record.js";
import { indexInProcess } from "../support/index-in-process.js";
import { writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli, spawnCli } from "../support/run-cli.js";
import { PROJECT_ROOT, TEST_MODEL_DIR, makeTempDir } from "../support/temp-dirs.js";

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

/** What a kill -9 leaves: a dead watcher's temp record and calibration folder, and old-style atomic-write temps. */
async function leaveLeftovers(indexDir: string): Promise<void> {
  const dead = await deadPid();
  await mkdir(path.join(indexDir, SCRATCH_DIR, `${dead}-calibration-x1y2z3`, "entities.lance"), { recursive: true });
  await writeFile(path.join(indexDir, SCRATCH_DIR, `${dead}-calibration-x1y2z3`, "entities.lance", "data"), "x");
  await writeFile(path.join(indexDir, SCRATCH_DIR, `${dead}-${WATCH_RECORD_FILE}`), "{");
  await writeFile(path.join(indexDir, SCRATCH_DIR, "no-pid-here"), "");
  await writeFile(path.join(indexDir, `${WATCH_RECORD_FILE}.3735928559`), "{");
  await writeFile(path.join(indexDir, "manifest.json.12345"), "{");
  await writeFile(path.join(indexDir, "catalog.json.678"), "{");
  await writeFile(path.join(indexDir, "embedding-cache", "current.json.9"), "{");
}

describe("scratch files", () => {
  it("sweepScratch removes what dead processes left and keeps a live process's files", async () => {
    const indexDir = await makeTempDir();
    await mkdir(path.join(indexDir, "embedding-cache"));
    await leaveLeftovers(indexDir);
    const mine = await makeScratchFolder(indexDir, "calibration");
    expect(path.basename(mine)).toMatch(new RegExp(`^${process.pid}-calibration-`));
    const myRecord = await scratchFilePath(indexDir, WATCH_RECORD_FILE);
    await writeFile(myRecord, "{}");
    await writeFile(path.join(indexDir, "manifest.json"), "{}");

    expect(await sweepScratch(indexDir, path.join(indexDir, "embedding-cache"))).toBe(7);
    expect((await readdir(path.join(indexDir, SCRATCH_DIR))).sort()).toEqual([path.basename(mine), path.basename(myRecord)].sort());
    expect((await readdir(indexDir)).sort()).toEqual(["embedding-cache", "manifest.json", SCRATCH_DIR]);
    expect(await readdir(path.join(indexDir, "embedding-cache"))).toEqual([]);
    // Nothing to sweep: no error, nothing removed.
    expect(await sweepScratch(path.join(indexDir, "missing"), path.join(indexDir, "missing"))).toBe(0);
  });

  it("a watcher's record is written through its own scratch file, which leaves nothing behind", async () => {
    const stateDir = await makeTempDir();
    const state: WatchState = { fresh: true, phase: "idle", watcherError: null, pendingSince: null, lastRefresh: null, refreshCount: 0 };
    await writeWatchRecord(stateDir, new Date().toISOString(), state);
    await writeWatchRecord(stateDir, new Date().toISOString(), state);
    expect((await readWatchRecord(stateDir))!.pid).toBe(process.pid);
    expect((await readdir(stateDir)).sort()).toEqual([SCRATCH_DIR, WATCH_RECORD_FILE]);
    expect(await readdir(path.join(stateDir, SCRATCH_DIR))).toEqual([]);
  });

  it("the next index run sweeps what killed runs and watchers left in the index folder", async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 2, 3);
    await indexInProcess(repo);
    const indexDir = path.join(repo, ".codesearch");
    await leaveLeftovers(indexDir);
    await writeFile(path.join(repo, "pkg", "mod_0.py"), "def changed():\n    return 1\n");
    await indexInProcess(repo);
    expect(await readdir(path.join(indexDir, SCRATCH_DIR))).toEqual([]);
    expect((await readdir(indexDir)).filter((name) => /\.json\.\d+$/.test(name))).toEqual([]);
    expect(await readdir(path.join(indexDir, "embedding-cache"))).not.toContain("current.json.9");
  });

  it("a run killed during calibration leaves its scratch table in the index folder, never in $TMPDIR, and the next run removes it", { timeout: 180_000 }, async () => {
    const repo = await makeTempDir("codesearch-documented-");
    await cp(path.join(PROJECT_ROOT, "fixtures", "documented", "click"), path.join(repo, "click"), { recursive: true });
    const tmp = await makeTempDir("codesearch-tmpdir-");
    const scratch = path.join(repo, ".codesearch", SCRATCH_DIR);
    const args = ["index", ".", "--model", TEST_MODEL_DIR, "--json"];
    const run = spawnCli(args, { cwd: repo, env: { TMPDIR: tmp } });
    const calibrating = async (): Promise<boolean> => (await readdir(scratch).catch(() => [])).some((name) => name.includes("-calibration-"));
    const tmpLeftovers = async (): Promise<string[]> => (await readdir(tmp)).filter((name) => name.startsWith("codesearch-calibration-"));
    let seen = false;
    let seenInTmp: string[] = [];
    while (run.child.exitCode === null && !seen) {
      seenInTmp = [...seenInTmp, ...(await tmpLeftovers())];
      seen = await calibrating();
      if (!seen) await sleep(5);
    }
    if (seen) run.child.kill("SIGKILL");
    const killed = await run.exited;
    expect(seenInTmp).toEqual([]);
    expect(seen, `calibration's scratch folder never appeared in ${scratch}; the run ended ${killed.code ?? killed.signal}: ${killed.stderr}`).toBe(true);
    expect(killed.signal).toBe("SIGKILL");
    expect(await tmpLeftovers()).toEqual([]);
    expect(await calibrating()).toBe(true);

    const next = await runCli(args, { cwd: repo, env: { TMPDIR: tmp } });
    expect(next.code, next.stderr).toBe(0);
    expect(await readdir(scratch)).toEqual([]);
    expect(await tmpLeftovers()).toEqual([]);
    expect(existsSync(path.join(repo, ".codesearch", "manifest.json"))).toBe(true);
    expect(JSON.parse(await readFile(path.join(repo, ".codesearch", "manifest.json"), "utf8")).fusion.calibrated).toBe(true);
  });
});
