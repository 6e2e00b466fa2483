/**
 * Bridges the event sink to React: a tiny external store that folds every event with
 * `reduceProgress` at once but publishes snapshots to subscribers at most every `throttleMs`.
 */
import { useSyncExternalStore } from "react";
import type { IndexEvent, IndexEventSink } from "../model/events.js";
import { initialProgressState, reduceProgress } from "../report/index.js";
import type { ProgressState } from "../report/index.js";

/** Options of `createProgressStore`. */
export interface ProgressStoreOptions {
  /** Least ms between two published snapshots; default 100 (about 10 renders per second). */
  throttleMs?: number;
}

/** State holder between the indexing core (writes through `sink`) and React (reads through `useIndexProgress`). */
export interface ProgressStore {
  /** Hand this to the core: folds the event in and schedules a publish. Never throws. */
  sink: IndexEventSink;
  /** The last published state; the same object until the next publish (as `useSyncExternalStore` needs). */
  getSnapshot(): ProgressState;
  /** Calls `listener` after each publish; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Publishes the latest state now and cancels a pending throttled publish. */
  flush(): void;
  /** Cancels a pending publish and drops every listener; later events are still folded in. */
  dispose(): void;
}

/**
 * Creates a store. A phase change (e.g. model loading → embedding, or `index-finished`) is
 * published at once; other events are published together at most every `throttleMs` (a
 * trailing timer, unref'ed so it never keeps the process alive). Uses `Date.now` and
 * `setTimeout`.
 */
export function createProgressStore(options: ProgressStoreOptions = {}): ProgressStore {
  const throttleMs = Math.max(0, options.throttleMs ?? 100);
  let latest: ProgressState = initialProgressState();
  let published: ProgressState = latest;
  let lastPublishMs = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const listeners = new Set<() => void>();

  const cancelTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const publish = (): void => {
    cancelTimer();
    lastPublishMs = Date.now();
    if (published === latest) return;
    published = latest;
    for (const listener of [...listeners]) listener();
  };

  const sink = (event: IndexEvent): void => {
    const before = latest;
    latest = reduceProgress(latest, event);
    if (latest.phase !== before.phase) {
      publish();
      return;
    }
    if (timer !== null) return;
    const waitMs = lastPublishMs + throttleMs - Date.now();
    if (waitMs <= 0) {
      publish();
      return;
    }
    timer = setTimeout(publish, waitMs);
    timer.unref?.();
  };

  return {
    sink,
    getSnapshot: () => published,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    flush: publish,
    dispose() {
      cancelTimer();
      listeners.clear();
    },
  };
}

/** The store's published `ProgressState`; the component re-renders on each publish. */
export function useIndexProgress(store: ProgressStore): ProgressState {
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
