import type { IndexEventSink } from "../model/events.js";
import type { IndexSummary } from "../model/types.js";
import type { IndexStatus, SearchSession } from "../pipeline/index.js";

/**
 * How current the answers are, as the server reports it with every search and in `status`.
 * Without a watcher the server only knows what the last run and the files' size and mtime say
 * (per-hit warnings); a watcher (`mcp --watch`) reports its own state here.
 */
export interface Freshness {
  /** True while a watcher follows the repository's files. */
  watching: boolean;
  /**
   * `unwatched`: nothing follows edits; answers are as of the last index run.
   * `fresh`: the watcher saw no change since its last completed run.
   * `refreshing`: a run is under way; answers come from the last committed index.
   * `stale`: changes are waiting for a run (debounce) or the last refresh failed.
   * `error`: the watcher stopped (e.g. inotify limit); answers come from the last committed index.
   */
  state: "unwatched" | "fresh" | "refreshing" | "stale" | "error";
  /** One human sentence for the agent, present unless `fresh`. */
  message?: string;
  /** ISO time the last refresh run finished, when known. */
  lastRefreshAt?: string;
}

/** Freshness when no watcher runs. */
export const UNWATCHED: Freshness = {
  watching: false,
  state: "unwatched",
  message: "no watcher: answers reflect the last index run; files changed since are named in warnings (run the reindex tool to refresh)",
};

/** How the service runs an incremental index (the CLI supplies `indexRepo` with its options). */
export type IndexRunner = (run: { sink: IndexEventSink; signal: AbortSignal }) => Promise<IndexSummary>;

/** Options of {@link createIndexService}. */
export interface IndexServiceOptions {
  /** Opens the index and (lazily) its model. @throws IndexNotFoundError when there is no index yet. */
  openSession(): Promise<SearchSession>;
  /** `codesearch status`'s facts about the index. @throws IndexNotFoundError. */
  readStatus(): Promise<IndexStatus>;
  runIndex: IndexRunner;
  /**
   * Where a watcher plugs in (`mcp --watch`, src/watch/): it reports its state here, and calls
   * {@link IndexService.indexChanged} after each run it completes. Default: {@link UNWATCHED}.
   */
  freshness?: () => Freshness;
}

/** The warm index behind the MCP tools: one search session kept open between calls, and at most one index run at a time. */
export interface IndexService {
  /**
   * The open session, opened on first use and kept; while there is no index, every call tries
   * again (so an index built meanwhile is found).
   * @throws IndexNotFoundError; StoreError.
   */
  session(): Promise<SearchSession>;
  readStatus(): Promise<IndexStatus>;
  /**
   * Runs (or joins the run already in flight) an incremental index. Searches keep answering from
   * the last committed index meanwhile (they never wait for the run) and move to the new commit on
   * their next query (see `openSearchSession`).
   * @throws what the runner throws (IndexLockedError when `codesearch index` holds the lock, …).
   */
  reindex(sink: IndexEventSink): Promise<IndexSummary>;
  /** True while a run started by {@link IndexService.reindex} is in flight. */
  readonly reindexing: boolean;
  /**
   * Moves the session to the commit the manifest names now (checked first), without waiting for
   * the next search. Not needed for correctness: each search follows the latest commit by itself,
   * by its generation, after a rebuild, a repair or a change of model too. No-op when no session is open.
   */
  indexChanged(): Promise<void>;
  freshness(): Freshness;
  /** Stops a run in flight (it saves what it has) and closes the session. */
  close(): Promise<void>;
}

/** Builds the {@link IndexService} over the given session opener and index runner. */
export function createIndexService(options: IndexServiceOptions): IndexService {
  let session: Promise<SearchSession> | undefined;
  let run: Promise<IndexSummary> | undefined;
  const sinks = new Set<IndexEventSink>();
  const controller = new AbortController();

  const openSession = (): Promise<SearchSession> =>
    (session ??= options.openSession().catch((error: unknown) => {
      session = undefined;
      throw error;
    }));

  const reloadSession = async (): Promise<void> => {
    if (!session) return;
    const open = await session.catch(() => undefined);
    if (open) await open.reload();
    else session = undefined;
  };

  return {
    session: openSession,
    readStatus: () => options.readStatus(),
    reindex: (sink) => {
      sinks.add(sink);
      run ??= options
        .runIndex({ sink: (event) => sinks.forEach((s) => s(event)), signal: controller.signal })
        .finally(() => {
          run = undefined;
          sinks.clear();
        });
      return run;
    },
    get reindexing() {
      return run !== undefined;
    },
    indexChanged: reloadSession,
    freshness: () => {
      const reported = options.freshness?.() ?? UNWATCHED;
      if (run && !reported.watching) return { ...reported, state: "refreshing", message: "a reindex run is under way; answers come from the last committed index" };
      return reported;
    },
    close: async () => {
      controller.abort();
      await run?.catch(() => undefined);
      const open = await session?.catch(() => undefined);
      await open?.close();
    },
  };
}
