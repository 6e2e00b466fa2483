// Runs watchRepo in this process on a temp repository with the committed test model, recording
// its events, so a test can make an edit and wait for the refresh that follows it.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach } from "vitest";
import type { IndexEvent } from "../../src/model/events.js";
import type { WatchEvent } from "../../src/model/watch-events.js";
import { watchRepo, type RepoWatcher, type WatchRepoOptions } from "../../src/watch/watch-repo.js";
import { countingLoader } from "./counting-loader.js";
import { testModelOptions } from "./test-model-options.js";

const running: RepoWatcher[] = [];

// Registered after temp-dirs.ts's hook, so (after-hooks run last-registered first) each watcher is
// closed before its repository is removed: a live watcher writes its record into the index folder.
afterEach(async () => {
  await Promise.all(running.splice(0).map((watcher) => watcher.close()));
});

/** A watcher under test and what it reported. */
export interface WatchSession {
  watcher: RepoWatcher;
  events: WatchEvent[];
  indexEvents: IndexEvent[];
  /** Resolves with the first refresh-finished / refresh-failed event at or after index `from` of `events`. */
  refreshEnded(from: number): Promise<WatchEvent>;
  /** Refreshes started at or after index `from` of `events`. */
  refreshesSince(from: number): WatchEvent[];
  /**
   * Runs `act`, waits for the refresh it causes, then waits `settleMs` more (several debounce
   * periods) for any further refresh and returns every refresh started since `act`.
   */
  afterEdit(act: () => Promise<unknown>, settleMs?: number): Promise<WatchEvent[]>;
}

/** Starts watching `repoRoot` (index in `<repoRoot>/.codesearch`, test model, offline); closed when the test ends, before its temp folders are removed. */
export async function startWatchSession(repoRoot: string, overrides: Partial<WatchRepoOptions> = {}): Promise<WatchSession> {
  const events: WatchEvent[] = [];
  const indexEvents: IndexEvent[] = [];
  const listeners = new Set<() => void>();
  const watcher = await watchRepo({
    ...testModelOptions(repoRoot),
    loadEmbedder: countingLoader(),
    debounceMs: 300,
    sink: (e) => {
      events.push(e);
      for (const listener of listeners) listener();
    },
    indexSink: (e) => indexEvents.push(e),
    ...overrides,
  });
  running.push(watcher);
  const refreshEnded = (from: number): Promise<WatchEvent> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = events.slice(from).find((e) => e.type === "refresh-finished" || e.type === "refresh-failed");
        if (!found) return;
        listeners.delete(check);
        resolve(found);
      };
      listeners.add(check);
      check();
    });
  const refreshesSince = (from: number): WatchEvent[] => events.slice(from).filter((e) => e.type === "refresh-started");
  return {
    watcher,
    events,
    indexEvents,
    refreshEnded,
    refreshesSince,
    async afterEdit(act, settleMs = 1200) {
      const from = events.length;
      await act();
      await refreshEnded(from);
      await sleep(settleMs);
      await watcher.whenIdle();
      return refreshesSince(from);
    },
  };
}
