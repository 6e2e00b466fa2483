import { PassThrough } from "node:stream";
import { describe, it, expect } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import type { IndexFailure, IndexSummary } from "../../src/model/types.js";
import {
  createPlainReporter,
  formatBar,
  formatBytes,
  formatCount,
  formatDuration,
  formatEta,
  formatFailureTableLines,
  formatPercent,
  formatRate,
  oneLine,
  finishedHeadline,
} from "../../src/report/index.js";
import type { PlainReporterOptions } from "../../src/report/index.js";
import { T0, scriptedRun, summary } from "../support/scripted-run.js";


/** Feeds `events` to a plain reporter writing into a PassThrough and returns the output lines. */
function transcript(events: IndexEvent[], options?: PlainReporterOptions): string[] {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const sink = createPlainReporter(out, options);
  for (const event of events) sink(event);
  out.end();
  const text = chunks.join("");
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n");
}

/** Cache check + model load at T0, then `count` embedded chunks `stepMs` apart. */
function embeddingEvents(count: number, stepMs: number): IndexEvent[] {
  return [
    { type: "cache-checked", elapsedMs: T0 - 100, hits: 0, misses: count, cacheState: "new" },
    { type: "model-loaded", elapsedMs: T0, modelId: "m", dimension: 8, durationMs: 1_234 },
    ...Array.from(
      { length: count },
      (_, i): IndexEvent => ({
        type: "chunk-embedded",
        elapsedMs: T0 + (i + 1) * stepMs,
        path: "m.py",
        qualifiedName: `f${i + 1}`,
        startLine: i + 1,
      }),
    ),
  ];
}

