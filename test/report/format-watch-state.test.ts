// formatWatchState: the one phrase `codesearch status` and the MCP status tool both use for a watcher.
import { describe, expect, it } from "vitest";
import type { WatchState } from "../../src/model/watch-events.js";
import { formatWatchState } from "../../src/report/index.js";

const IDLE: WatchState = { fresh: true, phase: "idle", watcherError: null, pendingSince: null, lastRefresh: null, refreshCount: 1 };

describe("formatWatchState", () => {
  it.each([
    [IDLE, "up to date"],
    [{ ...IDLE, phase: "starting", fresh: false }, "refreshing"],
    [{ ...IDLE, phase: "refreshing", fresh: false }, "refreshing"],
    [{ ...IDLE, phase: "pending", fresh: false, pendingSince: "2026-11-30T18:00:00.000Z" }, "stale since 2026-11-30T18:00:00.000Z, a refresh follows"],
    [{ ...IDLE, phase: "failed", fresh: false, watcherError: "ENOSPC: inotify watch limit\nreached" }, "stopped following edits: ENOSPC: inotify watch limit reached"],
    [{ ...IDLE, phase: "stopped", fresh: false }, "stopped following edits: the watcher stopped"],
    [
      { ...IDLE, fresh: false, lastRefresh: { finishedAt: "2026-11-30T18:00:01.000Z", durationMs: 40, ok: false, error: "index locked" } },
      "the last refresh failed: index locked",
    ],
  ] as [WatchState, string][])("%j → %s", (state, phrase) => {
    expect(formatWatchState(state)).toBe(phrase);
  });

  it("keeps a long reason to 160 characters", () => {
    const phrase = formatWatchState({ ...IDLE, phase: "failed", fresh: false, watcherError: "x".repeat(500) });
    expect(phrase.length).toBe("stopped following edits: ".length + 160);
    expect(phrase.endsWith("…")).toBe(true);
  });
});
