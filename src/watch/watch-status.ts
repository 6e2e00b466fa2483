import type { WatchPhase, WatchState } from "../model/watch-events.js";
import { writeWatchRecord } from "../store/index.js";

/** What {@link WatchStatus} reads of the refresh scheduler. */
export interface SchedulerView {
  readonly isRunning: boolean;
  readonly hasPending: boolean;
  /** Epoch ms of the oldest change waiting, or null. */
  readonly pendingSince: number | null;
}

/**
 * Where a watcher stands: its own phase, how its last refresh ended and how many ran. What the
 * scheduler and the file subscription know (a refresh running or pending, a watcher failure) is
 * read when {@link state} is asked, so nothing is kept twice.
 */
export class WatchStatus {
  /** `starting` until the first subscription, `idle` after, `refreshing` during a refresh, `stopped` after close. */
  phase: WatchPhase = "starting";
  #lastRefresh: WatchState["lastRefresh"] = null;
  #refreshCount = 0;

  /** Records a finished refresh (successful or not). */
  refreshEnded(entry: NonNullable<WatchState["lastRefresh"]>): void {
    this.#lastRefresh = entry;
    this.#refreshCount++;
  }

  /**
   * The watcher's state now: `stopped`, else `failed` when the subscription failed, else
   * `refreshing` / `pending` as the scheduler says, else its own phase; `fresh` only when idle and
   * the last refresh succeeded.
   */
  state(scheduler: SchedulerView, watcherError: string | null): WatchState {
    const phase: WatchPhase =
      this.phase === "stopped" ? "stopped" : watcherError !== null ? "failed" : scheduler.isRunning ? "refreshing" : scheduler.hasPending ? "pending" : this.phase;
    return {
      fresh: phase === "idle" && this.#lastRefresh?.ok === true,
      phase,
      watcherError,
      pendingSince: scheduler.pendingSince === null ? null : new Date(scheduler.pendingSince).toISOString(),
      lastRefresh: this.#lastRefresh,
      refreshCount: this.#refreshCount,
    };
  }
}

/**
 * Writes a watcher's state for other processes (`codesearch status`, the `watch.json` record):
 * when it changed since the last write, one write at a time, the latest state last. A failed write
 * leaves the previous record, dated by its `updatedAt`.
 */
export class WatchRecordPublisher {
  #written = "";
  #writing: Promise<void> = Promise.resolve();
  #stopped = false;

  /**
   * @param stateDir the index's state folder.
   * @param startedAt ISO-8601 time the watcher started (recorded with each state).
   * @param state the state to write, read when a write starts.
   */
  constructor(
    private readonly stateDir: string,
    private readonly startedAt: string,
    private readonly state: () => WatchState,
  ) {}

  /** Queues a write of the state as it will be when the write starts. */
  publish(): void {
    this.#writing = this.#writing.then(async () => {
      if (this.#stopped) return;
      const state = this.state();
      const text = JSON.stringify(state);
      if (text === this.#written) return;
      await writeWatchRecord(this.stateDir, this.startedAt, state).then(
        () => void (this.#written = text),
        () => undefined,
      );
    });
  }

  /** Resolves once the writes queued so far are done (or skipped). */
  whenWritten(): Promise<void> {
    return this.#writing;
  }

  /** Stops publishing and waits for the write in progress; writes still queued, and later {@link publish} calls, write nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#writing;
  }
}
