// The debounce and coalescing rules of the refresh scheduler, on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RefreshReason } from "../../src/model/watch-events.js";
import { RefreshScheduler } from "../../src/watch/refresh-scheduler.js";

/** A run that records its arguments and finishes when the test says so. */
function controllableRun() {
  const calls: { reason: RefreshReason; changedPaths: number }[] = [];
  let finish: (() => void) | null = null;
  const run = (reason: RefreshReason, changedPaths: number): Promise<void> => {
    calls.push({ reason, changedPaths });
    return new Promise((resolve) => (finish = resolve));
  };
  return { calls, run, finish: () => finish?.() };
}

describe("RefreshScheduler", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("coalesces a burst into one run after the quiet time", async () => {
    const r = controllableRun();
    const s = new RefreshScheduler(r.run, { debounceMs: 500, maxWaitMs: 5000 });
    for (let i = 0; i < 20; i++) {
      s.noteChanges(100);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(r.calls).toEqual([]);
    expect(s.hasPending).toBe(true);
    await vi.advanceTimersByTimeAsync(400);
    expect(r.calls).toEqual([{ reason: "changes", changedPaths: 2000 }]);
    r.finish();
    await s.whenIdle();
    expect(s.hasPending).toBe(false);
  });

  it("runs once more when changes arrive during a run, never two at a time", async () => {
    const r = controllableRun();
    const s = new RefreshScheduler(r.run, { debounceMs: 500 });
    s.startNow();
    s.noteChanges(1);
    await vi.advanceTimersByTimeAsync(2000);
    s.noteChanges(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.calls).toEqual([{ reason: "start", changedPaths: 0 }]);
    r.finish();
    await vi.advanceTimersByTimeAsync(500);
    expect(r.calls).toEqual([
      { reason: "start", changedPaths: 0 },
      { reason: "changes", changedPaths: 3 },
    ]);
    r.finish();
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.calls).toHaveLength(2);
  });

  it("starts by the longest wait when changes never pause", async () => {
    const r = controllableRun();
    const s = new RefreshScheduler(r.run, { debounceMs: 500, maxWaitMs: 2000 });
    for (let i = 0; i < 25; i++) {
      s.noteChanges(1);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(r.calls).toEqual([{ reason: "changes", changedPaths: 20 }]);
  });

  it("runs a request without the debounce, after the run in flight", async () => {
    const r = controllableRun();
    const s = new RefreshScheduler(r.run, { debounceMs: 500 });
    s.requestNow();
    s.requestNow();
    expect(r.calls).toEqual([{ reason: "requested", changedPaths: 0 }]);
    r.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.calls).toHaveLength(2);
    r.finish();
    await s.whenIdle();
    await s.close();
    s.noteChanges(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.calls).toHaveLength(2);
  });
});
