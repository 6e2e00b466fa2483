// `codesearch watch` as a user runs it: the built CLI in a child process, JSON lines and plain lines, Ctrl-C.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../../src/model/watch-events.js";
import type { WatchRecord } from "../../src/store/index.js";
import { snapshotFromScratch, snapshotIndex, writeSyntheticRepo } from "../support/index-snapshot.js";
import { runCli, spawnCli } from "../support/run-cli.js";
import { TEST_MODEL_DIR, copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";
import { readLockHolder } from "../../src/store/index-lock.js";

/** Polls `codesearch status --json` (another process) until its watcher satisfies `done`. */
async function waitForWatcher(repo: string, done: (watcher: WatchRecord) => boolean): Promise<WatchRecord> {
  for (;;) {
    const watcher = JSON.parse((await runCli(["status", "--json"], { cwd: repo })).stdout).watcher as WatchRecord | null;
    if (watcher && done(watcher)) return watcher;
    await sleep(100);
  }
}

const isEvent = (type: WatchEvent["type"]) => (line: string) => line.startsWith("{") && (JSON.parse(line) as WatchEvent).type === type;

describe("codesearch watch", () => {
  it("prints each refresh as JSON, finds the edited function, and exits 0 on Ctrl-C releasing the lock", { timeout: 90_000 }, async () => {
    const repo = await copyPythonFixtures();
    const spawnedAt = Date.now();
    const watch = spawnCli(["watch", ".", "--model", TEST_MODEL_DIR, "--json", "--debounce", "200"], { cwd: repo });
    const first = JSON.parse(await watch.waitForLine(isEvent("refresh-finished"))) as Extract<WatchEvent, { type: "refresh-finished" }>;
    expect(first.summary.filesIndexed).toBeGreaterThan(0);

    const next = watch.waitForLine(isEvent("refresh-finished"));
    await writeFile(path.join(repo, "shop", "loyalty.py"), 'def loyalty_points(total):\n    """Points earned for a purchase."""\n    return int(total // 10)\n');
    const second = JSON.parse(await next) as Extract<WatchEvent, { type: "refresh-finished" }>;
    expect(second.summary).toMatchObject({ filesIndexed: 1, chunksEmbedded: 1, chunksStored: first.summary.chunksStored + 1 });

    const search = await runCli(["search", "loyalty points", "--mode", "lexical", "--json", "-n", "1"], { cwd: repo });
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results[0]).toMatchObject({ file: "shop/loyalty.py", qualname: "loyalty_points" });

    // `status` in another process sees the watcher and its state.
    await waitForWatcher(repo, (w) => w.state.fresh);
    const status = await runCli(["status", "--json"], { cwd: repo });
    expect(JSON.parse(status.stdout).watcher).toMatchObject({ pid: watch.child.pid, state: { phase: "idle", fresh: true, watcherError: null, refreshCount: 2 } });
    expect((await runCli(["status"], { cwd: repo })).stdout).toMatch(/^watching {2}up to date \(pid \d+, since .*; last refresh /m);

    watch.child.kill("SIGINT");
    const exited = await watch.exited;
    const exitedAt = Date.now();
    expect(exited.code).toBe(0);
    const events = exited.stdout.trim().split("\n").map((l) => JSON.parse(l) as WatchEvent);
    expect(events.map((e) => e.type)).toEqual([
      "watch-started", "refresh-started", "refresh-finished", "refresh-started", "refresh-finished", "watch-stopped",
    ]);
    // Each event carries its wall-clock time (ms since the Unix epoch), within the process's life.
    expect(events.every((e) => e.atMs >= spawnedAt && e.atMs <= exitedAt)).toBe(true);
    expect(await readLockHolder(path.join(repo, ".codesearch"))).toBeNull();
    expect(JSON.parse((await runCli(["status", "--json"], { cwd: repo })).stdout).watcher).toBeNull();
  });

  it.each([[[]], [["--plain"]]])("prints plain lines on stderr when piped (extra flags %j)", { timeout: 60_000 }, async (extra: string[]) => {
    const repo = await copyPythonFixtures();
    const watch = spawnCli(["watch", "--model", TEST_MODEL_DIR, ...extra], { cwd: repo });
    const line = await watch.waitForLine((l) => l.includes("up to date:"), "stderr");
    expect(line).toMatch(/^\d\d:\d\d:\d\d up to date: \d+ files indexed, 0 removed; \d+ entities embedded, 0 from cache; \d+ rows \(/);
    watch.child.kill("SIGTERM");
    const exited = await watch.exited;
    expect(exited.code).toBe(0);
    expect(exited.stderr).toMatch(/^watching .* \(1 ignored directory not watched\); Ctrl-C stops\n/);
    expect(exited.stdout).toBe("");
  });

  it("after kill -9 mid-refresh, the next watch completes the index exactly", { timeout: 120_000 }, async () => {
    const repo = await makeTempDir();
    await writeSyntheticRepo(repo, 40, 8);
    const args = ["watch", ".", "--model", TEST_MODEL_DIR, "--json", "--batch-size", "4"];
    const first = spawnCli(args, { cwd: repo });
    await first.waitForLine(isEvent("refresh-started"));
    // Into the first refresh: rows are being stored (the table folder exists) and the run still
    // holds the lock, so its commit (and calibration) have not happened. Polled, not slept: the
    // whole refresh takes about a second.
    const indexDir = path.join(repo, ".codesearch");
    for (let i = 0; i < 1500 && !(existsSync(path.join(indexDir, "entities.lance")) && existsSync(path.join(indexDir, "index.lock"))); i++) await sleep(20);
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(existsSync(path.join(repo, ".codesearch", "index.lock"))).toBe(true); // left behind by the dead process
    // The dead watcher's record is left too, and `status` does not report a watcher that is gone.
    expect(existsSync(path.join(repo, ".codesearch", "watch.json"))).toBe(true);
    expect(JSON.parse((await runCli(["status", "--json"], { cwd: repo })).stdout).watcher).toBeNull();

    const second = spawnCli(args, { cwd: repo });
    const done = JSON.parse(await second.waitForLine(isEvent("refresh-finished"))) as Extract<WatchEvent, { type: "refresh-finished" }>;
    expect(done.summary).toMatchObject({ chunksStored: 320, stopReason: null, failures: [] });
    second.child.kill("SIGINT");
    expect((await second.exited).code).toBe(0);
    expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
  });
});
