// (5) Search: the whole `codesearch search` process (model load included; median ms, peak RSS kB),
// and in-process query latency p50/p95 without query embedding at the corpus's size and on a
// synthetic 100k-row table. Writes search-latency.json.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BENCH_MODEL_DIR, distModule, parseBenchArgs, requireInputs, say, writeResult } from "./bench-config.mjs";
import { ensureBenchIndex } from "./cold-index.mjs";
import { loadCorpusChunks } from "./corpus-entities.mjs";
import { runCodesearch, runNodeTimed } from "./run-process.mjs";
import { buildQueries } from "./search-queries.mjs";
import { median, round } from "./stats.mjs";
import { readEmbeddedRows, writeSyntheticTable, PERTURBATION_NORM } from "./synthetic-table.mjs";

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), "search-probe.mjs");

/**
 * Runs search-probe.mjs on `indexDir` in its own process under GNU time and returns its JSON, with
 * `maxRssKb` GNU time's figure (the probe's own `process.resourceUsage().maxRSS` is kept as
 * `selfReportedMaxRssKb`).
 */
export async function runSearchProbe(indexDir, queriesFile, passes) {
  const run = await runNodeTimed([PROBE, "--db", indexDir, "--queries", queriesFile, "--passes", String(passes)], { env: { LANCEDB_LOG: process.env.LANCEDB_LOG ?? "error" } });
  if (run.exitCode !== 0) throw new Error(`search-probe exited ${run.exitCode}:\n${run.stderr.slice(-3000)}`);
  const result = JSON.parse(run.stdout);
  return { ...result, selfReportedMaxRssKb: result.maxRssKb, maxRssKb: run.maxRssKb };
}

/**
 * The queries' vectors from the bench model, through the pipeline's own embedder: the first 5
 * one call each (timed, as the search command embeds a query), the rest 8 per call (quicker).
 * Padding in a batch moves int8 vectors slightly; they only serve as search inputs here.
 */
export async function embedQueries(queries) {
  const { loadTransformersEmbedder } = await distModule("embed/index.js");
  const embedder = await loadTransformersEmbedder({ source: { kind: "local", dir: BENCH_MODEL_DIR }, cacheDir: path.join(BENCH_MODEL_DIR, ".unused-cache"), offline: true });
  const vectors = [];
  const callMs = [];
  for (const q of queries.slice(0, 5)) {
    const startedAt = performance.now();
    vectors.push(Array.from((await embedder.embed([q]))[0]));
    callMs.push(performance.now() - startedAt);
  }
  for (let i = 5; i < queries.length; i += 8) vectors.push(...(await embedder.embed(queries.slice(i, i + 8))).map((v) => Array.from(v)));
  await embedder.dispose();
  return { vectors, embedMsP50: round(median(callMs), 2) };
}

async function main() {
  const args = parseBenchArgs(
    "usage: node scripts/bench/search-latency.mjs [--quick] [--keep]\n(5) `codesearch search` whole process (ms, median of 5; peak RSS kB) and in-process latency p50/p95 (ms, query embedding excluded) on the kept index and on a synthetic 100k-row table (2k with --quick). --keep leaves the synthetic table in place.",
    { keep: { type: "boolean" } },
  );
  requireInputs(["dist", "corpus", "benchModel"]);
  const { plan } = args;
  const log = (line) => say("search", line);
  const indexDir = await ensureBenchIndex(plan, args.resultsDir, log);
  const { chunks } = await loadCorpusChunks(plan.corpusRoot);
  const queries = buildQueries(chunks, plan.queryCount);
  if (queries.length < plan.minQueries) throw new Error(`only ${queries.length} queries could be made; at least ${plan.minQueries} are needed`);

  // Whole process: model load, query embedding, search, printing.
  const processRuns = [];
  for (let i = 0; i < plan.searchProcessRuns; i++) {
    const run = await runCodesearch(["search", queries[i], "--db", indexDir, "--json"]);
    if (run.exitCode !== 0) throw new Error(`search exited ${run.exitCode}:\n${run.stderr.slice(-2000)}`);
    processRuns.push({ query: queries[i], wallMs: round(run.wallMs), maxRssKb: run.maxRssKb });
    log(`search process ${i + 1}/${plan.searchProcessRuns} "${queries[i]}": ${round(run.wallMs)} ms, peak RSS ${run.maxRssKb} kB`);
  }

  const scratch = mkdtempSync(path.join(os.tmpdir(), "codesearch-bench-queries-"));
  let synthetic = null;
  try {
    const embedded = await embedQueries(queries);
    const queriesFile = path.join(scratch, "queries.json");
    writeFileSync(queriesFile, JSON.stringify({ queries, vectors: embedded.vectors }));
    log(`${queries.length} queries embedded (one query per call: p50 ${embedded.embedMsP50} ms; not counted below)`);

    const small = await runSearchProbe(indexDir, queriesFile, plan.latencyPasses);
    log(`in-process at ${small.rowCount} rows: searchEntities p50 ${small.vectorSearchEntities.p50} ms, p95 ${small.vectorSearchEntities.p95} ms${small.hybridRankEntities ? `; hybrid rankEntities p50 ${small.hybridRankEntities.p50} ms, p95 ${small.hybridRankEntities.p95} ms` : ""}; peak RSS ${small.maxRssKb} kB`);

    const rows = await readEmbeddedRows(indexDir);
    log(`writing a synthetic table of ${plan.syntheticRows} rows from the ${rows.length} real ones…`);
    synthetic = await writeSyntheticTable(rows, plan.syntheticRows);
    log(`written in ${synthetic.writeMs} ms at ${synthetic.dir}`);
    const large = await runSearchProbe(synthetic.dir, queriesFile, plan.latencyPasses);
    log(`in-process at ${large.rowCount} rows: searchEntities p50 ${large.vectorSearchEntities.p50} ms, p95 ${large.vectorSearchEntities.p95} ms${large.hybridRankEntities ? `; hybrid rankEntities p50 ${large.hybridRankEntities.p50} ms, p95 ${large.hybridRankEntities.p95} ms` : ""}; peak RSS ${large.maxRssKb} kB`);

    const result = {
      unit: { wallMs: "ms", latency: "ms per query", maxRssKb: "kB" },
      indexDir,
      queries,
      process: {
        command: "node bin/codesearch.js search <query> --db <kept index> --json",
        runs: processRuns,
        wallMsMedian: median(processRuns.map((r) => r.wallMs)),
        maxRssKbMedian: median(processRuns.map((r) => r.maxRssKb)),
      },
      queryEmbedMsP50: embedded.embedMsP50,
      inProcess: { corpus: small, synthetic: large },
      syntheticTable: { rows: synthetic.rowCount, writeMs: synthetic.writeMs, perturbationNorm: PERTURBATION_NORM, renamed: "suffix _r<k> on names, qualified names and file names" },
    };
    const file = writeResult(args.resultsDir, "search-latency", plan, result);
    log(`median search process ${result.process.wallMsMedian} ms → ${file}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (synthetic && !args.keep) rmSync(synthetic.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
