// Runs a whole codesearch process under GNU time (when installed) and reports its wall time and peak RSS.
// Owns the child processes it starts; writes only temp files it deletes again.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { CLI, REPO_ROOT } from "./bench-config.mjs";

const GNU_TIME = "/usr/bin/time";

/**
 * Runs `node bin/codesearch.js ...cliArgs` from the checkout under `/usr/bin/time -v`
 * (see {@link runNodeTimed}).
 */
export function runCodesearch(cliArgs, options = {}) {
  return runNodeTimed([CLI, ...cliArgs], options);
}

/**
 * Runs `node ...nodeArgs` under `/usr/bin/time -v`. GNU time forks the measured process itself, so
 * its peak RSS is its own: Linux keeps `ru_maxrss` across execve, and a process this script
 * spawned directly would report at least this script's RSS at the time. stdout and stderr go to
 * temp files (no pipe back-pressure on the child), read back afterwards.
 * @returns `{ exitCode, wallMs, maxRssKb, cpuMs, stdout, stderr }`: `wallMs` from spawn to exit as this
 *   process saw it (ms), `maxRssKb` GNU time's "Maximum resident set size" (kB), `cpuMs` its user +
 *   system time (ms); both null when /usr/bin/time is missing (`apt-get install -y time`): then node runs directly, unmeasured.
 * @throws Error when GNU time's report cannot be read.
 */
export async function runNodeTimed(nodeArgs, options = {}) {
  const timed = existsSync(GNU_TIME);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-proc-"));
  const files = { out: path.join(scratch, "stdout"), err: path.join(scratch, "stderr"), time: path.join(scratch, "time") };
  const outFd = openSync(files.out, "w");
  const errFd = openSync(files.err, "w");
  try {
    const startedAt = performance.now();
    const exitCode = await new Promise((resolve, reject) => {
      const [command, args] = timed ? [GNU_TIME, ["-v", "-o", files.time, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
      const child = spawn(command, args, {
        cwd: options.cwd ?? REPO_ROOT,
        stdio: ["ignore", outFd, errFd],
        env: { ...process.env, ...(options.env ?? {}) },
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const wallMs = performance.now() - startedAt;
    let maxRssKb = null;
    let cpuMs = null;
    if (timed) {
      const report = readFileSync(files.time, "utf8");
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
      if (!rss) throw new Error(`no "Maximum resident set size" in the GNU time report:\n${report}`);
      maxRssKb = Number(rss[1]);
      const user = /User time \(seconds\): ([\d.]+)/.exec(report);
      const system = /System time \(seconds\): ([\d.]+)/.exec(report);
      if (user && system) cpuMs = (Number(user[1]) + Number(system[1])) * 1000;
    }
    return { exitCode, wallMs, maxRssKb, cpuMs, stdout: readFileSync(files.out, "utf8"), stderr: readFileSync(files.err, "utf8") };
  } finally {
    closeSync(outFd);
    closeSync(errFd);
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The JSON objects of a JSON-lines text (blank lines skipped). */
export function parseJsonLines(text) {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/**
 * The summary of an `index --json` run and the times of its phases, from its events.
 * @returns `{ summary, events, phasesMs }`: `phasesMs` holds `modelLoad`, `extract`, `embed` (first
 *   to last `chunk-embedded`, 0 when none), `store` and `calibrate` (fusion calibration, 0 when
 *   none), each in ms.
 * @throws Error (with the process's stderr) when the run emitted no `index-finished` event.
 */
export function indexRunSummary(run) {
  const events = parseJsonLines(run.stdout);
  const finished = events.find((e) => e.type === "index-finished");
  if (!finished) throw new Error(`index exited ${run.exitCode} without a summary:\n${run.stderr.slice(-4000)}\n${run.stdout.slice(-2000)}`);
  const first = (type) => events.find((e) => e.type === type);
  const embedded = events.filter((e) => e.type === "chunk-embedded");
  const modelLoaded = first("model-loaded");
  return {
    summary: finished.summary,
    events,
    phasesMs: {
      extract: first("extract-finished")?.durationMs ?? 0,
      modelLoad: modelLoaded?.durationMs ?? 0,
      // From the model being ready to the last vector: includes the first batch.
      embed: embedded.length > 0 && modelLoaded ? embedded.at(-1).elapsedMs - modelLoaded.elapsedMs : 0,
      store: first("store-finished")?.durationMs ?? 0,
      // Fusion calibration runs after the store: from store-finished to fusion-calibrated.
      calibrate: first("fusion-calibrated") && first("store-finished") ? first("fusion-calibrated").elapsedMs - first("store-finished").elapsedMs : 0,
    },
  };
}
