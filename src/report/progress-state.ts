/**
 * The progress of one `index` run as a plain value, and the pure reducer that folds `IndexEvent`s
 * into it. The Ink view, the plain-line reporter and tests all read this one state.
 */
import { assertNever } from "../model/events.js";
import type { CacheState, IndexEvent } from "../model/events.js";
import type { IndexFailure, IndexSummary, SkippedFile, StopReason } from "../model/types.js";

/**
 * Where a run stands. `starting` until `run-started`; `scanning` until `scan-finished`;
 * `extracting` until the model starts loading (cache checking is part of it); `loading-model`
 * until `model-loaded`; `embedding` while chunks arrive; `storing` from `store-started`;
 * `finished` after `index-finished`.
 */
export type ProgressPhase =
  | "starting"
  | "scanning"
  | "extracting"
  | "loading-model"
  | "embedding"
  | "storing"
  | "finished";

/** The entity most recently handed back by the model (embedded or failed). */
export interface CurrentEntity {
  /** Repository-relative POSIX path. */
  path: string;
  /** 1-based line of the `def` / `class`, or null when the failure did not say. */
  line: number | null;
  /** Dotted name, e.g. `Outer.method`; empty when a failure did not name one. */
  qualifiedName: string;
}

/** Length of the window the embedding rate is measured over, in ms. */
export const RATE_WINDOW_MS = 5_000;

/** At most this many recent chunk timestamps are kept for the rate (bounds per-event copying). */
export const RATE_WINDOW_MAX_EVENTS = 200;

/** Everything the views show about a run. Counts are entities or files, never bytes. */
export interface ProgressState {
  phase: ProgressPhase;
  /** Absolute repository root, once `run-started` arrived. */
  repoRoot: string | null;
  /** Absolute directory of the index, once `run-started` arrived. */
  indexDir: string | null;
  modelId: string | null;
  /** Vector length, once the model loaded (or from the summary). */
  dimension: number | null;
  /** `elapsedMs` of `run-started` (ms since the run's start, which precedes any wait for the lock). */
  startedAtMs: number | null;
  /** `elapsedMs` of the latest event. */
  lastEventAtMs: number | null;
  /** Time since `run-started` as of the latest event; the summary's `durationMs` once finished. */
  elapsedMs: number;
  /** Python files to read and parse: from `scan-finished`, then `plan-ready`'s added + changed. */
  filesTotal: number;
  /** Files left as they were indexed (from `plan-ready`). */
  filesUnchanged: number;
  /** Files whose rows are removed (from `plan-ready`). */
  filesRemoved: number;
  /** Why every file is re-read, when the catalog could not be trusted. */
  fullRebuildReason: string | null;
  /** Pid of the run holding the writer lock while this one waits, else null. */
  waitingForPid: number | null;
  /** Set once a stop was requested (signal or `--max-items`). */
  stopReason: StopReason | null;
  /** Files extracted or failed so far (consecutive events for one path count once). */
  filesDone: number;
  /** Files with a `read` or `parse` failure. */
  filesFailed: number;
  /** Entities extracted: a running sum while extracting, then the `extract-finished` total. */
  entitiesTotal: number;
  /** Entities whose vector came from the cache. */
  entitiesCached: number;
  /** Cache misses: entities the model has to embed. */
  entitiesToEmbed: number;
  /** Entities the model embedded in this run. */
  entitiesEmbedded: number;
  /** Entities the model failed on (`embed` failures). */
  entitiesFailed: number;
  /** How the cache was found, once `cache-checked` arrived. */
  cacheState: CacheState | null;
  /** Where a corrupt cache was moved, when `cacheState` is `corrupt-rebuilt`. */
  cacheSetAsidePath: string | null;
  /** Damaged cache entries dropped (their entities are re-embedded); 0 until `cache-checked`. */
  cacheEntriesDiscarded: number;
  /** Entries in the cache file after its latest save. */
  cacheEntriesSaved: number | null;
  /** How long the model took to load, in ms. */
  modelLoadMs: number | null;
  /** Rows being (or that were) written to LanceDB. */
  storeRowCount: number | null;
  /** How long the LanceDB write took, in ms. */
  storeDurationMs: number | null;
  /** The file most recently extracted, failed, or embedded from. */
  currentFile: string | null;
  /** The entity most recently embedded or failed. */
  currentEntity: CurrentEntity | null;
  /** Failures in arrival order; replaced by the summary's list (which adds `store` failures) at the end. */
  failures: IndexFailure[];
  /** Files left out on purpose (by discovery, or found binary when read). */
  skipped: SkippedFile[];
  /** When embedding began (`model-loaded`, else the first chunk event), as an event `elapsedMs`. */
  embedStartedAtMs: number | null;
  /** `elapsedMs` of recent chunk events (embedded or failed), oldest first, within the rate window. */
  recentChunkTimesMs: number[];
  /** Start of the rate window: the chunk event just before the oldest kept one, else `embedStartedAtMs`. */
  rateWindowStartMs: number | null;
  /** Entities handed back by the model per second over the recent window; null before the first one. */
  embedRatePerSec: number | null;
  /** Estimated ms until every cache miss is embedded; null while the rate is unknown. */
  etaMs: number | null;
  /** The run's totals, once `index-finished` arrived. */
  summary: IndexSummary | null;
}

