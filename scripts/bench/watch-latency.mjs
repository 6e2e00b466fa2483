// Edit → searchable latency of watch mode: `codesearch watch --json` (the built CLI, default
// debounce) follows a synthetic repository while this process appends a new function to a module,
// then searches (hybrid, in-process, a fresh search session per probe) until that function is the
// top hit. Prints one JSON object: p50 / p95 / min / max over the edits, and the watch process's
// own refresh times (when each refresh started and committed, after the edit). Run `npm run build` first.
//
//   node scripts/bench/watch-latency.mjs [--edits 20] [--files 200] [--model <dir>] [--profile <dir>]
// --profile: the watch process runs under `node --cpu-prof` and writes its profile into <dir> when it stops.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CLI, TEST_MODEL_DIR, distModule, machineFacts, benchPlan } from "./bench-config.mjs";
import { median, percentile, round } from "./stats.mjs";

const { values } = parseArgs({ options: { edits: { type: "string" }, files: { type: "string" }, model: { type: "string" }, profile: { type: "string" } } });
const EDITS = Number(values.edits ?? 20);
const FILES = Number(values.files ?? 200);
const MODEL = path.resolve(values.model ?? TEST_MODEL_DIR);
const WORDS = ["zebra", "quartz", "walnut", "falcon", "meadow", "cobalt", "lantern", "harbor", "saffron", "glacier"];

const repo = mkdtempSync(path.join(os.tmpdir(), "watch-latency-"));
mkdirSync(path.join(repo, "pkg"));
for (let i = 0; i < FILES; i++) {
  const body = Array.from({ length: 8 }, (_, j) => `def f_${i}_${j}(value, limit=${j + 1}):\n    """Scale value ${j} of module ${i}."""\n    return min(value * ${i + 1}, limit)\n`).join("\n");
  writeFileSync(path.join(repo, "pkg", `mod_${i}.py`), `"""Module ${i}."""\n\n${body}`);
}

const profile = values.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
const watch = spawn(process.execPath, [...profile, CLI, "watch", repo, "--model", MODEL, "--offline", "--json"], { stdio: ["ignore", "pipe", "inherit"] });
const refreshes = [];
const starts = [];
let waiters = [];
let buffered = "";
watch.stdout.on("data", (chunk) => {
  buffered += chunk.toString();
  const lines = buffered.split("\n");
  buffered = lines.pop();
  for (const line of lines) {
    const event = JSON.parse(line);
    if (event.type === "refresh-started") starts.push(event);
    if (event.type === "refresh-finished" || event.type === "refresh-failed") {
      refreshes.push(event);
      for (const w of waiters.splice(0)) w();
    }
  }
});
const nextRefresh = (count) => new Promise((resolve) => (refreshes.length >= count ? resolve() : waiters.push(() => refreshes.length >= count && resolve())));

const pipeline = await distModule("pipeline/index.js");
const { keepEmbedderWarm } = await distModule("watch/index.js");
const { DEFAULT_DEBOUNCE_MS } = await distModule("watch/refresh-scheduler.js");
await nextRefresh(1); // the first refresh indexes the whole tree
const modelCacheDir = path.join(repo, ".model-cache");
const warm = keepEmbedderWarm(); // the query model stays loaded across probes, as in a server

/** True when a fresh session's hybrid search for `name` returns it first. */
async function probe(name) {
  const session = await pipeline.openSearchSession({ repoRoot: repo, cwd: repo, modelCacheDir, offline: true, loadEmbedder: warm.loader });
  try {
    const hits = await session.search(name, { limit: 1, mode: "hybrid", filters: {} });
    return hits[0]?.chunk.qualifiedName === name;
  } finally {
    await session.close();
  }
}

await probe("warm_up_the_model");
const latencies = [];
const startDelays = [];
const committedDelays = [];
for (let e = 0; e < EDITS; e++) {
  const name = `probe_${e}_${WORDS[e % WORDS.length]}`;
  const before = refreshes.length;
  const startsBefore = starts.length;
  const editedAtMs = Date.now();
  const startedAt = performance.now();
  appendFileSync(path.join(repo, "pkg", `mod_${(e * 7) % FILES}.py`), `\n\ndef ${name}(count):\n    """Counts the ${WORDS[e % WORDS.length]} items."""\n    return count + ${e}\n`);
  while (!(await probe(name))) await sleep(10);
  latencies.push(performance.now() - startedAt);
  await nextRefresh(before + 1);
  startDelays.push(starts[startsBefore].atMs - editedAtMs);
  committedDelays.push(refreshes[before].atMs - editedAtMs);
  await sleep(1000); // let the watcher settle before the next edit
}
watch.kill("SIGINT");
await new Promise((resolve) => watch.on("close", resolve));
await warm.dispose();
rmSync(repo, { recursive: true, force: true });

const refreshMs = refreshes.slice(1).map((r) => r.summary?.durationMs).filter((v) => typeof v === "number");
const facts = machineFacts(benchPlan(true));
process.stdout.write(
  `${JSON.stringify(
    {
      machine: { cpuModel: facts.cpuModel, cpuCount: facts.cpuCount, loadAverage1m: round(facts.loadAverage1m, 2), node: facts.node, commit: facts.commit },
      model: MODEL,
      repo: { files: FILES, entities: FILES * 8 },
      debounceMs: DEFAULT_DEBOUNCE_MS,
      // Decomposition (the watch process's own event times, ms after the edit): the refresh's start (debounce + event delivery) and its commit.
      editToRefreshStartMs: { p50: round(median(startDelays), 0), max: round(Math.max(...startDelays), 0) },
      editToCommittedMs: { p50: round(median(committedDelays), 0), max: round(Math.max(...committedDelays), 0) },
      editToSearchableMs: { edits: latencies.length, p50: round(median(latencies), 0), p95: round(percentile(latencies, 95), 0), min: round(Math.min(...latencies), 0), max: round(Math.max(...latencies), 0) },
      refreshRunMs: { runs: refreshMs.length, p50: round(median(refreshMs), 0), max: round(Math.max(...refreshMs), 0) },
    },
    null,
    2,
  )}\n`,
);
