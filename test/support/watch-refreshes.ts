// A real `codesearch watch` child process driven through many refreshes, one edit each, with its
// open file descriptors and resident memory read from /proc after each refresh (Linux).
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { WatchEvent } from "../../src/model/watch-events.js";
import { writeSyntheticRepo } from "./index-snapshot.js";
import { spawnCli } from "./run-cli.js";
import { TEST_MODEL_DIR } from "./temp-dirs.js";

/** The watcher's resources after one refresh. */
export interface RefreshSample {
  /** 1-based number of the edit whose refresh just finished. */
  refresh: number;
  /** Entries of /proc/<pid>/fd. */
  descriptors: number;
  /** VmRSS of /proc/<pid>/status, in KiB. */
  rssKb: number;
  /** The refresh's own duration (`durationMs` of its summary), ms; null for a failed refresh. */
  refreshMs: number | null;
}

/** What {@link runWatchRefreshes} saw. */
export interface WatchRefreshResult {
  samples: RefreshSample[];
  /** Refreshes that ended in refresh-failed. */
  failed: number;
  /** The watcher's stderr (diagnostics). */
  stderr: string;
}

async function sampleOf(pid: number, refresh: number, refreshMs: number | null): Promise<RefreshSample> {
  const descriptors = (await readdir(`/proc/${pid}/fd`)).length;
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return { refresh, descriptors, rssKb, refreshMs };
}

/**
 * Starts `codesearch watch` (test model, JSON events, 50 ms debounce) on a new 4-module synthetic
 * repository in `repo`, then `refreshes` times: edits one module (one function changes) and waits
 * for the refresh it causes to end; samples the watcher after every `sampleEvery`-th refresh (and
 * the first and last). Stops the watcher with SIGINT at the end.
 */
export async function runWatchRefreshes(repo: string, refreshes: number, sampleEvery = 1): Promise<WatchRefreshResult> {
  await writeSyntheticRepo(repo, 4, 6);
  const watch = spawnCli(["watch", ".", "--model", TEST_MODEL_DIR, "--json", "--debounce", "50"], { cwd: repo });
  const ended = (line: string) => {
    if (!line.startsWith("{")) return false;
    const type = (JSON.parse(line) as WatchEvent).type;
    return type === "refresh-finished" || type === "refresh-failed";
  };
  const samples: RefreshSample[] = [];
  let failed = 0;
  try {
    await watch.waitForLine(ended);
    const pid = watch.child.pid!;
    for (let i = 1; i <= refreshes; i++) {
      const next = watch.waitForLine(ended);
      await writeFile(path.join(repo, "pkg", `mod_${i % 4}.py`), `def edited_${i % 4}(x):\n    """Edit ${i}."""\n    return x * ${i}\n`);
      const event = JSON.parse(await next) as WatchEvent;
      if (event.type === "refresh-failed") failed++;
      const refreshMs = event.type === "refresh-finished" ? event.summary.durationMs : null;
      if (i === 1 || i === refreshes || i % sampleEvery === 0) samples.push(await sampleOf(pid, i, refreshMs));
    }
  } finally {
    watch.child.kill("SIGINT");
  }
  return { samples, failed, stderr: (await watch.exited).stderr };
}
