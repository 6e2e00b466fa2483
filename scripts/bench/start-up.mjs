#!/usr/bin/env node
// @ts-check
// Issue 22's whole-process figures: `codesearch --version`, `search --mode lexical`, the default
// (hybrid) search and an unchanged re-index of already indexed repositories, run in turn (A B C D, A
// B C D, …) under GNU time, so each command's ratio to `--version` in the same round holds while the
// machine's speed drifts. Prints the median wall and CPU (user + system) ms of each, and the median
// ratio of wall times to `--version`.
//   npm run build && node scripts/bench/start-up.mjs --search <indexed repo> --reindex <indexed repo> [--rounds 7] [--query "…"]
// Both repositories must already be indexed (`codesearch index <repo>`); the search repository is
// searched in place, the re-index repository is indexed again (nothing changed, so nothing is written
// but its manifest). --smoke: fixtures/python indexed with the test model into a temp folder, 2 rounds.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./bench-config.mjs";
import { runCodesearch } from "./run-process.mjs";
import { median, round } from "./stats.mjs";

const args = process.argv.slice(2);
const flag = (/** @type {string} */ name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const smoke = args.includes("--smoke");
let searchRepo = flag("--search");
let reindexRepo = flag("--reindex");
const rounds = Number(flag("--rounds") ?? (smoke ? 2 : 7));
const query = flag("--query") ?? "convert markdown text to html";
let scratch = null;
if (smoke) {
  scratch = mkdtempSync(path.join(os.tmpdir(), "codesearch-start-up-"));
  cpSync(path.join(REPO_ROOT, "fixtures", "python"), scratch, { recursive: true, filter: (source) => !source.includes(".codesearch") });
  const indexed = await runCodesearch(["index", scratch, "--model", path.join(REPO_ROOT, "fixtures", "model"), "--plain"]);
  if (indexed.exitCode !== 0 && indexed.exitCode !== 1) throw new Error(`index exited ${indexed.exitCode}: ${indexed.stderr.slice(-2000)}`);
  searchRepo = reindexRepo = scratch;
}
if (!searchRepo || !reindexRepo) {
  console.error("usage: node scripts/bench/start-up.mjs --search <indexed repo> --reindex <indexed repo> [--rounds N] [--query text] | --smoke");
  process.exit(2);
}

/** @type {Record<string, string[]>} */
const COMMANDS = {
  version: ["--version"],
  "search --mode lexical": ["search", query, "--mode", "lexical", "--repo", searchRepo],
  "search (default mode)": ["search", query, "--repo", searchRepo],
  "index, unchanged": ["index", reindexRepo, "--plain"],
};
/** @type {Record<string, { wallMs: number; cpuMs: number | null }[]>} */
const samples = Object.fromEntries(Object.keys(COMMANDS).map((name) => [name, []]));
try {
  for (let r = 0; r <= rounds; r++) {
    for (const [name, cliArgs] of Object.entries(COMMANDS)) {
      const run = await runCodesearch(cliArgs);
      if (run.exitCode !== 0) throw new Error(`${name} exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
      if (r > 0) samples[name].push(run); // round 0 warms the file cache
    }
  }
  const versionWall = samples.version.map((s) => s.wallMs);
  console.log(`${rounds} rounds after one warm-up; search: ${searchRepo}; re-index: ${reindexRepo}; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log("| command | wall ms (median) | CPU ms (median) | wall / --version (median of rounds) |");
  console.log("|---|---:|---:|---:|");
  for (const [name, runs] of Object.entries(samples)) {
    const cpu = runs.every((s) => s.cpuMs !== null) ? round(median(runs.map((s) => /** @type {number} */ (s.cpuMs)))) : "—";
    const ratio = round(median(runs.map((s, i) => s.wallMs / versionWall[i])), 2);
    console.log(`| ${name} | ${round(median(runs.map((s) => s.wallMs)))} | ${cpu} | ${ratio} |`);
  }
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