/** The state before any event: phase `starting`, every count 0, nothing known. */
export function initialProgressState(): ProgressState {
  return {
    phase: "starting",
    repoRoot: null,
    indexDir: null,
    modelId: null,
    dimension: null,
    startedAtMs: null,
    lastEventAtMs: null,
    elapsedMs: 0,
    filesTotal: 0,
    filesUnchanged: 0,
    filesRemoved: 0,
    fullRebuildReason: null,
    waitingForPid: null,
    stopReason: null,
    filesDone: 0,
    filesFailed: 0,
    entitiesTotal: 0,
    entitiesCached: 0,
    entitiesToEmbed: 0,
    entitiesEmbedded: 0,
    entitiesFailed: 0,
    cacheState: null,
    cacheSetAsidePath: null,
    cacheEntriesDiscarded: 0,
    cacheEntriesSaved: null,
    modelLoadMs: null,
    storeRowCount: null,
    storeDurationMs: null,
    currentFile: null,
    currentEntity: null,
    failures: [],
    skipped: [],
    embedStartedAtMs: null,
    recentChunkTimesMs: [],
    rateWindowStartMs: null,
    embedRatePerSec: null,
    etaMs: null,
    summary: null,
  };
}

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
        recentChunkTimesMs: [],
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
    case "fusion-calibrated":
      return base;
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
        dimension: summary.dimension,
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

/** Entities accounted for: cached + embedded + failed. */
export function entitiesDone(state: ProgressState): number {
  return state.entitiesCached + state.entitiesEmbedded + state.entitiesFailed;
}

/** Cache misses the model has not handed back yet (never negative). */
export function entitiesRemaining(state: ProgressState): number {
  return Math.max(0, state.entitiesToEmbed - state.entitiesEmbedded - state.entitiesFailed);
}

/**
 * Share of entities done, in [0, 1]: `entitiesDone / entitiesTotal`. Null while the total is 0
 * (unknown yet, or nothing found); 1 once finished.
 */
export function progressFraction(state: ProgressState): number | null {
  if (state.phase === "finished") return 1;
  if (state.entitiesTotal <= 0) return null;
  return Math.min(1, Math.max(0, entitiesDone(state) / state.entitiesTotal));
}

function withTime(state: ProgressState, atMs: number): ProgressState {
  const elapsedMs = state.startedAtMs === null ? 0 : Math.max(0, atMs - state.startedAtMs);
  return { ...state, lastEventAtMs: atMs, elapsedMs };
}

/**
 * Adds one chunk event at `atMs` (its `elapsedMs`) to the rate window, drops those older than `RATE_WINDOW_MS` or
 * beyond `RATE_WINDOW_MAX_EVENTS` (the newest dropped one becomes the window start), and
 * recomputes rate = events in window / (now - window start), ETA = remaining / rate.
 */
function withChunkRate(state: ProgressState, atMs: number): ProgressState {
  const embedStartedAtMs = state.embedStartedAtMs ?? atMs;
  let windowStartMs = state.rateWindowStartMs ?? embedStartedAtMs;
  const times = [...state.recentChunkTimesMs, atMs];
  let drop = 0;
  while (
    drop < times.length - 1 &&
    (times.length - drop > RATE_WINDOW_MAX_EVENTS || (times[drop] ?? atMs) < atMs - RATE_WINDOW_MS)
  ) {
    windowStartMs = times[drop] ?? windowStartMs;
    drop++;
  }
  const recent = drop > 0 ? times.slice(drop) : times;
  const spanMs = atMs - windowStartMs;
  const embedRatePerSec = spanMs > 0 ? (recent.length * 1000) / spanMs : null;
  const remaining = entitiesRemaining(state);
  const etaMs =
    remaining === 0 ? 0 : embedRatePerSec === null ? null : Math.round((remaining / embedRatePerSec) * 1000);
  return {
    ...state,
    embedStartedAtMs,
    rateWindowStartMs: windowStartMs,
    recentChunkTimesMs: recent,
    embedRatePerSec,
    etaMs,
  };
}
