import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { IndexLockedError, InterruptedError, StoreError, describeError } from "../model/errors.js";

/** File name of the writer lock inside an index folder. */
export const LOCK_FILE = "index.lock";

/** Who holds a lock: written into the lock file as JSON. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO-8601 time the lock was taken. */
  startedAt: string;
}

/** A held lock; {@link release} removes the lock file. */
export interface IndexLock {
  release(): Promise<void>;
}

/** Options of {@link acquireIndexLock}. */
export interface AcquireLockOptions {
  /** Wait for the holder to finish instead of failing. */
  wait?: boolean;
  /** Called once when waiting starts. */
  onWait?: (holder: LockHolder) => void;
  /** Poll interval while waiting, ms; default 250. */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * Takes the single-writer lock of an index by creating `index.lock` exclusively (O_EXCL) with the
 * holder's pid, host and start time. A lock left by a process that no longer runs on this host is
 * stale and is removed at once — a liveness check by pid, which mtime-based lock libraries cannot
 * do without waiting out a timeout after a `kill -9`. Readers (search) never take the lock.
 *
 * @throws IndexLockedError when another live process holds it and `wait` is false; InterruptedError
 *   when `signal` aborts while waiting;
 *   StoreError when the lock file cannot be created for another reason.
 */
export async function acquireIndexLock(indexDir: string, options: AcquireLockOptions = {}): Promise<IndexLock> {
  const file = path.join(indexDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
  let announced = false;
  for (;;) {
    if (await tryCreateLock(file, me)) return { release: () => releaseIfOwned(file, me) };
    const holder = await readHolder(file);
    if (holder === "gone") continue;
    if (holder === null || isStale(holder)) {
      await removeStaleLock(file, holder);
      continue;
    }
    if (!options.wait) {
      throw new IndexLockedError(
        `another codesearch index run (pid ${holder.pid}, started ${holder.startedAt}) is writing ${indexDir}; wait for it, or pass --wait`,
      );
    }
    if (!announced) options.onWait?.(holder);
    announced = true;
    if (options.signal?.aborted) throw new InterruptedError("interrupted while waiting for the index lock; nothing was changed");
    await sleep(options.pollMs ?? 250);
  }
}

/** Removes the lock file only if it still names this holder (it may have been cleared as stale and re-taken). */
async function releaseIfOwned(file: string, me: LockHolder): Promise<void> {
  const holder = await readHolder(file);
  if (holder !== null && holder !== "gone" && holder.pid === me.pid && holder.startedAt === me.startedAt) await rm(file, { force: true });
}

/**
 * Creates the lock file with its content in one step: the holder is written to a private temp
 * file that is then hard-linked to the lock name, which fails if the lock exists. No other
 * process can ever see an empty or half-written lock.
 */
async function tryCreateLock(file: string, me: LockHolder): Promise<boolean> {
  const temp = `${file}.${me.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(me));
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StoreError(`cannot create the index lock ${file}: ${describeError(error)}`, { cause: error });
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Removes a lock judged stale without deleting a fresh one that replaced it meanwhile: the file is
 * renamed aside first, and if what was moved is not the stale holder, it is linked back.
 */
async function removeStaleLock(file: string, stale: LockHolder | null): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new StoreError(`cannot clear the stale index lock ${file}: ${describeError(error)}`, { cause: error });
  }
  const moved = await readHolder(aside);
  const sameHolder = moved === null || moved === "gone" || stale === null || (moved.pid === stale.pid && moved.startedAt === stale.startedAt);
  if (!sameHolder) {
    await link(aside, file).catch((error: unknown) => {
      // EEXIST: a third process took the lock in the gap; it holds it now, which is still one writer.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    });
  }
  await rm(aside, { force: true });
}

/** The holder recorded in a lock file; null when unreadable; "gone" when the file no longer exists. */
async function readHolder(file: string): Promise<LockHolder | null | "gone"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw new StoreError(`cannot read the index lock ${file}: ${describeError(error)}`, { cause: error });
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (typeof holder.pid !== "number" || typeof holder.hostname !== "string" || typeof holder.startedAt !== "string") return null;
    return holder as LockHolder;
  } catch {
    return null;
  }
}

/** A lock (or a watcher record) is stale when its holder ran on this host and no process with its pid exists. */
export function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** The live holder of the index's lock, or null when none (no lock file, or a stale one). Never throws. */
export async function readLockHolder(indexDir: string): Promise<LockHolder | null> {
  try {
    const holder = await readHolder(path.join(indexDir, LOCK_FILE));
    return holder === null || holder === "gone" || isStale(holder) ? null : holder;
  } catch {
    return null;
  }
}
