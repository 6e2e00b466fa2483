// A watcher runs an index refresh per burst of edits for days: each must give back what it opened (issue 19, item 15).
import { describe, expect, it } from "vitest";
import { runWatchRefreshes } from "../support/watch-refreshes.js";
import { makeTempDir } from "../support/temp-dirs.js";

describe("a watcher's file descriptors across refreshes (real process)", () => {
  it("20 refreshes leave the watcher with no more open descriptors than after its second", { timeout: 180_000 }, async () => {
    const { samples, failed, stderr } = await runWatchRefreshes(await makeTempDir(), 20);
    expect(failed, stderr).toBe(0);
    const after = (refresh: number) => samples.find((s) => s.refresh === refresh)!.descriptors;
    expect(after(20)).toBeLessThanOrEqual(after(2));
  });
});
