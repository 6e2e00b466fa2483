import type { RefreshReason } from "../model/watch-events.js";

/**
 * Default quiet time after the last change before a refresh starts, ms. grepai, codanna and mgrep
 * wait 500 ms; here that was a third of issue 22's edit → found goal (≤ 1.0 s at 10k entities,
 * BENCHMARKS.md), while the bursts it must coalesce are tighter: an editor's save (temp file +
 * rename) lands within a few ms. A burst that pauses longer is split there into refreshes that
 * never run at once (`maxWaitMs` bounds a burst that never pauses).
 */
export const DEFAULT_DEBOUNCE_MS = 200;

/** Default longest a change waits while changes keep arriving, ms: a burst that never pauses still refreshes. */
export const DEFAULT_MAX_WAIT_MS = 5000;

/** Options of {@link RefreshScheduler}. */
export interface RefreshSchedulerOptions {
  /** Quiet time after the last change, ms; default {@link DEFAULT_DEBOUNCE_MS}. */
  debounceMs?: number;
  /** Longest wait from the first pending change, ms; default {@link DEFAULT_MAX_WAIT_MS}. */
  maxWaitMs?: number;
}

/** Runs one refresh covering `changedPaths` coalesced changes. It should not throw (errors are reported by it). */
export type RefreshRun = (reason: RefreshReason, changedPaths: number) => Promise<void>;

/**
 * Turns a stream of change notices into as few refreshes as the edits allow: a trailing debounce
 * (`debounceMs` after the last change, but no later than `maxWaitMs` after the first), at most one
 * refresh at a time, and one more after a refresh during which changes arrived. A 2,000-file
 * checkout whose events land within the debounce becomes a single refresh.
 */
export class RefreshScheduler {
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pendingPaths = 0;
  private pendingRequested = false;
  private firstPendingAt: number | null = null;
  private lastChangeAt = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: RefreshRun,
    options: RefreshSchedulerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Records `count` changed paths and (re)arms the debounce. */
  noteChanges(count: number): void {
    if (this.closed || count <= 0) return;
    const now = Date.now();
    this.pendingPaths += count;
    this.firstPendingAt ??= now;
    this.lastChangeAt = now;
    this.arm();
  }

  /** Starts a refresh as soon as none is running, without waiting for the debounce. */
  requestNow(): void {
    if (this.closed) return;
    this.pendingRequested = true;
    this.firstPendingAt ??= Date.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) this.start("requested");
  }

  /** Starts the first refresh (`reason` "start") at once. */
  startNow(): void {
    if (!this.closed && !this.running) this.start("start");
  }

  /** Whether a change waits for a refresh that has not started yet. */
  get hasPending(): boolean {
    return this.pendingPaths > 0 || this.pendingRequested;
  }

  /** When the oldest change not yet handed to a refresh arrived (ms since the Unix epoch), or null. */
  get pendingSince(): number | null {
    return this.firstPendingAt;
  }

  /** Whether a refresh is running now. */
  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Resolves once no refresh runs and none is pending (at once if so already). */
  whenIdle(): Promise<void> {
    if (!this.running && !this.timer && !this.hasPending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops scheduling; resolves when the refresh in flight (if any) has ended. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pendingPaths = 0;
    this.pendingRequested = false;
    this.firstPendingAt = null;
    await this.running;
    this.settleIdle();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.closed) return; // the refresh's end re-arms
    const now = Date.now();
    const untilQuiet = this.lastChangeAt + this.debounceMs - now;
    const untilMaxWait = (this.firstPendingAt ?? now) + this.maxWaitMs - now;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.start(this.pendingRequested ? "requested" : "changes");
    }, Math.max(0, Math.min(untilQuiet, untilMaxWait)));
  }

  private start(reason: RefreshReason): void {
    const changedPaths = this.pendingPaths;
    this.pendingPaths = 0;
    this.pendingRequested = false;
    this.firstPendingAt = null;
    this.running = this.run(reason, changedPaths).finally(() => {
      this.running = null;
      if (this.closed) return;
      if (this.pendingRequested) this.start("requested");
      else if (this.pendingPaths > 0) this.arm();
      else this.settleIdle();
    });
  }

  private settleIdle(): void {
    if (this.running || this.timer || this.hasPending) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
