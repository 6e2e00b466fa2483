/**
 * watch/ keeps an index following edits: it subscribes to file-system events and SCHEDULES
 * incremental runs of the pipeline's `indexRepo`. It must never index by itself, print, or exit.
 */
import path from "node:path";
import { CodesearchError, WatcherError, describeError } from "../model/errors.js";
import type { IndexEventSink } from "../model/events.js";
import type { IndexSummary } from "../model/types.js";
import type { RefreshReason, WatchEvent, WatchEventSink, WatchPhase, WatchState } from "../model/watch-events.js";
import { indexRepo, type IndexRepoOptions } from "../pipeline/index.js";
import { indexPathsOf, removeWatchRecord, resolveIndexLocation, writeWatchRecord } from "../store/index.js";
import { RefreshScheduler } from "./refresh-scheduler.js";
import { keepEmbedderWarm } from "./warm-embedder.js";
import { classifyChange, findUnwatchedPaths } from "./watched-paths.js";

/** One file-system event as the watcher backend reports it (absolute path). */
export interface FileChange {
  type: "create" | "update" | "delete";
  path: string;
}

/** A live subscription of a {@link SubscribeFn}. */
export interface Subscription {
  unsubscribe(): Promise<void>;
}

/**
 * The file-watching backend: `@parcel/watcher`'s `subscribe` (recursive, batched events, `ignore`
 * as absolute paths and globs). It rejects when the tree cannot be watched, and reports later
 * failures through `onEvents(error, [])`.
 */
