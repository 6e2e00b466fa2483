/**
 * The progress of one `index` run as a plain value (`reduceProgress` folds events into it), and
 * the figures derived from it. The Ink view, the plain-line reporter and tests all read this one state.
 */
import type { CacheState } from "../model/events.js";
import type { IndexFailure, IndexSummary, SkippedFile, StopReason } from "../model/types.js";

/**
 * Where a run stands. `starting` until `run-started`; `scanning` until `scan-finished`;
 * `extracting` until the model starts loading (cache checking is part of it); `loading-model`
 * until `model-loaded`; `embedding` while chunks arrive; `storing` from `store-started`;
 * `calibrating` from `fusion-calibrating` (hybrid mode's weights measured on the repository's
 * documented functions) until `fusion-calibrated`; `finished` after `index-finished`.
 */
export type ProgressPhase =
  | "starting"
  | "scanning"
  | "extracting"
  | "loading-model"
  | "embedding"
  | "storing"
  | "calibrating"
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

/** Chunk events that arrived close together (see `ProgressState.rateSamples`). */
export interface RateSample {
  /** `elapsedMs` of the sample's first event. */
  atMs: number;
  /** `elapsedMs` of its latest event. */
  lastAtMs: number;
  /** Events in the sample. */
  count: number;
}

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
  /** Source files to read and parse: from `scan-finished`, then `plan-ready`'s added + changed. */
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
  /**
   * Files that failed and will not be indexed: a `read` or `parse` failure not followed by the
   * file's `file-extracted` (a file whose syntax errors were recovered from, or whose entities were
   * cut to the limits, is indexed: its failure stays in `failures` as a warning), as the summary's
   * `failed` counts them (issue 22, defect 4: one meaning per counter).
   */
  filesFailed: number;
  /** Whether `currentFile` was counted in `filesFailed`. */
  currentFileFailed: boolean;
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
  /**
   * Recent chunk events (embedded or failed) within the rate window, oldest first, grouped: a sample
   * holds the events that arrived less than `RATE_SAMPLE_MS` after its first one (`atMs`).
   */
  rateSamples: RateSample[];
  /** Start of the rate window: the latest event of the newest sample dropped from it, else `embedStartedAtMs`. */
  rateWindowStartMs: number | null;
  /**
   * Entities handed back by the model per second: over the recent window while some remain, over the
   * whole embedding phase once none do (so 100 % shows the phase's average); null before the first one.
   */
  embedRatePerSec: number | null;
  /** Estimated ms until every cache miss is embedded; null while the rate is unknown. */
  etaMs: number | null;
  /** How hybrid mode's weights were chosen (`formatFusionLine`), once `fusion-calibrated` arrived. */
  fusion: string | null;
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
    currentFileFailed: false,
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
    rateSamples: [],
    rateWindowStartMs: null,
    embedRatePerSec: null,
    etaMs: null,
    fusion: null,
    summary: null,
  };
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
