// A watcher that cannot follow the tree says so plainly and never claims the index is fresh.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WatcherError } from "../../src/model/errors.js";
import { breakableSubscribe, errnoError, refusingSubscribe } from "../support/failing-watcher.js";
import { copyPythonFixtures } from "../support/temp-dirs.js";
import { startWatchSession } from "../support/watch-session.js";

describe("watcher failures", () => {
  it("refuses to start with a WatcherError naming the inotify limit when the tree cannot be watched", async () => {
    const repo = await copyPythonFixtures();
    const error = await startWatchSession(repo, { subscribe: refusingSubscribe(errnoError("ENOSPC", "No space left on device")) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WatcherError);
    expect(error).toMatchObject({ errno: "ENOSPC", exitCode: 9 });
    expect((error as Error).message).toContain("fs.inotify.max_user_watches");
  });

  it("reports a later watch failure once, marks the state failed and never fresh, and still refreshes on request", { timeout: 60_000 }, async () => {
    const repo = await copyPythonFixtures();
    const backend = breakableSubscribe();
    const session = await startWatchSession(repo, { subscribe: backend.subscribe });
    await session.refreshEnded(0);
    await session.watcher.whenIdle();
    expect(session.watcher.state().fresh).toBe(true);

    backend.fail(errnoError("EMFILE", "too many open files"));
    backend.fail(errnoError("EMFILE", "too many open files"));
    const failures = session.events.filter((e) => e.type === "watcher-failed");
    expect(failures).toEqual([expect.objectContaining({ errno: "EMFILE", message: expect.stringContaining("too many open files") })]);
    expect(session.watcher.state()).toMatchObject({ fresh: false, phase: "failed", watcherError: expect.stringContaining("too many open files") });

    // Edits are no longer followed, but an explicit refresh still brings the index up to date.
    await writeFile(path.join(repo, "shop", "late.py"), "def late_fee(days):\n    return days * 2\n");
    const from = session.events.length;
    session.watcher.requestRefresh();
    expect(await session.refreshEnded(from)).toMatchObject({ type: "refresh-finished", summary: expect.objectContaining({ filesIndexed: 1 }) });
    await session.watcher.whenIdle();
    expect(session.watcher.state()).toMatchObject({ fresh: false, phase: "failed" });
  });
});
