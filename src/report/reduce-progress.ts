/**
 * The pure reducer that folds `IndexEvent`s into a `ProgressState`, and the embedding rate and
 * ETA it keeps over a sliding window of the events' `elapsedMs`.
 */
import { assertNever } from "../model/events.js";
import type { IndexEvent } from "../model/events.js";
import { entitiesRemaining, type ProgressState } from "./progress-state.js";
import { formatFusionLine } from "./summary-text.js";

/** Length of the window the embedding rate is measured over, in ms. */
export const RATE_WINDOW_MS = 5_000;

/**
 * Chunk events less than this many ms apart count as one sample of the rate window, which so holds
 * at most `RATE_WINDOW_MS / RATE_SAMPLE_MS` (+1) samples however fast the model goes (bounds
 * per-event copying without shrinking the window: a cap on events made it a few batches long at
 * high rates, so the rate jumped with each batch, issue 22 defect 4).
 */
export const RATE_SAMPLE_MS = 100;

/**
 * Folds one event into the state and returns a new state; `state` is never mutated. Pure: time
 * comes only from `event.elapsedMs`. Unknown orderings (e.g. a chunk before `model-loaded`) are
 * tolerated rather than rejected.
 */
export function reduceProgress(state: ProgressState, event: IndexEvent): ProgressState {
  const base = withTime(state, event.elapsedMs);
  switch (event.type) {
    case "run-started":
      return {
        ...base,
        phase: "scanning",
        repoRoot: event.repoRoot,
        indexDir: event.indexDir,
        modelId: event.modelId,
        startedAtMs: event.elapsedMs,
        elapsedMs: 0,
      };
    case "lock-waiting":
      return { ...base, waitingForPid: event.holderPid };
    case "scan-finished":
      return { ...base, phase: "extracting", waitingForPid: null, filesTotal: event.fileCount, skipped: [...event.skipped] };
    case "plan-ready":
      return {
        ...base,
        filesTotal: event.filesToRead,
        filesUnchanged: event.filesUnchanged,
        filesRemoved: event.filesRemoved,
        fullRebuildReason: event.fullRebuildReason,
      };
    case "file-skipped":
      return {
        ...base,
        filesDone: base.filesDone + (event.skipped.path === state.currentFile ? 0 : 1),
        currentFile: event.skipped.path,
        skipped: [...base.skipped, event.skipped],
      };
    case "stop-requested":
      return { ...base, stopReason: event.reason };
    case "file-extracted":
      return {
        ...base,
        phase: "extracting",
        filesDone: base.filesDone + (event.path === state.currentFile ? 0 : 1),
        // Extracted after a failure of its own: indexed with a warning, not failed.
        filesFailed: base.filesFailed - (event.path === state.currentFile && state.currentFileFailed ? 1 : 0),
        currentFileFailed: false,
        entitiesTotal: base.entitiesTotal + event.entityCount,
        currentFile: event.path,
      };
    case "file-failed": {
      const isFileStage = event.failure.stage === "read" || event.failure.stage === "parse";
      const isNewFile = event.failure.path !== state.currentFile;
      return {
        ...base,
        filesDone: base.filesDone + (isFileStage && isNewFile ? 1 : 0),
        filesFailed: base.filesFailed + (isFileStage && isNewFile ? 1 : 0),
        currentFileFailed: isNewFile ? isFileStage : state.currentFileFailed,
        currentFile: event.failure.path,
        failures: [...base.failures, event.failure],
      };
    }
    case "extract-finished":
      return {
        ...base,
        phase: "extracting",
        filesDone: Math.max(base.filesDone, event.fileCount),
        entitiesTotal: event.entityCount,
      };
    case "cache-checked":
      return {
        ...base,
        entitiesCached: event.hits,
        entitiesToEmbed: event.misses,
        cacheState: event.cacheState,
        cacheSetAsidePath: event.setAsidePath ?? null,
        cacheEntriesDiscarded: event.entriesDiscarded ?? 0,
      };
    case "model-loading":
      return { ...base, phase: "loading-model", modelId: event.modelId };
    case "model-loaded":
      return {
        ...base,
        phase: "embedding",
        modelId: event.modelId,
        dimension: event.dimension,
        modelLoadMs: event.durationMs,
        embedStartedAtMs: event.elapsedMs,
        rateWindowStartMs: event.elapsedMs,
        rateSamples: [],
      };
    case "chunk-embedded":
      return withChunkRate(
        {
          ...base,
          phase: "embedding",
          entitiesEmbedded: base.entitiesEmbedded + 1,
          currentFile: event.path,
          currentEntity: { path: event.path, line: event.startLine, qualifiedName: event.qualifiedName },
        },
        event.elapsedMs,
      );
    case "chunk-failed":
      return withChunkRate(
        {
          ...base,
          phase: "embedding",
          entitiesFailed: base.entitiesFailed + 1,
          currentFile: event.failure.path,
          currentEntity: {
            path: event.failure.path,
            line: event.failure.line ?? null,
            qualifiedName: event.failure.qualifiedName ?? "",
          },
          failures: [...base.failures, event.failure],
        },
        event.elapsedMs,
      );
    case "cache-saved":
      return { ...base, cacheEntriesSaved: event.entryCount };
    case "store-started":
      return { ...base, phase: "storing", storeRowCount: event.rowCount, etaMs: null };
    case "fusion-calibrating":
      return { ...base, phase: "calibrating", etaMs: null };
    case "fusion-calibrated":
      return { ...base, fusion: formatFusionLine(event) };
    case "store-finished":
      return { ...base, storeRowCount: event.rowCount, storeDurationMs: event.durationMs };
    case "index-finished": {
      const { summary } = event;
      return {
        ...base,
        phase: "finished",
        repoRoot: summary.repoRoot,
        indexDir: summary.indexDir,
        modelId: summary.modelId,
        // A run stopped before the model loaded reports dimension 0: nothing is known, not "0-d".
        dimension: summary.dimension > 0 ? summary.dimension : base.dimension,
        elapsedMs: summary.durationMs,
        filesTotal: summary.filesDiscovered - summary.filesUnchanged,
        filesDone: summary.filesDiscovered - summary.filesUnchanged,
        filesFailed: Math.max(0, summary.filesDiscovered - summary.filesUnchanged - summary.filesIndexed),
        filesUnchanged: summary.filesUnchanged,
        filesRemoved: summary.filesRemoved,
        stopReason: summary.stopReason,
        entitiesTotal: summary.entitiesFound,
        entitiesCached: summary.chunksFromCache,
        entitiesEmbedded: summary.chunksEmbedded,
        entitiesFailed: summary.failures.filter((f) => f.stage === "embed").length,
        failures: [...summary.failures],
        skipped: [...summary.filesSkipped],
        etaMs: null,
        summary,
      };
    }
    default:
      return assertNever(event);
  }
}


