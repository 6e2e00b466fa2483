// A scripted indexing run shared by the reporter, reducer and Ink view tests: 4 files (one fails
// to parse, one skipped as too large), 9 entities, 4 cache hits, 5 misses of which one fails to embed.
import type { IndexEvent } from "../../src/model/events.js";
import type { IndexFailure, IndexSummary } from "../../src/model/types.js";

export const T0 = 10_000;

export const parseFailure: IndexFailure = {
  path: "pkg/broken.py",
  stage: "parse",
  message: "syntax error: unexpected indent\n    at line 7",
  line: 7,
};
export const embedFailure: IndexFailure = {
  path: "pkg/c.py",
  stage: "embed",
  message: "input too long",
  line: 40,
  qualifiedName: "Big.method",
  cause: new Error("tokenizer: 4096 tokens", { cause: new Error("limit 512") }),
};

export const summary: IndexSummary = {
  repoRoot: "/repo",
  indexDir: "/repo/.codesearch",
  modelId: "codebert-base",
  dimension: 768,
  filesDiscovered: 4,
  filesIndexed: 3,
  filesPending: 0,
  filesUnchanged: 0,
  filesRemoved: 0,
  filesSkipped: [{ path: "data/big.py", reason: "too-large", sizeBytes: 2_200_000 }],
  entitiesFound: 9,
  chunksEmbedded: 4,
  chunksFromCache: 4,
  chunksStored: 8,
  chunksRemoved: 0,
  chunksPending: 0,
  stopReason: null,
  dryRun: false,
  failures: [parseFailure, embedFailure],
  durationMs: 2_345,
};

/** The run's events in emission order, with explicit `elapsedMs` from {@link T0}. */
export function scriptedRun(): IndexEvent[] {
  return [
    { type: "run-started", elapsedMs: T0, startedAt: "2026-11-30T12:00:00.000Z", repoRoot: "/repo", indexDir: "/repo/.codesearch", modelId: "codebert-base" },
    { type: "scan-finished", elapsedMs: T0 + 50, fileCount: 4, skipped: summary.filesSkipped },
    { type: "file-extracted", elapsedMs: T0 + 100, path: "pkg/a.py", entityCount: 3 },
    { type: "file-extracted", elapsedMs: T0 + 120, path: "pkg/b.py", entityCount: 2 },
    { type: "file-failed", elapsedMs: T0 + 130, failure: parseFailure },
    { type: "file-extracted", elapsedMs: T0 + 150, path: "pkg/c.py", entityCount: 4 },
    { type: "extract-finished", elapsedMs: T0 + 160, fileCount: 4, entityCount: 9, durationMs: 110 },
    { type: "cache-checked", elapsedMs: T0 + 170, hits: 4, misses: 5, cacheState: "loaded" },
    { type: "model-loading", elapsedMs: T0 + 180, modelId: "codebert-base" },
    { type: "model-loaded", elapsedMs: T0 + 1_000, modelId: "codebert-base", dimension: 768, durationMs: 820 },
    { type: "chunk-embedded", elapsedMs: T0 + 1_100, path: "pkg/a.py", qualifiedName: "alpha", startLine: 1 },
    { type: "chunk-embedded", elapsedMs: T0 + 1_200, path: "pkg/a.py", qualifiedName: "Beta.run", startLine: 12 },
    { type: "chunk-failed", elapsedMs: T0 + 1_300, failure: embedFailure },
    { type: "chunk-embedded", elapsedMs: T0 + 1_400, path: "pkg/c.py", qualifiedName: "gamma", startLine: 3 },
    { type: "chunk-embedded", elapsedMs: T0 + 1_500, path: "pkg/c.py", qualifiedName: "delta", startLine: 9 },
    { type: "cache-saved", elapsedMs: T0 + 1_600, entryCount: 8 },
    { type: "store-started", elapsedMs: T0 + 1_700, rowCount: 8 },
    { type: "store-finished", elapsedMs: T0 + 2_300, rowCount: 8, durationMs: 600 },
    { type: "index-finished", elapsedMs: T0 + 2_345, summary },
  ];
}
