import { PassThrough } from "node:stream";
import { describe, it, expect } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import { StoreError } from "../../src/model/errors.js";
import type { IndexFailure, IndexSummary } from "../../src/model/types.js";
import { createJsonLinesReporter, toJsonLine } from "../../src/report/index.js";

const T0 = 10_000;

const embedFailure: IndexFailure = {
  path: "pkg/c.py",
  stage: "embed",
  message: "input too long",
  line: 40,
  qualifiedName: "Big.method",
  cause: new Error("tokenizer: 4096 tokens", { cause: new Error("limit 512") }),
};

const summary: IndexSummary = {
  repoRoot: "/repo",
  indexDir: "/repo/.codesearch",
  modelId: "codebert-base",
  dimension: 768,
  filesDiscovered: 1,
  filesIndexed: 1,
  filesPending: 0,
  filesUnchanged: 0,
  filesRemoved: 0,
  filesSkipped: [],
  entitiesFound: 2,
  chunksEmbedded: 1,
  chunksFromCache: 0,
  chunksStored: 1,
  chunksRemoved: 0,
  chunksPending: 0,
  stopReason: null,
  dryRun: false,
  failures: [embedFailure, { path: "pkg/d.py", stage: "store", message: "disk full", cause: new StoreError("write failed") }],
  durationMs: 900,
};

/** Feeds `events` to a JSON-lines reporter writing into a PassThrough and returns the raw text. */
function output(events: IndexEvent[]): string {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk.toString("utf8")));
  const sink = createJsonLinesReporter(out);
  for (const event of events) sink(event);
  out.end();
  return chunks.join("");
}

describe("createJsonLinesReporter", () => {
  const events: IndexEvent[] = [
    { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/repo", indexDir: "/repo/.codesearch", modelId: "codebert-base" },
    { type: "scan-finished", elapsedMs: T0 + 1, fileCount: 1, skipped: [{ path: "b.py", reason: "binary", sizeBytes: 10 }] },
    { type: "chunk-embedded", elapsedMs: T0 + 2, path: "pkg/c.py", qualifiedName: "f", startLine: 1 },
    { type: "chunk-failed", elapsedMs: T0 + 3, failure: embedFailure },
    { type: "index-finished", elapsedMs: T0 + 4, summary },
  ];

  it("writes one parseable object per event, in order", () => {
    const text = output(events);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    const parsed = lines.map((line) => JSON.parse(line) as { type: string; elapsedMs: number });
    expect(parsed.map((p) => p.type)).toEqual([
      "run-started",
      "scan-finished",
      "chunk-embedded",
      "chunk-failed",
      "index-finished",
    ]);
    expect(parsed[0]).toEqual({
      type: "run-started",
      elapsedMs: T0,
      startedAt: "2026-11-30T12:00:00.000Z",
      repoRoot: "/repo",
      indexDir: "/repo/.codesearch",
      modelId: "codebert-base",
    });
    expect(parsed[1]).toEqual({
      type: "scan-finished",
      elapsedMs: T0 + 1,
      fileCount: 1,
      skipped: [{ path: "b.py", reason: "binary", sizeBytes: 10 }],
    });
  });

  it("turns failure causes into describeError strings", () => {
    const lines = output(events).trimEnd().split("\n");
    expect(JSON.parse(lines[3] ?? "")).toEqual({
      type: "chunk-failed",
      elapsedMs: T0 + 3,
      failure: {
        path: "pkg/c.py",
        stage: "embed",
        message: "input too long",
        line: 40,
        qualifiedName: "Big.method",
        cause: "tokenizer: 4096 tokens: limit 512",
      },
    });
    const finished = JSON.parse(lines[4] ?? "") as { summary: { failures: Array<{ cause?: unknown }> } };
    expect(finished.summary.failures.map((f) => f.cause)).toEqual(["tokenizer: 4096 tokens: limit 512", "write failed"]);
  });

  it("leaves out an absent cause", () => {
    const failure: IndexFailure = { path: "a.py", stage: "read", message: "gone" };
    expect(toJsonLine({ type: "file-failed", elapsedMs: 5, failure })).toBe(
      '{"type":"file-failed","elapsedMs":5,"failure":{"path":"a.py","stage":"read","message":"gone"}}',
    );
  });
});

describe("toJsonLine with odd values", () => {
  it("survives circular, bigint, symbol and null-prototype causes", () => {
    const circular: Record<string, unknown> = { name: "loop" };
    circular["self"] = circular;
    const odd: unknown[] = [circular, 10n, Symbol("s"), Object.create(null) as object];
    const parsed = odd.map((cause) =>
      JSON.parse(toJsonLine({ type: "file-failed", elapsedMs: 1, failure: { path: "a.py", stage: "read", message: "m", cause } })),
    ) as Array<{ failure: { cause: string } }>;
    expect(parsed.map((d) => d.failure.cause)).toEqual(["[object Object]", "10", "Symbol(s)", "unprintable value"]);
  });

  it("replaces cycles, bigints and typed arrays outside causes", () => {
    const loop: Record<string, unknown> = { rows: 3 };
    loop["again"] = loop;
    const event = {
      type: "cache-saved",
      elapsedMs: 2,
      entryCount: 1,
      extra: { loop, big: 2n ** 70n, vector: new Float32Array([0.5, 1]), when: new Date(0), fn: () => 1 },
    } as unknown as IndexEvent;
    expect(JSON.parse(toJsonLine(event))).toEqual({
      type: "cache-saved",
      elapsedMs: 2,
      entryCount: 1,
      extra: {
        loop: { rows: 3, again: "[Circular]" },
        big: "1180591620717411303424",
        vector: [0.5, 1],
        when: "1970-01-01T00:00:00.000Z",
      },
    });
  });

  it("falls back to an error line when a getter throws", () => {
    const event = { type: "cache-saved", elapsedMs: 3 } as Record<string, unknown>;
    Object.defineProperty(event, "entryCount", {
      enumerable: true,
      get() {
        throw new Error("no peeking");
      },
    });
    expect(JSON.parse(toJsonLine(event as unknown as IndexEvent))).toEqual({
      type: "cache-saved",
      elapsedMs: 3,
      error: "unserialisable event: no peeking",
    });
  });
});