function withTime(state: ProgressState, atMs: number): ProgressState {
  const elapsedMs = state.startedAtMs === null ? 0 : Math.max(0, atMs - state.startedAtMs);
  return { ...state, lastEventAtMs: atMs, elapsedMs };
}

/**
 * Adds one chunk event at `atMs` (its `elapsedMs`) to the rate window (to the newest sample when
 * that began less than `RATE_SAMPLE_MS` before), drops samples whose latest event is older than
 * `RATE_WINDOW_MS` (the newest dropped one's latest event becomes the window start), and recomputes the rate: events in the window /
 * (now - window start) while entities remain, events since embedding began / the phase's time once
 * none remain; ETA = remaining / rate.
 */
function withChunkRate(state: ProgressState, atMs: number): ProgressState {
  const embedStartedAtMs = state.embedStartedAtMs ?? atMs;
  let windowStartMs = state.rateWindowStartMs ?? embedStartedAtMs;
  const samples = [...state.rateSamples];
  const newest = samples.at(-1);
  if (newest !== undefined && atMs - newest.atMs < RATE_SAMPLE_MS) samples[samples.length - 1] = { atMs: newest.atMs, lastAtMs: atMs, count: newest.count + 1 };
  else samples.push({ atMs, lastAtMs: atMs, count: 1 });
  let drop = 0;
  while (drop < samples.length - 1 && samples[drop]!.lastAtMs < atMs - RATE_WINDOW_MS) {
    windowStartMs = samples[drop]!.lastAtMs;
    drop++;
  }
  const recent = drop > 0 ? samples.slice(drop) : samples;
  const remaining = entitiesRemaining(state);
  const inWindow = recent.reduce((n, sample) => n + sample.count, 0);
  const [events, spanMs] = remaining === 0 ? [state.entitiesEmbedded + state.entitiesFailed, atMs - embedStartedAtMs] : [inWindow, atMs - windowStartMs];
  const embedRatePerSec = spanMs > 0 ? (events * 1000) / spanMs : null;
  const etaMs =
    remaining === 0 ? 0 : embedRatePerSec === null ? null : Math.round((remaining / embedRatePerSec) * 1000);
  return {
    ...state,
    embedStartedAtMs,
    rateWindowStartMs: windowStartMs,
    rateSamples: recent,
    embedRatePerSec,
    etaMs,
  };
}
