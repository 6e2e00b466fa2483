import { readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { StoreError, describeError } from "../model/errors.js";
import type { WatchState } from "../model/watch-events.js";
import { type LockHolder, isStale } from "./index-lock.js";
import { scratchFilePath } from "./scratch-files.js";

/** File name of the running watcher's record inside an index's state folder. */
export const WATCH_RECORD_FILE = "watch.json";

/**
 * What a running watcher (`codesearch watch`, `codesearch mcp --watch`) leaves in the index's
 * state folder for other processes (`codesearch status`): who it is and its latest
 * {@link WatchState}, as of `updatedAt` (ISO-8601).
 */
export interface WatchRecord extends LockHolder {
  updatedAt: string;
  state: WatchState;
}

/**
 * Writes the record of this process's watcher (temp file + rename, so a reader never sees half of
 * it). The temp file is this process's scratch file (`scratch/<pid>-watch.json`, see
 * `sweepScratch`), so one a kill -9 leaves is swept by the next index run. `startedAt` is when the
 * watcher started (ISO-8601).
 * @throws StoreError when the file cannot be written.
 */
export async function writeWatchRecord(stateDir: string, startedAt: string, state: WatchState): Promise<void> {
  const record: WatchRecord = { pid: process.pid, hostname: os.hostname(), startedAt, updatedAt: new Date().toISOString(), state };
  try {
    const temp = await scratchFilePath(stateDir, WATCH_RECORD_FILE);
    await writeFile(temp, `${JSON.stringify(record)}\n`);
    await rename(temp, path.join(stateDir, WATCH_RECORD_FILE));
  } catch (error) {
    throw new StoreError(`cannot write the watcher's record in ${stateDir}: ${describeError(error)}`, { cause: error });
  }
}

/** Removes the watcher's record (when the watcher stops). Never throws: a record left behind is recognised as stale by its pid. */
export async function removeWatchRecord(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, WATCH_RECORD_FILE), { force: true }).catch(() => undefined);
}

/**
 * The record of the watcher following this index, or null when none runs: no record, an
 * unreadable one, or one whose process no longer runs on this host (killed without cleaning up).
 * A record from another host is returned as is (its liveness cannot be checked from here).
 * Never throws.
 */
export async function readWatchRecord(stateDir: string): Promise<WatchRecord | null> {
  try {
    const record = JSON.parse(await readFile(path.join(stateDir, WATCH_RECORD_FILE), "utf8")) as Partial<WatchRecord>;
    if (typeof record.pid !== "number" || typeof record.hostname !== "string" || typeof record.startedAt !== "string" || typeof record.state?.phase !== "string") return null;
    const full = record as WatchRecord;
    return isStale(full) ? null : full;
  } catch {
    return null;
  }
}