describe("createPlainReporter", () => {
  it("prints a scripted run line by line", () => {
    expect(transcript(scriptedRun())).toEqual([
      "scanning /repo…",
      "found 4 files, 1 skipped",
      "extracted 1/4 files",
      "extracted 2/4 files",
      "FAILED parse pkg/broken.py:7  syntax error: unexpected indent at line 7",
      "extracted 9 entities from 4 files in 110 ms",
      "cache: 4 hits, 5 misses",
      "loading model codebert-base…",
      "model loaded in 820 ms (768-d)",
      "embedded 1/5  (10.0/s, ETA 1 s)  current: pkg/a.py:1 alpha",
      "embedded 2/5  (10.0/s, ETA 1 s)  current: pkg/a.py:12 Beta.run",
      "FAILED embed pkg/c.py:40 Big.method  input too long",
      "embedded 2/5, 1 failed  (10.0/s, ETA 1 s)  current: pkg/c.py:40 Big.method",
      "embedded 3/5, 1 failed  (10.0/s, ETA 1 s)  current: pkg/c.py:3 gamma",
      "embedded 4/5, 1 failed  (10.0/s, done)  current: pkg/c.py:9 delta",
      "storing 8 rows…",
      "stored 8 rows in 600 ms",
      "finished with 2 failures",
      "files     3 indexed of 4 (1 failed, 1 skipped)",
      "entities  9 found: 4 embedded, 4 from cache, 1 failed",
      "skipped   data/big.py (too large, 2.1 MB)",
      "failures  2: 1 parse, 1 embed",
      "time      2.3 s",
      "index     /repo/.codesearch (8 rows, model codebert-base, 768-d)",
      "",
      "file:line        entity      stage  reason",
      "pkg/broken.py:7  -           parse  syntax error: unexpected indent at line 7",
      "pkg/c.py:40      Big.method  embed  input too long",
    ]);
  });

  it("writes no escape sequences or carriage returns", () => {
    const text = transcript(scriptedRun()).join("\n");
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("\r");
  });

  it("prints embedding progress once per 10% when chunks come fast", () => {
    const lines = transcript(embeddingEvents(100, 10)).filter((l) => l.startsWith("embedded"));
    expect(lines.map((l) => l.split("  ")[0])).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((n) => `embedded ${n}/100`));
    expect(lines[4]).toBe("embedded 50/100  (100/s, ETA 1 s)  current: m.py:50 f50");
  });

  it("prints embedding progress every 2 s when steps are off", () => {
    const lines = transcript(embeddingEvents(10, 700), { progressStep: 1 }).filter((l) => l.startsWith("embedded"));
    // Chunks at 0.7 s steps: due at 2.1 s (3rd), 4.2 s (6th), 6.3 s (9th) and when all are done (10th).
    expect(lines).toEqual([
      "embedded 3/10  (1.4/s, ETA 5 s)  current: m.py:3 f3",
      "embedded 6/10  (1.4/s, ETA 3 s)  current: m.py:6 f6",
      "embedded 9/10  (1.4/s, ETA 1 s)  current: m.py:9 f9",
      "embedded 10/10  (1.4/s, done)  current: m.py:10 f10",
    ]);
  });

  it("adds causes and cache saves when verbose", () => {
    const lines = transcript(scriptedRun(), { verbose: true });
    expect(lines).toContain("  cause: tokenizer: 4096 tokens: limit 512");
    expect(lines).toContain("cache saved (8 entries)");
    expect(transcript(scriptedRun())).not.toContain("cache saved (8 entries)");
  });

  it("says when the cache was new, corrupt, outdated or partly damaged", () => {
    const lines = transcript([
      { type: "cache-checked", elapsedMs: T0, hits: 0, misses: 3, cacheState: "new" },
      {
        type: "cache-checked",
        elapsedMs: T0,
        hits: 0,
        misses: 3,
        cacheState: "corrupt-rebuilt",
        setAsidePath: "/i/cache.json.corrupt",
      },
      { type: "cache-checked", elapsedMs: T0, hits: 0, misses: 3, cacheState: "outdated-replaced" },
      { type: "cache-checked", elapsedMs: T0, hits: 5, misses: 2, cacheState: "loaded", entriesDiscarded: 2 },
      { type: "cache-checked", elapsedMs: T0, hits: 5, misses: 1, cacheState: "loaded", entriesDiscarded: 1 },
      { type: "cache-checked", elapsedMs: T0, hits: 7, misses: 0, cacheState: "new", sharedHits: 7 },
    ]);
    expect(lines).toEqual([
      "cache: 0 hits, 3 misses (new cache)",
      "cache: 0 hits, 3 misses (cache was corrupt, moved to /i/cache.json.corrupt; rebuilding)",
      "cache: 0 hits, 3 misses (cache was of an older format without checksums; replaced, rebuilding)",
      "cache: 5 hits, 2 misses (2 damaged cache entries dropped; re-embedding)",
      "cache: 5 hits, 1 miss (1 damaged cache entry dropped; re-embedding)",
      "cache: 7 hits (7 from the shared cache), 0 misses (new cache)",
    ]);
  });

  it("names fusion calibration when it starts", () => {
    expect(transcript([{ type: "fusion-calibrating", elapsedMs: T0 }])).toEqual(["calibrating hybrid search on the repository's documented functions…"]);
  });

  it("limits the failure table and says how many more", () => {
    const failures: IndexFailure[] = Array.from({ length: 5 }, (_, i) => ({
      path: `f${i}.py`,
      stage: "read",
      message: "permission denied",
    }));
    const lines = transcript(
      [{ type: "index-finished", elapsedMs: T0, summary: { ...summary, failures, filesSkipped: [] } }],
      { maxFailureRows: 2 },
    );
    expect(lines.slice(-4)).toEqual([
      "file:line  entity  stage  reason",
      "f0.py      -       read   permission denied",
      "f1.py      -       read   permission denied",
      "… and 3 more",
    ]);
    expect(lines[0]).toBe("finished with 5 failures");
    expect(lines).toContain("failures  5: 5 read");
  });

  it("prints a clean run without a failure table", () => {
    const clean: IndexSummary = { ...summary, failures: [], filesIndexed: 4, filesSkipped: [] };
    expect(transcript([{ type: "index-finished", elapsedMs: T0, summary: clean }])).toEqual([
      "finished",
      "files     4 indexed of 4",
      "entities  9 found: 4 embedded, 4 from cache, 0 failed",
      "time      2.3 s",
      "index     /repo/.codesearch (8 rows, model codebert-base, 768-d)",
    ]);
  });
});