export type SubscribeFn = (dir: string, onEvents: (error: Error | null, events: FileChange[]) => void, options: { ignore: string[] }) => Promise<Subscription>;

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
  const emit = (body: DistributiveOmit<WatchEvent, "atMs">): void => {
    sink({ ...body, atMs: Date.now() } as WatchEvent);
    publish();
  };
  const subscribe = subscribeOption ?? (await loadParcelSubscribe());
  const warm = keepEmbedderWarm(options.loadEmbedder);
  const controller = new AbortController();
  let phase: WatchPhase = "starting";
  let watcherError: string | null = null;
  let lastRefresh: WatchState["lastRefresh"] = null;
  let refreshCount = 0;
  let rulesChanged = false;
  let subscription: Subscription | null = null;

  const fail = (error: unknown): void => {
    if (watcherError !== null || phase === "stopped") return;
    const failure = toWatcherError(error, repoRoot);
    watcherError = failure.message;
    emit({ type: "watcher-failed", message: failure.message, ...(failure.errno ? { errno: failure.errno } : {}), cause: error });
    const current = subscription;
    subscription = null;
    void current?.unsubscribe().catch(() => undefined);
  };

  const onEvents = (error: Error | null, events: FileChange[]): void => {
    if (error) return fail(error);
    let relevant = 0;
    for (const event of events) {
      const kind = classifyChange(repoRoot, event.path);
      if (kind === "irrelevant") continue;
      if (kind === "ignore-rules") rulesChanged = true;
      relevant++;
    }
    scheduler.noteChanges(relevant);
    publish();
  };

  const watch = async (): Promise<{ subscription: Subscription; unwatchedDirs: string[] }> => {
    const unwatched = await findUnwatchedPaths(repoRoot, { indexDir, ...(options.exclude ? { exclude: options.exclude } : {}) });
    try {
      return { subscription: await subscribe(repoRoot, onEvents, { ignore: unwatched.ignore }), unwatchedDirs: unwatched.dirs };
    } catch (error) {
      throw toWatcherError(error, repoRoot);
    }
  };

  /**
   * Ignore rules changed: drop the subscription, then subscribe with the new unwatched set. Not the
   * other way round: @parcel/watcher's inotify backend shares one watch descriptor per directory
   * between subscriptions, so unsubscribing the old one afterwards silences the new one. A change
   * in the gap is still indexed: the refresh that follows re-scans the whole tree.
   */
  const rewatch = async (): Promise<void> => {
    if (watcherError !== null) return;
    try {
      const old = subscription;
      subscription = null;
      await old?.unsubscribe();
      subscription = (await watch()).subscription;
    } catch (error) {
      fail(error);
    }
  };

  const refresh = async (reason: RefreshReason, changedPaths: number): Promise<void> => {
    if (rulesChanged) {
      rulesChanged = false;
      await rewatch();
    }
    phase = "refreshing";
    emit({ type: "refresh-started", reason, changedPaths });
    const startedAt = Date.now();
    let summary: IndexSummary | null = null;
    try {
      summary = await indexRepo({
        ...runOptions,
        repoRoot,
        indexDir,
        waitForLock: true,
        loadEmbedder: warm.loader,
        sink: indexSink ?? (() => {}),
        signal: controller.signal,
      });
    } catch (error) {
      const code = error instanceof CodesearchError ? error.code : "internal";
      lastRefresh = { finishedAt: new Date().toISOString(), durationMs: Date.now() - startedAt, ok: false, error: describeError(error) };
      refreshCount++;
      emit({ type: "refresh-failed", code, message: describeError(error), cause: error });
      return;
    } finally {
      if (phase === "refreshing") phase = "idle";
    }
    lastRefresh = { finishedAt: new Date().toISOString(), durationMs: summary.durationMs, ok: summary.stopReason === null };
    refreshCount++;
    emit({ type: "refresh-finished", summary });
  };

  const currentState = (): WatchState => {
    const current: WatchPhase =
      phase === "stopped" ? "stopped" : watcherError !== null ? "failed" : scheduler.isRunning ? "refreshing" : scheduler.hasPending ? "pending" : phase;
    const pendingSince = scheduler.pendingSince;
    return {
      fresh: current === "idle" && lastRefresh?.ok === true,
      phase: current,
      watcherError,
      pendingSince: pendingSince === null ? null : new Date(pendingSince).toISOString(),
      lastRefresh,
      refreshCount,
    };
  };

  // The state for other processes (`codesearch status`): written when it changes, one write at a
  // time, the latest state last. A failed write leaves the previous record, dated by its `updatedAt`.
  const { stateDir } = indexPathsOf(indexDir);
  const watchStartedAt = new Date().toISOString();
  let recorded = "";
  let recording: Promise<void> = Promise.resolve();
  const publish = (): void => {
    recording = recording.then(async () => {
      if (phase === "stopped") return;
      const state = currentState();
      const text = JSON.stringify(state);
      if (text === recorded) return;
      await writeWatchRecord(stateDir, watchStartedAt, state).then(
        () => void (recorded = text),
        () => undefined,
      );
    });
  };

  // Published once the scheduler has counted the run as over (its `finally` runs before the next macrotask).
  const refreshAndPublish = (reason: RefreshReason, changedPaths: number): Promise<void> => refresh(reason, changedPaths).finally(() => setImmediate(publish));
  const scheduler = new RefreshScheduler(refreshAndPublish, {
    ...(debounceMs !== undefined ? { debounceMs } : {}),
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
  });

  const first = await watch();
  subscription = first.subscription;
  emit({ type: "watch-started", repoRoot, indexDir, unwatchedDirs: first.unwatchedDirs });
  phase = "idle";
  scheduler.startNow();

  return {
    state: currentState,
    requestRefresh: () => scheduler.requestNow(),
    whenIdle: () => scheduler.whenIdle(),
    async close(): Promise<void> {
      if (phase === "stopped") return;
      phase = "stopped";
      controller.abort();
      const current = subscription;
      subscription = null;
      await Promise.all([scheduler.close(), current?.unsubscribe().catch(() => undefined)]);
      await recording;
      await removeWatchRecord(stateDir);
      await warm.dispose();
      emit({ type: "watch-stopped" });
    },
  };
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

/** A watcher failure as a {@link WatcherError}, with advice for the inotify limits. */
function toWatcherError(error: unknown, repoRoot: string): WatcherError {
  if (error instanceof WatcherError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const advice =
    " (on Linux, a tree needs one inotify watch per directory: raise fs.inotify.max_user_watches, " +
    "e.g. `sudo sysctl fs.inotify.max_user_watches=524288`, or exclude large trees with .codesearchignore / --exclude)";
  return new WatcherError(`cannot watch ${repoRoot} for changes: ${describeError(error)}${process.platform === "linux" ? advice : ""}`, {
    cause: error,
    ...(errno ? { errno } : {}),
  });
}
