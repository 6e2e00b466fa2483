// The long watcher trial (issue 19, item 15): many refreshes in one `codesearch watch` process;
// open descriptors and resident memory must stay flat (within 10 %). Sized by
// WATCH_STRESS_REFRESHES (500); WATCH_STRESS_WARMUP (50) refreshes are run before the baseline.
import os from "node:os";
import { describe, expect, it } from "vitest";
import { runWatchRefreshes, type RefreshSample } from "../test/support/watch-refreshes.js";
import { makeTempDir } from "../test/support/temp-dirs.js";

const refreshes = Number(process.env.WATCH_STRESS_REFRESHES ?? 500);
const warmup = Number(process.env.WATCH_STRESS_WARMUP ?? 50);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe("watch refresh stress", () => {
  it(`${refreshes} refreshes: descriptors and RSS flat within 10 % after ${warmup} warm-up refreshes`, async () => {
    const { samples, failed, stderr } = await runWatchRefreshes(await makeTempDir(), refreshes);
    expect(failed, stderr).toBe(0);
    // Baseline: the 10 % of refreshes after warm-up; end: the last 10 %. Medians, since a refresh may land mid-collection.
    const window = Math.max(1, Math.floor((refreshes - warmup) / 10));
    const first = samples.filter((s) => s.refresh > warmup && s.refresh <= warmup + window);
    const last = samples.slice(-window);
    const of = (list: RefreshSample[], key: "descriptors" | "rssKb" | "refreshMs") => median(list.map((s) => s[key] ?? 0));
    const report = {
      refreshes,
      descriptors: { afterFirst: samples[0]!.descriptors, baseline: of(first, "descriptors"), end: of(last, "descriptors"), last: samples.at(-1)!.descriptors },
      rssMb: { afterFirst: samples[0]!.rssKb / 1024, baseline: of(first, "rssKb") / 1024, end: of(last, "rssKb") / 1024, last: samples.at(-1)!.rssKb / 1024 },
      refreshMs: { first: samples[0]!.refreshMs, baseline: of(first, "refreshMs"), end: of(last, "refreshMs"), last: samples.at(-1)!.refreshMs },
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    console.log(`watch-refresh stress: ${JSON.stringify(report)}`);
    expect(of(last, "descriptors")).toBeLessThanOrEqual(of(first, "descriptors") * 1.1);
    expect(of(last, "rssKb")).toBeLessThanOrEqual(of(first, "rssKb") * 1.1);
  });
});
