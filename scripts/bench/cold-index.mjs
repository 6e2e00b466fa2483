// (2) Cold index: the whole `codesearch index` process on the corpus into a fresh index folder,
// in entities/s, and its ratio to the raw limit (1). Keeps the last index for the later scripts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, parseBenchArgs, readResult, requireInputs, say, writeResult } from "./bench-config.mjs";
import { indexRunSummary, runCodesearch } from "./run-process.mjs";
import { median, round } from "./stats.mjs";

/** File in the results folder naming the index the later scripts (warm re-index, search) reuse. */
const KEPT_INDEX_FILE = "bench-index.json";

/**
 * Runs `codesearch index <corpusRoot> --model <bench model> --db <fresh temp dir> --json
 * ...extraArgs` once under GNU time (the caller deletes `indexDir`; a failed run deletes it here).
 * @returns `{ indexDir, exitCode, wallMs, maxRssKb, entities, entitiesCut, entitiesPerSec, phasesMs, … }`:
 *   `entities` the summary's `chunksEmbedded`; `entitiesCut` its `chunksTruncated`;
 *   `entitiesPerSec` entities / whole-process wall s; `cpuMs` the process's user + system ms (GNU time).
 * @throws Error when the run produced no summary or embedded nothing.
 */
export async function runColdIndex(corpusRoot, modelDir = BENCH_MODEL_DIR, extraArgs = []) {
  const indexDir = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-index-"));
  let run, summary, phasesMs;
  try {
    run = await runCodesearch(["index", corpusRoot, "--model", modelDir, "--db", indexDir, "--json", ...extraArgs]);
    ({ summary, phasesMs } = indexRunSummary(run));
    if (summary.chunksEmbedded === 0) throw new Error(`the cold index embedded nothing (exit ${run.exitCode}):\n${run.stderr.slice(-2000)}`);
  } catch (error) {
    rmSync(indexDir, { recursive: true, force: true });
    throw error;
  }
  return {
    indexDir,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    maxRssKb: run.maxRssKb,
    entities: summary.chunksEmbedded,
    entitiesCut: summary.chunksTruncated ?? 0,
    entitiesPerSec: summary.chunksEmbedded / (run.wallMs / 1000),
    embedPhaseEntitiesPerSec: phasesMs.embed > 0 ? summary.chunksEmbedded / (phasesMs.embed / 1000) : null,
    failures: summary.failures.length,
    summaryDurationMs: summary.durationMs,
    phasesMs,
  };
}

/** Records `indexDir` (an index of `corpusRoot` built with the bench model) for reuse, deleting the index kept before. */
function keepIndex(resultsDir, indexDir, corpusRoot) {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, KEPT_INDEX_FILE);
  if (existsSync(file)) {
    const previous = JSON.parse(readFileSync(file, "utf8")).indexDir;
    if (previous !== indexDir && path.basename(previous).startsWith("codesearch-bench-index-")) rmSync(previous, { recursive: true, force: true });
  }
  writeFileSync(path.join(resultsDir, KEPT_INDEX_FILE), `${JSON.stringify({ indexDir, corpusRoot, model: BENCH_MODEL_DIR }, null, 2)}\n`);
}

/**
 * An index of the plan's corpus built with the bench model: the one the last cold-index run kept,
 * when it still exists, else a new cold index (kept and recorded). Used by the warm re-index and
 * search scripts so each can run alone.
 * @returns the absolute index folder.
 */
export async function ensureBenchIndex(plan, resultsDir, log) {
  const file = path.join(resultsDir, KEPT_INDEX_FILE);
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, "utf8"));
    if (kept.corpusRoot === plan.corpusRoot && kept.model === BENCH_MODEL_DIR && existsSync(path.join(kept.indexDir, "manifest.json"))) return kept.indexDir;
  }
  log(`no kept index of ${plan.corpusRoot}: building one with a cold index run…`);
  const run = await runColdIndex(plan.corpusRoot);
  keepIndex(resultsDir, run.indexDir, plan.corpusRoot);
  return run.indexDir;
}

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/cold-index.mjs [--quick] [--runs N]\n(2) whole `codesearch index` process into a fresh index folder: entities/s (entities = chunksEmbedded), peak RSS (kB), ratio to raw-limit.json. Default 1 run; with N runs, medians.",
    { runs: { type: "string" } },
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const runs = Math.max(1, Number(args.runs ?? 1));
  const log = (line) => say("cold-index", line);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const run = await runColdIndex(plan.corpusRoot);
    samples.push(run);
    log(`run ${i + 1}/${runs}: ${run.entities} entities in ${round(run.wallMs)} ms → ${round(run.entitiesPerSec, 2)} entities/s (embedding phase ${round(run.embedPhaseEntitiesPerSec ?? 0, 2)} entities/s; model load ${run.phasesMs.modelLoad} ms, extract ${run.phasesMs.extract} ms, store ${run.phasesMs.store} ms); peak RSS ${run.maxRssKb} kB; exit ${run.exitCode}, ${run.failures} failures`);
  }
  const kept = samples.at(-1);
  for (const run of samples.slice(0, -1)) rmSync(run.indexDir, { recursive: true, force: true });

  const entitiesPerSec = median(samples.map((s) => s.entitiesPerSec));
  const raw = readResult(args.resultsDir, "raw-limit");
  const ratioToRawLimit = raw ? entitiesPerSec / raw.full.entitiesPerSec : null;
  if (raw) log(`median ${round(entitiesPerSec, 2)} entities/s = ${round(100 * ratioToRawLimit, 1)}% of the raw limit (${raw.full.entitiesPerSec} entities/s, batch ${raw.full.batchSize})`);
  else log(`median ${round(entitiesPerSec, 2)} entities/s (run raw-limit.mjs for the ratio to the limit)`);

  const file = writeResult(args.resultsDir, "cold-index", plan, {
    unit: { entitiesPerSec: "entities/s", wallMs: "ms", maxRssKb: "kB" },
    command: `node bin/codesearch.js index ${path.relative(process.cwd(), plan.corpusRoot)} --model ${BENCH_MODEL_DIR} --db <fresh temp dir> --json`,
    runs,
    entities: kept.entities,
    entitiesPerSec: round(entitiesPerSec, 2),
    wallMsMedian: round(median(samples.map((s) => s.wallMs))),
    maxRssKbMedian: median(samples.map((s) => s.maxRssKb)),
    embedPhaseEntitiesPerSec: round(median(samples.map((s) => s.embedPhaseEntitiesPerSec ?? 0)), 2),
    ratioToRawLimit: ratioToRawLimit === null ? null : round(ratioToRawLimit, 4),
    rawLimitEntitiesPerSec: raw?.full.entitiesPerSec ?? null,
    samples: samples.map(({ indexDir: _indexDir, ...rest }) => ({ ...rest, wallMs: round(rest.wallMs), entitiesPerSec: round(rest.entitiesPerSec, 2), embedPhaseEntitiesPerSec: round(rest.embedPhaseEntitiesPerSec ?? 0, 2) })),
    keptIndexDir: kept.indexDir,
  });
  keepIndex(args.resultsDir, kept.indexDir, plan.corpusRoot);
  log(`kept the index at ${kept.indexDir} for warm-reindex and search → ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
