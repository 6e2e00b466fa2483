// A watcher runs an index refresh per burst of edits for days: each must give back what it opened (issue 19, item 15).
import { describe, expect, it } from "vitest";
import { runWatchRefreshes } from "../support/watch-refreshes.js";
import { makeTempDir } from "../support/temp-dirs.js";

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe("a watcher's file descriptors across refreshes (real process)", () => {
  it("20 refreshes leave the watcher with no more open descriptors than after its first few", { timeout: 180_000 }, async () => {
    const { samples, failed, stderr } = await runWatchRefreshes(await makeTempDir(), 20);
    expect(failed, stderr).toBe(0);
    // Medians of five: a sample can land while a descriptor is briefly open (the watch record's
    // write, LanceDB's I/O threads finishing), e.g. 38 at one refresh and 29 at the next. A leak of
    // one per refresh (the issue's) adds 15 between the two windows.
    const of = (from: number, to: number) => median(samples.filter((s) => s.refresh >= from && s.refresh <= to).map((s) => s.descriptors));
    expect(of(16, 20), samples.map((s) => s.descriptors).join(" ")).toBeLessThanOrEqual(of(2, 6));
  });
});
