/**
 * watch/ keeps an index following edits: it subscribes to file-system events and SCHEDULES
 * incremental runs of the pipeline's `indexRepo`. It must never index by itself, print, or exit.
 */
import path from "node:path";
import { CodesearchError, WatcherError, describeError } from "../model/errors.js";
import type { IndexEventSink } from "../model/events.js";
import type { IndexSummary } from "../model/types.js";
import type { RefreshReason, WatchEvent, WatchEventSink, WatchState } from "../model/watch-events.js";
import { indexRepo, type IndexRepoOptions } from "../pipeline/index.js";
import { indexPathsOf, removeWatchRecord, resolveIndexLocation } from "../store/index.js";
import { RefreshScheduler } from "./refresh-scheduler.js";
import { RepoSubscription, type SubscribeFn } from "./repo-subscription.js";
import { keepEmbedderWarm } from "./warm-embedder.js";
import { WatchRecordPublisher, WatchStatus } from "./watch-status.js";

export type { FileChange, SubscribeFn, Subscription } from "./repo-subscription.js";

/** Options of {@link watchRepo}: those of `indexRepo` for each refresh, plus the watcher's. */
export interface WatchRepoOptions extends Omit<IndexRepoOptions, "sink" | "signal" | "waitForLock" | "dryRun" | "maxItems"> {
  /** Watch events (refresh started / finished / failed, watcher failed). */
  sink: WatchEventSink;
  /** Progress events of each refresh's index run; default: dropped. */
  indexSink?: IndexEventSink;
  /** Quiet time after the last change before a refresh, ms; default 500. */
  debounceMs?: number;
  /** Longest a change waits while changes keep coming, ms; default 5,000. */
  maxWaitMs?: number;
  /** The watcher backend; default `@parcel/watcher`, loaded on first use. */
  subscribe?: SubscribeFn;
}

/** A running watcher. */
export interface RepoWatcher {
  /** Where the watcher stands now; `fresh` is true only when nothing waits and nothing failed. */
  state(): WatchState;
  /** Asks for a refresh now (without the debounce); it runs after the one in flight, if any. */
  requestRefresh(): void;
  /** Resolves once no refresh runs and no change waits. */
  whenIdle(): Promise<void>;
  /** Stops following edits: the refresh in flight stops after its batch and saves; the lock is released; the kept model is freed. */
  close(): Promise<void>;
}

/**
 * Starts following `repoRoot`: subscribes to its file-system events (leaving unwatched the trees
 * the index ignores, see `findUnwatchedPaths`), runs one refresh at once (changes made while
 * nothing watched), then one refresh per burst of changes (debounced, coalesced, never two at a
 * time). Each refresh is `indexRepo` with `waitForLock`, so it waits for a `codesearch index` run
 * holding the writer lock instead of failing; the model is loaded once and kept between refreshes.
 * A refresh that fails is reported (`refresh-failed`) and the next change tries again. A watcher
 * failure (inotify `ENOSPC`, `EMFILE`) is reported (`watcher-failed`) and the state is never
 * `fresh` again; refreshes can still be requested.
 *
 * @throws WatcherError when the watcher cannot start (no native binary, watch limit reached);
 *   Error when `repoRoot` cannot be listed.
 */
export async function watchRepo(options: WatchRepoOptions): Promise<RepoWatcher> {
  const { sink, indexSink, debounceMs, maxWaitMs, subscribe: subscribeOption, ...runOptions } = options;
  const repoRoot = path.resolve(options.repoRoot);
  const indexDir = resolveIndexLocation(options.indexDir);
  const { stateDir } = indexPathsOf(indexDir);
  const warm = keepEmbedderWarm(options.loadEmbedder);
  const controller = new AbortController();
  const status = new WatchStatus();
  const state = (): WatchState => status.state(scheduler, files.error);
  const record = new WatchRecordPublisher(stateDir, new Date().toISOString(), state);
  const emit = (body: DistributiveOmit<WatchEvent, "atMs">): void => {
    sink({ ...body, atMs: Date.now() } as WatchEvent);
    record.publish();
  };
  const files = new RepoSubscription({
    repoRoot,
    indexDir,
    exclude: options.exclude,
    subscribe: subscribeOption ?? (await loadParcelSubscribe()),
    onChanges: (count) => {
      scheduler.noteChanges(count);
      record.publish();
    },
    onFailure: (failure, cause) => emit({ type: "watcher-failed", message: failure.message, ...(failure.errno ? { errno: failure.errno } : {}), cause }),
  });
  const runIndex = () =>
    indexRepo({ ...runOptions, repoRoot, indexDir, waitForLock: true, loadEmbedder: warm.loader, sink: indexSink ?? (() => {}), signal: controller.signal });
  const refresh = async (reason: RefreshReason, changedPaths: number): Promise<void> => {
    if (files.takeRulesChanged()) await files.rewatch();
    await refreshOnce(runIndex, status, emit, { reason, changedPaths });
  };
  // Published once the scheduler has counted the run as over (its `finally` runs before the next macrotask).
  const scheduler: RefreshScheduler = new RefreshScheduler((reason, changedPaths) => refresh(reason, changedPaths).finally(() => setImmediate(() => record.publish())), {
    ...(debounceMs !== undefined ? { debounceMs } : {}),
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
  });

  const { unwatchedDirs } = await files.start();
  emit({ type: "watch-started", repoRoot, indexDir, unwatchedDirs });
  status.phase = "idle";
  scheduler.startNow();

  return {
    state,
    requestRefresh: () => scheduler.requestNow(),
    whenIdle: () => scheduler.whenIdle(),
    async close(): Promise<void> {
      if (status.phase === "stopped") return;
      status.phase = "stopped";
      controller.abort();
      await Promise.all([scheduler.close(), files.close()]);
      await record.stop();
      await removeWatchRecord(stateDir);
      await warm.dispose();
      emit({ type: "watch-stopped" });
    },
  };
}

/**
 * One refresh: `run` (an incremental `indexRepo`) between `refresh-started` and
 * `refresh-finished` (or `refresh-failed`, with the error's exit-code name), recorded in `status`.
 * Never throws: a failed refresh is reported and the next change tries again.
 */
async function refreshOnce(
  run: () => Promise<IndexSummary>,
  status: WatchStatus,
  emit: (body: DistributiveOmit<WatchEvent, "atMs">) => void,
  cause: { reason: RefreshReason; changedPaths: number },
): Promise<void> {
  status.phase = "refreshing";
  emit({ type: "refresh-started", ...cause });
  const startedAt = Date.now();
  let summary: IndexSummary;
  try {
    summary = await run();
  } catch (error) {
    status.refreshEnded({ finishedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, ok: false, error: describeError(error) });
    emit({ type: "refresh-failed", code: error instanceof CodesearchError ? error.code : "internal", message: describeError(error), cause: error });
    return;
  } finally {
    if (status.phase === "refreshing") status.phase = "idle";
  }
  status.refreshEnded({ finishedAt: new Date().toISOString(), durationMs: summary.durationMs, ok: summary.stopReason === null });
  emit({ type: "refresh-finished", summary });
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** `@parcel/watcher`'s subscribe, imported only when a watcher starts (it loads a native binary). */
async function loadParcelSubscribe(): Promise<SubscribeFn> {
  try {
    const watcher = await import("@parcel/watcher");
    return (dir, onEvents, options) => watcher.subscribe(dir, onEvents, options);
  } catch (error) {
    throw new WatcherError(`the file watcher (@parcel/watcher) cannot load on this platform (${process.platform}-${process.arch}): ${describeError(error)}`, { cause: error });
  }
}
