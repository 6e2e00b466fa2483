import type { WatchState } from "../model/watch-events.js";
import type { Freshness } from "./index-service.js";

/**
 * The server's {@link Freshness} while a watcher (`mcp --watch`) follows the repository, from the
 * watcher's {@link WatchState}: `fresh` only when the watcher says so (healthy, nothing waiting,
 * last refresh committed); `refreshing` while a run is under way; `stale` while changes wait for
 * the debounce or after a failed refresh; `error` once the watcher itself failed (inotify limit,
 * no native binary) — never `fresh` again, and answers come from the last committed index.
 * `startError` is the reason the watcher could not start at all, when it could not.
 */
export function freshnessOfWatch(state: WatchState | null, startError?: string): Freshness {
  const lastRefreshAt = state?.lastRefresh?.finishedAt;
  const base = { watching: true, ...(lastRefreshAt ? { lastRefreshAt } : {}) };
  if (state === null || state.phase === "failed" || state.phase === "stopped") {
    const reason = state?.watcherError ?? startError ?? "the watcher stopped";
    return { ...base, watching: false, state: "error", message: `edits are no longer followed (${reason}); answers come from the last committed index — run the reindex tool to refresh` };
  }
  if (state.fresh) return { ...base, state: "fresh" };
  if (state.phase === "starting" || (state.phase === "refreshing" && state.refreshCount === 0)) {
    return { ...base, state: "refreshing", message: "catching up with edits made before the watcher started; answers come from the last committed index" };
  }
  if (state.phase === "refreshing") {
    return { ...base, state: "refreshing", message: "a refresh is under way after edits; answers come from the last committed index" };
  }
  if (state.phase === "pending") {
    return { ...base, state: "stale", message: `files changed since ${state.pendingSince ?? "recently"}; a refresh starts once edits pause` };
  }
  return { ...base, state: "stale", message: `the last refresh failed (${state.lastRefresh?.error ?? "unknown error"}); answers come from the last committed index, the next edit retries` };
}
