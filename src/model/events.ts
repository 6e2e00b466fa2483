/**
 * Typed events the core emits to a single sink while indexing. The Ink UI, the plain-line
 * reporter and the JSON-lines reporter all consume these; consumers switch exhaustively on `type`.
 */
import type { IndexFailure, IndexSummary, SkippedFile, StopReason } from "./types.js";

/**
 * Every event carries `elapsedMs`: whole ms from the start of its run (the call of `indexRepo`,
 * before any wait for the writer lock) to the event, read from the monotonic clock
 * (`performance.now()`), so it never jumps with the wall clock. `run-started` gives the run's
 * wall-clock start.
 */
interface Timed {
  elapsedMs: number;
}

/** The run began (it holds the writer lock, if it writes): where it reads and writes, and with which model. */
export interface RunStartedEvent extends Timed {
  type: "run-started";
  /** ISO-8601 wall-clock time of the run's start (`elapsedMs` 0). */
  startedAt: string;
  repoRoot: string;
  indexDir: string;
  modelId: string;
}

/** Discovery finished: `fileCount` source files will be parsed; `skipped` were left out on purpose. */
export interface ScanFinishedEvent extends Timed {
  type: "scan-finished";
  fileCount: number;
  skipped: SkippedFile[];
}

/** Another run holds the index's writer lock; this run waits (`--wait`) for it. */
export interface LockWaitingEvent extends Timed {
  type: "lock-waiting";
  holderPid: number;
  /** ISO-8601 time the holder took the lock. */
  holderStartedAt: string;
}

/**
 * Discovered files compared with the catalog by size and mtime: `filesToRead` (added + changed)
 * will be read and hashed; unchanged files are not read at all; removed files lose their rows.
 * `fullRebuildReason` is set when the catalog cannot be trusted (missing or damaged table,
 * unreadable catalog, another model) and every file is re-read.
 */
export interface PlanReadyEvent extends Timed {
  type: "plan-ready";
  filesToRead: number;
  filesAdded: number;
  filesChanged: number;
  filesUnchanged: number;
  filesRemoved: number;
  fullRebuildReason: string | null;
}

/** A file was left out when read (binary content). */
export interface FileSkippedEvent extends Timed {
  type: "file-skipped";
  skipped: SkippedFile;
}

/** The run was asked to stop (signal or `--max-items`); it finishes the batch in flight and saves. */
export interface StopRequestedEvent extends Timed {
  type: "stop-requested";
  reason: StopReason;
}

/** One file was read and parsed into `entityCount` entities (possibly after recovering from syntax errors). */
export interface FileExtractedEvent extends Timed {
  type: "file-extracted";
  path: string;
  entityCount: number;
}

/** A file could not be read or parsed cleanly; `failure.stage` is `read` or `parse`. */
export interface FileFailedEvent extends Timed {
  type: "file-failed";
  failure: IndexFailure;
}

/** All files are parsed: `entityCount` entities in total. */
export interface ExtractFinishedEvent extends Timed {
  type: "extract-finished";
  fileCount: number;
  entityCount: number;
  durationMs: number;
}

/**
 * How the embedding cache was found: loaded, absent (new), corrupt (set aside and rebuilt), or of
 * an older format that cannot be verified (deleted and rebuilt).
 */
export type CacheState = "loaded" | "new" | "corrupt-rebuilt" | "outdated-replaced";

/** The embedding cache was consulted for every entity. */
export interface CacheCheckedEvent extends Timed {
  type: "cache-checked";
  hits: number;
  misses: number;
  cacheState: CacheState;
  /** Where a corrupt cache was moved, when `cacheState` is `corrupt-rebuilt`. */
  setAsidePath?: string;
  /**
   * Cache entries found damaged and dropped so far (key lines that did not parse or pointed outside
   * the vector file, vectors that failed their checksum); present when above 0. Their entities are misses.
   */
  entriesDiscarded?: number;
}

/** The model is being loaded (and downloaded on first use). */
export interface ModelLoadingEvent extends Timed {
  type: "model-loading";
  modelId: string;
}

/** The model is ready; `dimension` is its vector length. */
export interface ModelLoadedEvent extends Timed {
  type: "model-loaded";
  modelId: string;
  dimension: number;
  durationMs: number;
}

