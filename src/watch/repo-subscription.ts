import { WatcherError, describeError } from "../model/errors.js";
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

/** What a {@link RepoSubscription} watches and whom it tells. */
export interface RepoSubscriptionOptions {
  repoRoot: string;
  indexDir: string;
  exclude?: string[] | undefined;
  subscribe: SubscribeFn;
  /** `count` relevant paths changed (source files, ignore rules). */
  onChanges(count: number): void;
  /** The subscription failed for good (reported once; nothing is watched afterwards). */
  onFailure(failure: WatcherError, cause: unknown): void;
}

/**
 * A repository's file-system subscription: the trees the index ignores left unwatched, events
 * sorted into relevant ones, subscribed anew when the ignore rules change, and failed for good on
 * a backend error (inotify `ENOSPC`, `EMFILE`).
 *
 * State: the live subscription, whether ignore rules changed since the last
 * {@link takeRulesChanged}, the failure, and whether it was closed.
 */
export class RepoSubscription {
  #subscription: Subscription | null = null;
  #rulesChanged = false;
  #error: string | null = null;
  #closed = false;

  constructor(private readonly options: RepoSubscriptionOptions) {}

  /** Why the subscription stopped following edits, or null while it follows them. */
  get error(): string | null {
    return this.#error;
  }

  /**
   * Subscribes. @returns the folders left unwatched (repository-relative).
   * @throws WatcherError when the tree cannot be watched; Error when it cannot be listed.
   */
  async start(): Promise<{ unwatchedDirs: string[] }> {
    const { subscription, unwatchedDirs } = await this.#watch();
    this.#subscription = subscription;
    return { unwatchedDirs };
  }

  /** True when ignore rules changed since the last call (then {@link rewatch} is due). */
  takeRulesChanged(): boolean {
    const changed = this.#rulesChanged;
    this.#rulesChanged = false;
    return changed;
  }

  /**
   * Ignore rules changed: drop the subscription, then subscribe with the new unwatched set. Not the
   * other way round: @parcel/watcher's inotify backend shares one watch descriptor per directory
   * between subscriptions, so unsubscribing the old one afterwards silences the new one. A change
   * in the gap is still indexed: the refresh that follows re-scans the whole tree. A failure is
   * reported through `onFailure`, not thrown.
   */
  async rewatch(): Promise<void> {
    if (this.#error !== null || this.#closed) return;
    try {
      const old = this.#subscription;
      this.#subscription = null;
      await old?.unsubscribe();
      this.#subscription = (await this.#watch()).subscription;
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Unsubscribes; events and failures after this are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    const current = this.#subscription;
    this.#subscription = null;
    await current?.unsubscribe().catch(() => undefined);
  }

  async #watch(): Promise<{ subscription: Subscription; unwatchedDirs: string[] }> {
    const { repoRoot, indexDir, exclude, subscribe } = this.options;
    const unwatched = await findUnwatchedPaths(repoRoot, { indexDir, ...(exclude ? { exclude } : {}) });
    try {
      return { subscription: await subscribe(repoRoot, (error, events) => this.#onEvents(error, events), { ignore: unwatched.ignore }), unwatchedDirs: unwatched.dirs };
    } catch (error) {
      throw toWatcherError(error, repoRoot);
    }
  }

  #onEvents(error: Error | null, events: FileChange[]): void {
    if (error) return this.#fail(error);
    let relevant = 0;
    for (const event of events) {
      const kind = classifyChange(this.options.repoRoot, event.path);
      if (kind === "irrelevant") continue;
      if (kind === "ignore-rules") this.#rulesChanged = true;
      relevant++;
    }
    this.options.onChanges(relevant);
  }

  #fail(error: unknown): void {
    if (this.#error !== null || this.#closed) return;
    const failure = toWatcherError(error, this.options.repoRoot);
    this.#error = failure.message;
    this.options.onFailure(failure, error);
    const current = this.#subscription;
    this.#subscription = null;
    void current?.unsubscribe().catch(() => undefined);
  }
}

/** A watcher failure as a {@link WatcherError}, with advice for the inotify limits. */
export function toWatcherError(error: unknown, repoRoot: string): WatcherError {
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
