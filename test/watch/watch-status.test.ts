// The watcher's state on its own: which phase wins, when it is fresh, and the record other
// processes read (written when it changes, latest last, nothing after stop).
import { describe, expect, it } from "vitest";
import { readWatchRecord } from "../../src/store/index.js";
import { WatchRecordPublisher, WatchStatus, type SchedulerView } from "../../src/watch/watch-status.js";
import { makeTempDir } from "../support/temp-dirs.js";

const quiet: SchedulerView = { isRunning: false, hasPending: false, pendingSince: null };

describe("WatchStatus", () => {
  it("is fresh only when idle after a successful refresh", () => {
    const status = new WatchStatus();
    expect(status.state(quiet, null)).toMatchObject({ phase: "starting", fresh: false, refreshCount: 0 });
    status.phase = "idle";
    expect(status.state(quiet, null).fresh).toBe(false);
    status.refreshEnded({ finishedAt: "2026-12-08T00:00:00.000Z", durationMs: 5, ok: true });
    expect(status.state(quiet, null)).toMatchObject({ phase: "idle", fresh: true, refreshCount: 1 });
    status.refreshEnded({ finishedAt: "2026-12-08T00:00:01.000Z", durationMs: 5, ok: false, error: "disk full" });
    expect(status.state(quiet, null)).toMatchObject({ fresh: false, refreshCount: 2, lastRefresh: { ok: false, error: "disk full" } });
  });

  it("orders phases: stopped, then failed, then refreshing, then pending, then its own", () => {
    const status = new WatchStatus();
    status.phase = "idle";
    status.refreshEnded({ finishedAt: "2026-12-08T00:00:00.000Z", durationMs: 5, ok: true });
    const pending: SchedulerView = { isRunning: false, hasPending: true, pendingSince: Date.parse("2026-12-08T00:00:02.000Z") };
    const running: SchedulerView = { ...pending, isRunning: true };
    expect(status.state(pending, null)).toMatchObject({ phase: "pending", fresh: false, pendingSince: "2026-12-08T00:00:02.000Z" });
    expect(status.state(running, null).phase).toBe("refreshing");
    expect(status.state(running, "EMFILE")).toMatchObject({ phase: "failed", watcherError: "EMFILE", fresh: false });
    status.phase = "stopped";
    expect(status.state(running, "EMFILE").phase).toBe("stopped");
  });
});

describe("WatchRecordPublisher", () => {
  it("writes the latest state last, and nothing once stopped", async () => {
    const stateDir = await makeTempDir();
    const status = new WatchStatus();
    const publisher = new WatchRecordPublisher(stateDir, "2026-12-08T00:00:00.000Z", () => status.state(quiet, null));
    status.phase = "idle";
    for (let i = 0; i < 5; i++) {
      status.refreshEnded({ finishedAt: "2026-12-08T00:00:00.000Z", durationMs: i, ok: true });
      publisher.publish();
    }
    await publisher.whenWritten();
    expect((await readWatchRecord(stateDir))?.state).toMatchObject({ phase: "idle", refreshCount: 5, lastRefresh: { durationMs: 4 } });
    status.refreshEnded({ finishedAt: "2026-12-08T00:00:00.000Z", durationMs: 9, ok: true });
    publisher.publish();
    await publisher.stop();
    expect((await readWatchRecord(stateDir))?.state.refreshCount).toBe(5);
  });
});
