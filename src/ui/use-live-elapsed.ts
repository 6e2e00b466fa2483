/**
 * The elapsed counter of a running index, kept moving between events: the run's own clock (the
 * latest event's `elapsedMs`) plus the wall time since that state was published, redrawn every
 * second. Without it the counter froze through long phases that send no event (writing rows to
 * LanceDB, building the full-text indexes) and then jumped.
 */
import { useEffect, useMemo, useState } from "react";
import type { ProgressState } from "../report/index.js";

/** How often the counter is redrawn while nothing else changes, in ms (the counter shows tenths of a second at most). */
export const ELAPSED_TICK_MS = 1_000;

/**
 * The elapsed ms to show: `state.elapsedMs` once the run finished (the summary's duration),
 * else `state.elapsedMs` plus `msSincePublished` (never negative). Pure.
 */
export function liveElapsedMs(state: ProgressState, msSincePublished: number): number {
  if (state.phase === "finished") return state.elapsedMs;
  return state.elapsedMs + Math.max(0, msSincePublished);
}

/**
 * {@link liveElapsedMs} for the state React holds now: remembers the wall time (`Date.now`) at
 * which each new state object arrived, and re-renders every {@link ELAPSED_TICK_MS} until the run
 * finishes (an unref'ed interval, so it never keeps the process alive).
 */
export function useLiveElapsedMs(state: ProgressState): number {
  const arrivedAtMs = useMemo(() => Date.now(), [state]);
  const [nowMs, setNowMs] = useState(() => Date.now());
  const running = state.phase !== "finished";
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => setNowMs(Date.now()), ELAPSED_TICK_MS);
    timer.unref?.();
    return () => clearInterval(timer);
  }, [running]);
  return liveElapsedMs(state, Math.max(nowMs, arrivedAtMs) - arrivedAtMs);
}
