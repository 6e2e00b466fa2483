// Watch mode on real temp repositories with the real watcher, LanceDB and the test model: each kind
// of edit becomes one incremental run, and the table afterwards equals a from-scratch index.
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { RefreshFinishedEvent, WatchEvent } from "../../src/model/watch-events.js";
import { acquireIndexLock } from "../../src/store/index-lock.js";
import { snapshotFromScratch, snapshotIndex } from "../support/index-snapshot.js";
import { copyPythonFixtures, makeTempDir } from "../support/temp-dirs.js";
import { startWatchSession } from "../support/watch-session.js";

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString();

async function expectExactIndex(repo: string): Promise<void> {
  expect(await snapshotIndex(path.join(repo, ".codesearch"))).toEqual(await snapshotFromScratch(repo));
}

function summaryOf(event: WatchEvent): RefreshFinishedEvent["summary"] {
  if (event.type !== "refresh-finished") throw new Error(`expected refresh-finished, got ${JSON.stringify(event)}`);
  return event.summary;
}

describe("watchRepo", () => {
  it("turns an add, edit, delete, rename and atomic save each into one incremental run with an exact table", { timeout: 120_000 }, async () => {
    const repo = await copyPythonFixtures();
    const session = await startWatchSession(repo);
    expect(summaryOf(await session.refreshEnded(0)).filesIndexed).toBeGreaterThan(0);
    await session.watcher.whenIdle();
    expect(session.watcher.state()).toMatchObject({ fresh: true, phase: "idle", watcherError: null, pendingSince: null });

    const added = path.join(repo, "shop", "loyalty.py");
    let runs = await session.afterEdit(() => writeFile(added, 'def loyalty_points(total):\n    """Points earned for a purchase."""\n    return int(total // 10)\n'));
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);

    runs = await session.afterEdit(async () => writeFile(added, (await readFile(added, "utf8")).replace("// 10", "// 5")));
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);

    runs = await session.afterEdit(() => rename(added, path.join(repo, "shop", "points.py")));
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);

    // An editor's atomic save: write a temp file beside the target, then rename it over the target.
    const target = path.join(repo, "shop", "points.py");
    runs = await session.afterEdit(async () => {
      await writeFile(`${target}.tmp~`, 'def loyalty_points(total, rate=10):\n    """Points earned, at a rate."""\n    return int(total // rate)\n');
      await rename(`${target}.tmp~`, target);
    });
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);

    runs = await session.afterEdit(() => rm(target));
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);
    expect(session.watcher.state().fresh).toBe(true);
  });

  it("turns a git checkout that touches 2,000 files into one run with an exact table", { timeout: 180_000 }, async () => {
    const repo = await makeTempDir("codesearch-checkout-");
    await mkdir(path.join(repo, "pkg"));
    await writeFile(path.join(repo, "pkg", "core.py"), "def core():\n    return 0\n");
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "main");
    git(repo, "checkout", "-q", "-b", "feature");
    for (let d = 0; d < 40; d++) {
      await mkdir(path.join(repo, "gen", `d${d}`), { recursive: true });
      for (let f = 0; f < 50; f++) await writeFile(path.join(repo, "gen", `d${d}`, `m${f}.py`), `def gen_${d}_${f}(x):\n    return x + ${f}\n`);
    }
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "2,000 generated modules");
    git(repo, "checkout", "-q", "main");

    const session = await startWatchSession(repo, { debounceMs: 500 });
    await session.refreshEnded(0);
    await session.watcher.whenIdle();
    const from = session.events.length;
    const runs = await session.afterEdit(async () => git(repo, "checkout", "-q", "feature"), 2000);
    expect(runs).toEqual([expect.objectContaining({ reason: "changes" })]);
    const summary = summaryOf(session.events.slice(from).find((e) => e.type === "refresh-finished")!);
    expect(summary.filesIndexed).toBe(2000);
    expect(summary.chunksStored).toBe(2001);
    await expectExactIndex(repo);

    const back = await session.afterEdit(async () => git(repo, "checkout", "-q", "main"), 2000);
    expect(back).toHaveLength(1);
    await expectExactIndex(repo);
  });

  it("leaves ignored trees unwatched, and follows a .gitignore edit", { timeout: 60_000 }, async () => {
    const repo = await copyPythonFixtures(); // its .gitignore ignores build/
    await mkdir(path.join(repo, "vendor"));
    const session = await startWatchSession(repo, { exclude: ["vendor/"] });
    const started = session.events.find((e) => e.type === "watch-started");
    expect(started).toMatchObject({ unwatchedDirs: expect.arrayContaining(["build", "vendor"]) });
    await session.refreshEnded(0);
    await session.watcher.whenIdle();

    const from = session.events.length;
    await writeFile(path.join(repo, "build", "generated.py"), "def generated():\n    pass\n");
    await writeFile(path.join(repo, "vendor", "lib.py"), "def vendored():\n    pass\n");
    await writeFile(path.join(repo, "notes.txt"), "not Python\n");
    await sleep(1500);
    expect(session.refreshesSince(from)).toEqual([]);
    await rm(path.join(repo, "vendor"), { recursive: true }); // the from-scratch index below has no --exclude

    // Un-ignoring build/ re-subscribes with the new rules and indexes what it holds.
    const runs = await session.afterEdit(() => writeFile(path.join(repo, ".gitignore"), "# nothing ignored\n"));
    expect(runs).toHaveLength(1);
    await expectExactIndex(repo);
    const again = await session.afterEdit(() => writeFile(path.join(repo, "build", "generated.py"), "def generated(x):\n    return x\n"));
    expect(again).toHaveLength(1);
    await expectExactIndex(repo);
  });

  it("waits for an index run holding the writer lock instead of failing, and is not fresh meanwhile", { timeout: 60_000 }, async () => {
    const repo = await copyPythonFixtures();
    const session = await startWatchSession(repo);
    await session.refreshEnded(0);
    await session.watcher.whenIdle();

    const lock = await acquireIndexLock(path.join(repo, ".codesearch"));
    const from = session.events.length;
    await writeFile(path.join(repo, "shop", "late.py"), "def late_fee(days):\n    return days * 2\n");
    while (!session.indexEvents.some((e) => e.type === "lock-waiting")) await sleep(50);
    expect(session.watcher.state()).toMatchObject({ fresh: false, phase: "refreshing" });
    await lock.release();
    expect((await session.refreshEnded(from)).type).toBe("refresh-finished");
    await session.watcher.whenIdle();
    expect(session.watcher.state().fresh).toBe(true);
    await expectExactIndex(repo);
  });
});
