import { describe, it, expect } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import {
  entitiesDone,
  entitiesRemaining,
  initialProgressState,
  progressFraction,
  reduceProgress,
  RATE_SAMPLE_MS,
  RATE_WINDOW_MS,
} from "../../src/report/index.js";
import type { ProgressState } from "../../src/report/index.js";
import { T0, embedFailure, parseFailure, scriptedRun, summary } from "../support/scripted-run.js";


function fold(events: IndexEvent[], from: ProgressState = initialProgressState()): ProgressState {
  return events.reduce(reduceProgress, from);
}

/** State after the first `count` events of the scripted run. */
function after(count: number): ProgressState {
  return fold(scriptedRun().slice(0, count));
}

/** `model-loaded` at T0 with `misses` cache misses, then chunk events at the given offsets from T0. */
function embeddingRun(misses: number, offsetsMs: number[]): ProgressState {
  const events: IndexEvent[] = [
    { type: "run-started", elapsedMs: T0 - 500, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/r", indexDir: "/r/.codesearch", modelId: "m" },
    { type: "cache-checked", elapsedMs: T0 - 10, hits: 0, misses, cacheState: "new" },
    { type: "model-loaded", elapsedMs: T0, modelId: "m", dimension: 8, durationMs: 5 },
    ...offsetsMs.map(
      (offset, i): IndexEvent => ({
        type: "chunk-embedded",
        elapsedMs: T0 + offset,
        path: "m.py",
        qualifiedName: `f${i}`,
        startLine: i + 1,
      }),
    ),
  ];
  return fold(events);
}

describe("initialProgressState", () => {
  it("starts with nothing known", () => {
    const state = initialProgressState();
    expect(state.phase).toBe("starting");
    expect([state.filesTotal, state.entitiesTotal, entitiesDone(state), state.elapsedMs]).toEqual([0, 0, 0, 0]);
    expect(state.embedRatePerSec).toBeNull();
    expect(state.etaMs).toBeNull();
    expect(progressFraction(state)).toBeNull();
  });
});

describe("reduceProgress phases", () => {
  const expected: Array<[number, string, ProgressState["phase"]]> = [
    [1, "run-started", "scanning"],
    [2, "scan-finished", "extracting"],
    [3, "file-extracted", "extracting"],
    [7, "extract-finished", "extracting"],
    [8, "cache-checked", "extracting"],
    [9, "model-loading", "loading-model"],
    [10, "model-loaded", "embedding"],
    [11, "chunk-embedded", "embedding"],
    [16, "cache-saved", "embedding"],
    [17, "store-started", "storing"],
    [18, "store-finished", "storing"],
    [19, "index-finished", "finished"],
  ];
  it.each(expected)("after %i events (last %s) the phase is %s", (count, type, phase) => {
    expect(scriptedRun()[count - 1]?.type).toBe(type);
    expect(after(count).phase).toBe(phase);
  });
});

describe("reduceProgress counts", () => {
  const cases: Array<[number, Partial<ProgressState>]> = [
    [1, { repoRoot: "/repo", indexDir: "/repo/.codesearch", modelId: "codebert-base", elapsedMs: 0 }],
    [2, { filesTotal: 4, filesDone: 0, elapsedMs: 50 }],
    [4, { filesDone: 2, entitiesTotal: 5, currentFile: "pkg/b.py" }],
    [5, { filesDone: 3, filesFailed: 1, currentFile: "pkg/broken.py" }],
    [7, { filesDone: 4, entitiesTotal: 9 }],
    [8, { entitiesCached: 4, entitiesToEmbed: 5, cacheState: "loaded" }],
    [10, { dimension: 768, modelLoadMs: 820, embedStartedAtMs: T0 + 1_000 }],
    [13, { entitiesEmbedded: 2, entitiesFailed: 1 }],
    [15, { entitiesEmbedded: 4, entitiesFailed: 1, etaMs: 0 }],
    [16, { cacheEntriesSaved: 8 }],
    [18, { storeRowCount: 8, storeDurationMs: 600, elapsedMs: 2_300 }],
  ];
  it.each(cases)("after %i events", (count, fields) => {
    expect(after(count)).toMatchObject(fields);
  });

  it("tracks the current entity from embedded and failed chunks", () => {
    expect(after(12).currentEntity).toEqual({ path: "pkg/a.py", line: 12, qualifiedName: "Beta.run" });
    expect(after(13).currentEntity).toEqual({ path: "pkg/c.py", line: 40, qualifiedName: "Big.method" });
  });

  it("collects failures in arrival order and the skipped files", () => {
    const state = after(15);
    expect(state.failures).toEqual([parseFailure, embedFailure]);
    expect(state.skipped).toEqual([{ path: "data/big.py", reason: "too-large", sizeBytes: 2_200_000 }]);
  });

  // Issue 22, defect 4: "861/861 (2 failed)" while running, "860 indexed of 861 (1 failed)" at the
  // end. A file extracted after its own parse failure (syntax errors recovered from) is indexed with
  // a warning; only a file that yields nothing is failed, as the summary counts it.
  it("counts a failed-then-extracted file once, as done and not failed; a file that only failed as failed", () => {
    const state = fold([
      { type: "scan-finished", elapsedMs: T0, fileCount: 3, skipped: [] },
      { type: "file-failed", elapsedMs: T0 + 1, failure: { ...parseFailure, path: "x.py" } },
      { type: "file-failed", elapsedMs: T0 + 1, failure: { ...parseFailure, path: "x.py", message: "cut the source of 1 entity" } },
      { type: "file-extracted", elapsedMs: T0 + 2, path: "x.py", entityCount: 2 },
      { type: "file-failed", elapsedMs: T0 + 3, failure: { path: "z.py", stage: "read", message: "permission denied" } },
      { type: "file-extracted", elapsedMs: T0 + 4, path: "y.py", entityCount: 1 },
    ]);
    expect([state.filesDone, state.filesFailed, state.entitiesTotal]).toEqual([3, 1, 3]);
    expect(state.failures.map((f) => f.path)).toEqual(["x.py", "x.py", "z.py"]);
  });

  it("takes the summary's totals when finished", () => {
    const state = after(19);
    expect(state.summary).toBe(summary);
    expect(state).toMatchObject({
      elapsedMs: 2_345,
      filesDone: 4,
      filesFailed: 1,
      entitiesTotal: 9,
      entitiesCached: 4,
      entitiesEmbedded: 4,
      entitiesFailed: 1,
      etaMs: null,
    });
    expect(progressFraction(state)).toBe(1);
  });

  it("never mutates the state it is given", () => {
    const events = scriptedRun();
    let state = initialProgressState();
    for (const event of events) {
      const snapshot = JSON.stringify(state);
      const next = reduceProgress(state, event);
      expect(JSON.stringify(state)).toBe(snapshot);
      expect(next).not.toBe(state);
      state = next;
    }
  });
});

describe("reduceProgress rate and ETA", () => {
  const cases: Array<{ name: string; misses: number; offsets: number[]; rate: number | null; etaMs: number | null }> = [
    { name: "one chunk 100 ms after the model loaded", misses: 10, offsets: [100], rate: 10, etaMs: 900 },
    { name: "four chunks 100 ms apart", misses: 10, offsets: [100, 200, 300, 400], rate: 10, etaMs: 600 },
    { name: "a batch of 8 every 200 ms", misses: 24, offsets: [...Array(8).fill(200), ...Array(8).fill(400)], rate: 40, etaMs: 200 },
    { name: "the last chunk", misses: 2, offsets: [250, 500], rate: 4, etaMs: 0 },
    // Chunks at 1 s steps for 8 s: the window keeps those at or after 8000 - 5000 = 3000 (3..8 s:
    // 6 chunks) and starts at the newest dropped one (2000), so 6 chunks over 6 s.
    { name: "older chunks leave the 5 s window", misses: 100, offsets: [1, 2, 3, 4, 5, 6, 7, 8].map((s) => s * 1000), rate: 1, etaMs: 92_000 },
    // At 8 s the window keeps 3.5, 6 and 8 s (at or after 3 s) and starts at 1.5 s: 3 chunks over 6.5 s.
    { name: "the window edge is 5 s back", misses: 10, offsets: [1_000, 1_500, 3_500, 6_000, 8_000], rate: 3 / 6.5, etaMs: 10_833 },
    // A 10 s stall, then one chunk: the window starts at the chunk before it.
    { name: "a stall slows the rate down", misses: 10, offsets: [100, 10_100], rate: 0.1, etaMs: 80_000 },
  ];
  it.each(cases)("$name", ({ misses, offsets, rate, etaMs }) => {
    const state = embeddingRun(misses, offsets);
    if (rate === null) expect(state.embedRatePerSec).toBeNull();
    else expect(state.embedRatePerSec).toBeCloseTo(rate, 6);
    expect(state.etaMs).toBe(etaMs);
  });

  it("keeps at most one sample per RATE_SAMPLE_MS of the window, however fast chunks come", () => {
    const offsets = Array.from({ length: 2_500 }, (_, i) => (i + 1) * 4); // 250 a second for 10 s
    const state = embeddingRun(10_000, offsets);
    expect(state.rateSamples.length).toBeLessThanOrEqual(RATE_WINDOW_MS / RATE_SAMPLE_MS + 1);
    expect(state.embedRatePerSec).toBeCloseTo(250, 6);
    expect(state.etaMs).toBe(30_000);
  });

  // Issue 22, defect 4: the rate jumped with each batch (a window of the last 200 events is a few
  // batches long) and at 100 % showed the last moments' rate, not the run's.
  it("stays steady while the model hands back batches of 64 at a steady 640 a second", () => {
    const offsets = Array.from({ length: 100 }, (_, batch) => Array<number>(64).fill((batch + 1) * 100)).flat();
    let state = embeddingRun(20_000, []);
    const rates: number[] = [];
    offsets.forEach((offset, i) => {
      state = reduceProgress(state, { type: "chunk-embedded", elapsedMs: T0 + offset, path: "m.py", qualifiedName: `f${i}`, startLine: i + 1 });
      if (offset >= 1_000) rates.push(state.embedRatePerSec!);
    });
    expect(Math.min(...rates)).toBeGreaterThan(640 * 0.9);
    expect(Math.max(...rates)).toBeLessThan(640 * 1.1);
  });

  it("shows the embedding phase's average rate once every entity is done", () => {
    // 100 chunks in the first second, then 10 in the next 5 s: 110 over 6 s.
    const offsets = [...Array.from({ length: 100 }, (_, i) => (i + 1) * 10), ...Array.from({ length: 10 }, (_, i) => 1_000 + (i + 1) * 500)];
    const state = embeddingRun(110, offsets);
    expect(state.embedRatePerSec).toBeCloseTo(110 / 6, 6);
    expect(state.etaMs).toBe(0);
  });

  it("has no rate when the first chunk comes without a model-loaded time", () => {
    const state = fold([
      { type: "cache-checked", elapsedMs: T0, hits: 0, misses: 3, cacheState: "new" },
      { type: "chunk-embedded", elapsedMs: T0 + 40, path: "a.py", qualifiedName: "f", startLine: 1 },
    ]);
    expect(state.embedRatePerSec).toBeNull();
    expect(state.etaMs).toBeNull();
    expect(entitiesRemaining(state)).toBe(2);
  });
});

describe("progressFraction", () => {
  const cases: Array<[string, Partial<ProgressState>, number | null]> = [
    ["no entities known", {}, null],
    ["nothing done", { entitiesTotal: 10 }, 0],
    ["cached + embedded + failed", { entitiesTotal: 10, entitiesCached: 4, entitiesEmbedded: 2, entitiesFailed: 1 }, 0.7],
    ["never above 1", { entitiesTotal: 2, entitiesCached: 3 }, 1],
    ["finished", { phase: "finished" }, 1],
  ];
  it.each(cases)("%s", (_name, fields, fraction) => {
    expect(progressFraction({ ...initialProgressState(), ...fields })).toBe(fraction);
  });
});

describe("reduceProgress: incremental-run events", () => {
  const start: IndexEvent = { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/repo", indexDir: "/repo/.codesearch", modelId: "m" };

  it("lock-waiting records the holder until the scan starts", () => {
    const waiting = fold([start, { type: "lock-waiting", elapsedMs: T0 + 1, holderPid: 4242, holderStartedAt: "2026-01-01T00:00:00.000Z" }]);
    expect(waiting.waitingForPid).toBe(4242);
    const scanned = fold([{ type: "scan-finished", elapsedMs: T0 + 2, fileCount: 3, skipped: [] }], waiting);
    expect(scanned.waitingForPid).toBe(null);
  });

  it("plan-ready sets the files to read and the unchanged / removed counts", () => {
    const state = fold([
      start,
      { type: "scan-finished", elapsedMs: T0 + 1, fileCount: 40, skipped: [] },
      { type: "plan-ready", elapsedMs: T0 + 2, filesToRead: 3, filesAdded: 1, filesChanged: 2, filesUnchanged: 37, filesRemoved: 4, fullRebuildReason: null },
    ]);
    expect([state.filesTotal, state.filesUnchanged, state.filesRemoved, state.fullRebuildReason]).toEqual([3, 37, 4, null]);
  });

  it("file-skipped counts the file as done and lists it as skipped", () => {
    const state = fold([start, { type: "file-skipped", elapsedMs: T0 + 1, skipped: { path: "blob.py", reason: "binary", sizeBytes: 10 } }]);
    expect(state.filesDone).toBe(1);
    expect(state.skipped).toEqual([{ path: "blob.py", reason: "binary", sizeBytes: 10 }]);
  });

  it("stop-requested records why the run is stopping", () => {
    expect(fold([start, { type: "stop-requested", elapsedMs: T0 + 1, reason: "interrupted" }]).stopReason).toBe("interrupted");
  });
});
