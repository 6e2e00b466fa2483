/**
 * Scratch files of index runs and watchers: kept inside the index's state folder (never the OS temp
 * folder), named for the process that made them, and swept by the next index run, so a kill -9
 * leaves nothing behind for long.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { makeFolder } from "./index-location.js";

/** Folder of scratch files inside an index's state folder. */
export const SCRATCH_DIR = "scratch";

/** Files the index writes by temp file + rename (write-file-atomic names its temp `<file>.<uint32>`). */
const ATOMIC_TEMP = /^(manifest|catalog|current|watch)\.json\.\d+$/;
/** A scratch entry's name: the pid of the process that made it, then what it is for. */
const SCRATCH_ENTRY = /^(\d+)-/;

/**
 * Path of this process's scratch file `name` (`<stateDir>/scratch/<pid>-<name>`), creating the
 * scratch folder if needed. The caller writes and removes the file.
 * @throws the errno error when the folder cannot be created.
 */
export async function scratchFilePath(stateDir: string, name: string): Promise<string> {
  const dir = path.join(stateDir, SCRATCH_DIR);
  await makeFolder(dir);
  return path.join(dir, `${process.pid}-${name}`);
}

/**
 * Creates a new, empty scratch folder `<stateDir>/scratch/<pid>-<purpose>-XXXXXX` and returns its
 * path; the caller removes it. A folder left by a killed process is removed by {@link sweepScratch}.
 * @throws the errno error when it cannot be created.
 */
export async function makeScratchFolder(stateDir: string, purpose: string): Promise<string> {
  const dir = path.join(stateDir, SCRATCH_DIR);
  await makeFolder(dir);
  return mkdtemp(path.join(dir, `${process.pid}-${purpose}-`));
}

/**
 * Removes what killed processes left: each entry of `<stateDir>/scratch` whose process no longer
 * runs (or whose name carries no pid), and the temp files of interrupted atomic writes
 * (`manifest.json.<n>`, `catalog.json.<n>`, `watch.json.<n>` in `stateDir`, `current.json.<n>` in
 * `cacheFolder`). Call it only while holding the index lock: the files it removes are written
 * under that lock, except a live watcher's, which it keeps. Best effort: never throws.
 * @returns the number of entries removed.
 */
export async function sweepScratch(stateDir: string, cacheFolder: string): Promise<number> {
  let removed = 0;
  const remove = async (file: string) => {
    await rm(file, { recursive: true, force: true }).then(() => removed++, () => undefined);
  };
  const scratch = path.join(stateDir, SCRATCH_DIR);
  for (const name of await namesIn(scratch)) {
    const pid = SCRATCH_ENTRY.exec(name)?.[1];
    if (pid === undefined || Number(pid) === 0 || !processRuns(Number(pid))) await remove(path.join(scratch, name));
  }
  for (const dir of new Set([stateDir, cacheFolder])) {
    for (const name of await namesIn(dir)) if (ATOMIC_TEMP.test(name)) await remove(path.join(dir, name));
  }
  return removed;
}

async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
