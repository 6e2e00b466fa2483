/**
 * What a watcher that keeps an index following edits reports: typed events to one sink (the CLI
 * prints them; a server keeps the latest state), and the state snapshot a search can quote.
 */
import type { IndexSummary } from "./types.js";

/**
 * Every watch event carries `atMs`: the wall-clock time it was emitted, `Date.now()` (ms since the
 * Unix epoch), so a watcher's log lines can be matched with edits made by other processes.
 */
interface Timed {
  atMs: number;
}

/** Why a refresh (an incremental index run) started. */
export type RefreshReason = "start" | "changes" | "requested";

/** The watcher is subscribed: it follows `repoRoot`, leaving `unwatchedDirs` directories (ignored trees) unwatched. */
export interface WatchStartedEvent extends Timed {
  type: "watch-started";
  repoRoot: string;
  indexDir: string;
  /** Repository-relative directories not watched because the index ignores them, sorted. */
  unwatchedDirs: string[];
}

/** A refresh began: `changedPaths` file-system changes (after filtering) were coalesced into it. */
export interface RefreshStartedEvent extends Timed {
  type: "refresh-started";
  reason: RefreshReason;
  changedPaths: number;
}

/** A refresh ended with the run's summary (`summary.stopReason` set when it was stopped early). */
export interface RefreshFinishedEvent extends Timed {
  type: "refresh-finished";
  summary: IndexSummary;
}

/** A refresh failed with a fatal error; the index holds what the last successful run committed. */
export interface RefreshFailedEvent extends Timed {
  type: "refresh-failed";
  /** `CodesearchError.code`, or `internal` for an unexpected error. */
  code: string;
  message: string;
  cause: unknown;
}

/**
 * The file watcher itself failed (e.g. the inotify watch limit, `ENOSPC`, or too many open files,
 * `EMFILE`): edits are no longer followed and the index is no longer claimed fresh.
 */
export interface WatcherFailedEvent extends Timed {
  type: "watcher-failed";
  message: string;
  /** The errno code when the cause carried one (`ENOSPC`, `EMFILE`, …). */
  errno?: string;
  cause: unknown;
}

/** The watcher was closed; no refresh runs any more. */
export interface WatchStoppedEvent extends Timed {
  type: "watch-stopped";
}

/** Everything a watcher emits. */
export type WatchEvent = WatchStartedEvent | RefreshStartedEvent | RefreshFinishedEvent | RefreshFailedEvent | WatcherFailedEvent | WatchStoppedEvent;

/** The one sink watch events go to. It must not throw; it is called synchronously in emission order. */
export type WatchEventSink = (event: WatchEvent) => void;

/** Where a watcher stands. */
export type WatchPhase = "starting" | "idle" | "pending" | "refreshing" | "failed" | "stopped";

/** A snapshot of a watcher, for `status` answers and staleness notes on search results. */
export interface WatchState {
  /**
   * True only when the watcher is healthy, no change waits to be indexed, no refresh runs, and the
   * last refresh finished without a fatal error or an early stop.
   */
  fresh: boolean;
  phase: WatchPhase;
  /** Why the watcher stopped following edits, when it did. */
  watcherError: string | null;
  /** ISO-8601 time of the oldest change not yet committed to the index; null when none waits. */
  pendingSince: string | null;
  /** The last refresh: when it ended (ISO-8601), how long it took, and its error if it failed. */
  lastRefresh: { finishedAt: string; durationMs: number; ok: boolean; error?: string } | null;
  /** Refreshes finished (successfully or not) since the watcher started. */
  refreshCount: number;
}
