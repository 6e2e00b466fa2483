import { constants, type Stats } from "node:fs";
import { open, stat, type FileHandle } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { tryLock, unlock } from "fs-native-extensions";
import { IndexLockedError, InterruptedError, StoreError, describeError } from "../model/errors.js";

/** File name of the writer lock inside an index's state folder. The file is never deleted. */
export const LOCK_FILE = "index.lock";

/** Who holds a lock: written into the lock file as JSON while it is held. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO-8601 time the lock was taken. */
  startedAt: string;
}

/** A held lock; {@link release} empties the lock file and gives the OS lock back. */
export interface IndexLock {
  release(): Promise<void>;
}

/** Options of {@link acquireIndexLock}. */
export interface AcquireLockOptions {
  /** Wait for the holder to finish instead of failing. */
  wait?: boolean;
  /** Called once when waiting starts, with the holder the lock file names (not called while it names none). */
  onWait?: (holder: LockHolder) => void;
  /** Poll interval while waiting, ms; default 250. */
  pollMs?: number;
  signal?: AbortSignal;
}

/**
 * A refused try is tried again this many times, {@link RETRY_MS} apart, before the lock counts as
 * held: `readLockHolder` tests the lock with a momentary shared lock, and a holder names itself in
 * the file only just after it took the lock.
 */
const QUICK_RETRIES = 5;
const RETRY_MS = 10;

/**
 * Takes the single-writer lock of an index: an exclusive OS lock (an open-file-description
 * `fcntl` lock on Linux, `flock` on macOS, `LockFileEx` on Windows, through fs-native-extensions)
 * on `index.lock`, which is then filled with the holder's pid, host and start time for messages
 * and `status`. The kernel gives the lock back when its holder exits in any way (kill -9
 * included), so there are no stale locks to judge or clear: a leftover file naming a dead pid, a
 * reused pid such as 1, or another host is simply locked and overwritten, and taking over is the
 * kernel's one atomic step. The file is never deleted (a process waiting on a deleted file would
 * lock a file no one else sees); after locking, the path is checked to still name the locked
 * file. Readers (search) never take the lock.
 *
 * @throws IndexLockedError when another live process holds it and `wait` is false (the message
 *   says who, and what to do); InterruptedError when `signal` aborts while waiting;
 *   StoreError when the lock file cannot be opened, locked or written for another reason.
 */
export async function acquireIndexLock(indexDir: string, options: AcquireLockOptions = {}): Promise<IndexLock> {
  const file = path.join(indexDir, LOCK_FILE);
  let announced = false;
  let refusals = 0;
  for (;;) {
    const lock = await tryTakeLock(file);
    if (lock === "moved") continue;
    if (lock) return lock;
    if (++refusals <= QUICK_RETRIES) {
      await sleep(RETRY_MS);
      continue;
    }
    const holder = await readHolderText(file);
    if (!options.wait) throw new IndexLockedError(lockedMessage(indexDir, file, holder));
    if (!announced && holder) {
      options.onWait?.(holder);
      announced = true;
    }
    if (options.signal?.aborted) throw new InterruptedError("interrupted while waiting for the index lock; nothing was changed");
    await sleep(options.pollMs ?? 250);
  }
}

/** The message of a refused lock: who holds it, and what the user can do about it. */
function lockedMessage(indexDir: string, file: string, holder: LockHolder | null): string {
  const todo = "pass --wait to run after it, or stop that process (its lock is released the moment it exits, however it ends)";
  if (!holder) return `another process holds the index lock ${file}; ${todo}`;
  const where = holder.hostname === os.hostname() ? "" : ` on host ${holder.hostname}`;
  return `another codesearch index run (pid ${holder.pid}${where}, started ${holder.startedAt}) is writing ${indexDir}; ${todo}`;
}

/**
 * One try: opens (creating) the lock file, asks for the exclusive OS lock without waiting, checks
 * the path still names the locked file, and records this process as holder. Null when another
 * open file holds the lock; `moved` when the locked file was deleted or replaced meanwhile (try again).
 */
async function tryTakeLock(file: string): Promise<IndexLock | "moved" | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDWR | constants.O_CREAT, 0o644);
  } catch (error) {
    throw new StoreError(`cannot open the index lock ${file}: ${describeError(error)}`, { cause: error });
  }
  try {
    if (!lockNow(handle, file, false)) {
      await handle.close();
      return null;
    }
    // The file may have been deleted or replaced between open and lock (a folder being removed):
    // holding a lock on a file the path no longer names would exclude no one.
    if (!sameFile(await handle.stat(), await stat(file).catch(() => null))) {
      await handle.close();
      return "moved";
    }
    const me: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    await handle.truncate(0);
    await handle.write(JSON.stringify(me), 0);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof StoreError ? error : new StoreError(`cannot take the index lock ${file}: ${describeError(error)}`, { cause: error });
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      // Emptied while still held, so no reader takes a finished run for a running one.
      await handle.truncate(0).catch(() => undefined);
      await handle.close();
    },
  };
}

/** Whether the OS lock on `handle` was granted (exclusive, or `shared`); false when another open file holds a conflicting one. */
function lockNow(handle: FileHandle, file: string, shared: boolean): boolean {
  try {
    return tryLock(handle.fd, { shared });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EACCES") return false;
    throw new StoreError(`cannot lock ${file}: ${describeError(error)}`, { cause: error });
  }
}

function sameFile(held: Stats, named: Stats | null): boolean {
  return named !== null && held.ino === named.ino && held.dev === named.dev;
}

/** The holder a lock file names, or null when it is missing, empty or unreadable. Never throws. */
async function readHolderText(file: string): Promise<LockHolder | null> {
  const handle = await open(file, "r").catch(() => null);
  if (!handle) return null;
  try {
    return parseHolder(await handle.readFile("utf8"));
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder> | null;
    if (typeof holder?.pid !== "number" || typeof holder.hostname !== "string" || typeof holder.startedAt !== "string") return null;
    return holder as LockHolder;
  } catch {
    return null;
  }
}

/**
 * A watcher's record is stale when its process ran on this host and no process with its pid
 * exists. (The index lock needs no such judgement: the OS releases it.)
 */
export function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * The holder of the index's lock, or null when no process holds it (whatever a leftover file
 * says) or the holder has not named itself yet. Tests the lock with a momentary shared OS lock
 * only when the file names someone. Never throws.
 */
export async function readLockHolder(indexDir: string): Promise<LockHolder | null> {
  const file = path.join(indexDir, LOCK_FILE);
  const handle = await open(file, "r").catch(() => null);
  if (!handle) return null;
  try {
    const holder = parseHolder(await handle.readFile("utf8"));
    if (!holder) return null;
    if (lockNow(handle, file, true)) {
      unlock(handle.fd);
      return null;
    }
    return holder;
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