/** One entity received its vector from the model. */
export interface ChunkEmbeddedEvent extends Timed {
  type: "chunk-embedded";
  path: string;
  qualifiedName: string;
  startLine: number;
}

/** One entity could not be embedded; `failure.stage` is `embed`. */
export interface ChunkFailedEvent extends Timed {
  type: "chunk-failed";
  failure: IndexFailure;
}

/** The embedding cache was written to disk (temp file + rename). */
export interface CacheSavedEvent extends Timed {
  type: "cache-saved";
  entryCount: number;
}

/** Rows are being written to LanceDB. */
export interface StoreStartedEvent extends Timed {
  type: "store-started";
  rowCount: number;
}

/** Rows were written to LanceDB. */
export interface StoreFinishedEvent extends Timed {
  type: "store-finished";
  rowCount: number;
  durationMs: number;
  /** Name of the vector index trained during this write (the table reached its row threshold or outgrew the index), if one was. */
  vectorIndexBuilt?: string;
}

/**
 * Fusion calibration began: the run ranks the repository's documented functions by their docstrings
 * (pipeline/calibrate-fusion.ts) to choose hybrid mode's weights; `fusion-calibrated` ends it.
 * Emitted only when calibration runs (not when the recorded fusion is kept).
 */
export interface FusionCalibratingEvent extends Timed {
  type: "fusion-calibrating";
}

/**
 * Hybrid mode's fusion weights were chosen for the index (rank/fusion-calibration.ts): by
 * calibration on the repository's documented functions, or by the uncalibrated default.
 */
export interface FusionCalibratedEvent extends Timed {
  type: "fusion-calibrated";
  calibrated: boolean;
  /** Weight of the vector side in hybrid mode (lexical side 1). */
  vectorWeight: number;
  /** One human line: what was measured, or why calibration could not run. */
  note: string;
  /** Texts the model embedded for calibration (0 when it did not run). */
  modelCalls: number;
  durationMs: number;
}

/** The run is over (successfully or with per-item failures); fatal errors end a run without this event. */
export interface IndexFinishedEvent extends Timed {
  type: "index-finished";
  summary: IndexSummary;
}

/** Everything the indexing core can emit. */
export type IndexEvent =
  | RunStartedEvent
  | LockWaitingEvent
  | ScanFinishedEvent
  | PlanReadyEvent
  | FileSkippedEvent
  | StopRequestedEvent
  | FileExtractedEvent
  | FileFailedEvent
  | ExtractFinishedEvent
  | CacheCheckedEvent
  | ModelLoadingEvent
  | ModelLoadedEvent
  | ChunkEmbeddedEvent
  | ChunkFailedEvent
  | CacheSavedEvent
  | StoreStartedEvent
  | StoreFinishedEvent
  | FusionCalibratingEvent
  | FusionCalibratedEvent
  | IndexFinishedEvent;

/** The one sink events go to. It must not throw; it is called synchronously in emission order. */
export type IndexEventSink = (event: IndexEvent) => void;

/** Distributive Omit, so each member of a union keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before its time is added. */
export type IndexEventBody = DistributiveOmit<IndexEvent, "elapsedMs">;

/** Where the stages of one run send events: stamps each with the run's `elapsedMs` and passes it on. */
export type RunEventEmitter = (body: IndexEventBody) => void;

/** The start of one run: its monotonic origin and its wall-clock time. */
export interface RunClock {
  /** `performance.now()` at the start, in ms. */
  originMs: number;
  /** ISO-8601 wall-clock time of the start. */
  startedAt: string;
}

/** Starts a run's clock now. */
export function startRunClock(): RunClock {
  return { originMs: performance.now(), startedAt: new Date().toISOString() };
}

/**
 * Returns the emitter of one run: each body gets `elapsedMs` = whole ms since `clock.originMs`
 * (never negative, never decreasing) and goes to `sink` synchronously, in emission order.
 */
export function createRunEmitter(sink: IndexEventSink, clock: RunClock): RunEventEmitter {
  return (body) => sink({ ...body, elapsedMs: Math.max(0, Math.round(performance.now() - clock.originMs)) } as IndexEvent);
}

/** Compile-time exhaustiveness check for `switch (event.type)`; throws if reached at run time. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