describe("text formatting", () => {
  it.each([
    [0, "0 ms"],
    [320.4, "320 ms"],
    [999, "999 ms"],
    [1_000, "1.0 s"],
    [1_234, "1.2 s"],
    [59_940, "59.9 s"],
    [59_960, "1 m 00 s"],
    [185_000, "3 m 05 s"],
    [3_725_000, "1 h 02 m"],
    [-5, "0 ms"],
    [Number.NaN, "0 ms"],
  ])("formatDuration(%d) = %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [null, "?"],
    [0, "0 s"],
    [1, "1 s"],
    [1_500, "2 s"],
    [59_000, "59 s"],
    [61_000, "1 m 01 s"],
  ])("formatEta(%s) = %s", (ms, text) => {
    expect(formatEta(ms)).toBe(text);
  });

  it.each([
    [null, "?/s"],
    [0, "0.0/s"],
    [35.24, "35.2/s"],
    [99.94, "99.9/s"],
    [120.4, "120/s"],
  ])("formatRate(%s) = %s", (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it("formats counts, percentages, sizes and bars", () => {
    expect([formatCount(0), formatCount(999), formatCount(1_234), formatCount(12_345_678)]).toEqual([
      "0",
      "999",
      "1,234",
      "12,345,678",
    ]);
    expect([formatPercent(0.999), formatPercent(0.42), formatPercent(1.5)]).toEqual(["99%", "42%", "100%"]);
    expect([formatBytes(512), formatBytes(12_288), formatBytes(2_200_000), formatBytes(3 * 1024 ** 3)]).toEqual([
      "512 B",
      "12.0 KB",
      "2.1 MB",
      "3.0 GB",
    ]);
    expect([formatBar(0.5, 10), formatBar(null, 4), formatBar(1.2, 3)]).toEqual(["█████░░░░░", "░░░░", "███"]);
  });

  it("puts reasons on one line and trims them", () => {
    expect(oneLine("  a\n\tb   c  ")).toBe("a b c");
    expect(oneLine("abcdefghij", 5)).toBe("abcd…");
    const lines = formatFailureTableLines(
      [{ path: "x.py", stage: "embed", qualifiedName: "A.b", line: 3, message: `too long ${"x".repeat(200)}\nsecond line` }],
      { maxReasonLength: 20 },
    );
    expect(lines).toEqual(["file:line  entity  stage  reason", "x.py:3     A.b     embed  too long xxxxxxxxxx…"]);
  });
});

describe("plain reporter: incremental-run lines", () => {
  const start: IndexEvent = { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/repo", indexDir: "/repo/.codesearch", modelId: "m" };

  it("prints the plan, a full-rebuild reason, binary skips, lock waits and stop requests", () => {
    expect(
      transcript([
        start,
        { type: "lock-waiting", elapsedMs: T0 + 1, holderPid: 77, holderStartedAt: "2026-11-23T10:00:00.000Z" },
        { type: "plan-ready", elapsedMs: T0 + 2, filesToRead: 3, filesAdded: 1, filesChanged: 2, filesUnchanged: 37, filesRemoved: 4, fullRebuildReason: "the catalog was unreadable" },
        { type: "file-skipped", elapsedMs: T0 + 3, skipped: { path: "blob.py", reason: "binary", sizeBytes: 10 } },
        { type: "stop-requested", elapsedMs: T0 + 4, reason: "interrupted" },
      ]),
    ).toEqual([
      "scanning /repo…",
      "waiting for another index run (pid 77, started 2026-11-23T10:00:00.000Z) to finish…",
      "re-reading every file: the catalog was unreadable",
      "3 to read (1 new, 2 changed), 37 unchanged, 4 removed",
      "skipped blob.py (binary)",
      "stopping after the current batch; everything embedded so far will be saved (Ctrl-C again to quit at once)…",
    ]);
  });

  it.each([
    [{ stopReason: null, failures: [], dryRun: false }, "finished"],
    [
      { stopReason: "interrupted", filesIndexed: 2, filesPending: 3, chunksStored: 9, chunksPending: 12, failures: [], dryRun: false },
      "interrupted: 2 files committed (9 entities in the index); 3 files, 12 entities left — run `codesearch index` to resume",
    ],
    [
      { stopReason: "interrupted", filesIndexed: 0, filesPending: 4, chunksStored: 0, chunksPending: 12, failures: [], dryRun: false },
      "interrupted: nothing stored yet (vectors embedded so far are kept in the cache); 4 files, 12 entities left — run `codesearch index` to resume",
    ],
    [
      { stopReason: "max-items", filesIndexed: 1, filesPending: 0, chunksStored: 5, chunksPending: 1, failures: [], dryRun: false },
      "stopped at --max-items: 1 file committed (5 entities in the index); 1 entity left — run `codesearch index` to continue",
    ],
    [{ stopReason: null, failures: [], dryRun: true }, "dry run: nothing was embedded or written"],
  ] as const)("headline for %j", (fields, headline) => {
    expect(finishedHeadline({ ...summary, ...fields, failures: [...fields.failures] })).toBe(headline);
  });

  it("names the resume command it is given, and says what was committed and what is left", () => {
    const lines = transcript(
      [{ type: "index-finished", elapsedMs: T0, summary: { ...summary, stopReason: "interrupted", filesIndexed: 23, filesPending: 55, filesDiscovered: 78, filesUnchanged: 0, filesSkipped: [], chunksStored: 52, chunksPending: 120, failures: [] } }],
      { resumeCommand: "codesearch index big --model m" },
    );
    expect(lines[0]).toBe("interrupted: 23 files committed (52 entities in the index); 55 files, 120 entities left — run `codesearch index big --model m` to resume");
    expect(lines).toContain("files     23 indexed of 78; 55 left for the next run");
  });

  it("summarises an incremental run: unchanged and removed files, replaced rows, pending entities", () => {
    const lines = transcript([
      { type: "index-finished", elapsedMs: T0, summary: { ...summary, filesIndexed: 2, filesUnchanged: 40, filesRemoved: 1, filesDiscovered: 42, filesSkipped: [], failures: [], chunksRemoved: 7, chunksPending: 0 } },
    ]);
    expect(lines).toContain("files     2 indexed, 40 unchanged, 1 removed of 42");
    expect(lines).toContain("entities  9 found: 4 embedded, 4 from cache, 0 failed, 7 rows replaced or removed");
  });
});

describe("the plain reporter names fusion calibration (issue 22, defect 4)", () => {
  it("prints a line when calibration starts, between the store and the fusion line", () => {
    const events = scriptedRun();
    const stored = events.findIndex((e) => e.type === "store-started");
    const lines = transcript([
      ...events.slice(0, stored + 1),
      { type: "fusion-calibrating", elapsedMs: T0 + 2_000 },
      { type: "fusion-calibrated", elapsedMs: T0 + 2_300, calibrated: true, vectorWeight: 0.5, note: "calibrated on 40 docstring queries", modelCalls: 80, durationMs: 300 },
    ]);
    const calibrating = lines.indexOf("calibrating hybrid search on the repository's documented functions…");
    expect(calibrating).toBeGreaterThan(lines.findIndex((l) => l.startsWith("storing ")));
    expect(lines.findIndex((l) => l.startsWith("fusion: "))).toBeGreaterThan(calibrating);
  });
});
