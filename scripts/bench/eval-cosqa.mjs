#!/usr/bin/env node
// Retrieval quality and search latency on the CoSQA dev queries (BENCHMARKS.md), per model and
// mode, and a check that `codesearch eval` agrees with the project's reference scorer,
// evaluate.py, on the same runs.
//
//   npm run bench:cosqa                          # the test model, and models/codesearch-small when installed
//   CODESEARCH_SMALL=<dir> npm run bench:cosqa   # codesearch-small from another folder
//   CODEBERT_MODEL=<dir> npm run bench:cosqa     # plus a CodeBERT-shaped model
//   npm run bench:cosqa -- --baseline <cosqa.json of an earlier build>   # plus Δ against that build
//
// Per model: one cold index (which calibrates hybrid mode's fusion, see README), then lexical,
// vector, hybrid with the calibrated weight and hybrid with plain RRF (--vector-weight 1). Each
// metric (MRR@10, Recall@1, Recall@10, nDCG@10) comes with its difference to lexical mode and a
// paired bootstrap 95 % confidence interval (10,000 resamples of the queries, seed 12). Then the
// whole `codesearch search` process, default mode against --mode lexical (median of 9 runs each),
// and the dev MRR@10 at every vector weight calibration compared (how close its choice came).
// Every run's per-query metrics go to bench-results/cosqa.json; given `--baseline` with such a
// file from another build (e.g. main before a ranking change), each run also gets its difference
// to the same model and run there, with a paired bootstrap 95 % CI over the queries.
// Reads ../shared/eval (CODESEARCH_SHARED overrides ../shared); writes bench-results/cosqa.json and
// a temp folder, removed at the end (KEEP_BENCH_DIR=1 keeps it). Needs /usr/bin/python3 for evaluate.py.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median, seededRandom } from "./stats.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED = path.resolve(ROOT, process.env.CODESEARCH_SHARED ?? "../shared");
const CORPUS = path.join(SHARED, "eval", "cosqa", "corpus");
const QUERIES = path.join(SHARED, "eval", "cosqa", "queries_dev.jsonl");
const EVALUATE = path.join(SHARED, "eval", "evaluate.py");
const METRICS = ["MRR@10", "Recall@1", "Recall@5", "Recall@10", "nDCG@10"];
/** The metrics the table shows (evaluate.py checks all of METRICS). */
const SHOWN = ["MRR@10", "Recall@1", "Recall@10", "nDCG@10"];
/** The runs per model: label, then the CLI arguments that choose the mode and weight. */
/** @type {Array<[string, string[]]>} */
const RUNS = [
  ["lexical", ["--mode", "lexical"]],
  ["vector", ["--mode", "vector"]],
  ["hybrid (calibrated, default)", ["--mode", "hybrid"]],
  ["hybrid, plain RRF (--vector-weight 1)", ["--mode", "hybrid", "--vector-weight", "1"]],
];
const BOOTSTRAP_RESAMPLES = 10_000;
const BOOTSTRAP_SEED = 12;
const LATENCY_RUNS = 9;
const { values: options } = parseArgs({ options: { baseline: { type: "string" } } });
const baseline = options.baseline ? JSON.parse(readFileSync(path.resolve(options.baseline), "utf8")) : null;

for (const needed of [CORPUS, QUERIES, EVALUATE]) {
  if (!existsSync(needed)) {
    console.error(`eval-cosqa: ${needed} not found; set CODESEARCH_SHARED to the shared folder`);
    process.exit(2);
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), "codesearch-cosqa-"));
const env = { ...process.env, CI: "1", LANCEDB_LOG: "error" };

/** Runs the built CLI; returns its stdout (index progress goes there as JSON lines, unread). */
function codesearch(args) {
  return execFileSync(process.execPath, [path.join(ROOT, "bin", "codesearch.js"), ...args], {
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

/** Indexes the corpus into a fresh folder with `model`; returns the folder and the wall time. */
function indexCorpus(name, model) {
  const db = path.join(work, name);
  const startedAt = Date.now();
  codesearch(["index", CORPUS, "--model", model, "--db", db, "--json"]);
  return { db, seconds: (Date.now() - startedAt) / 1000 };
}

/**
 * `codesearch eval --json --per-query` for one run, then the same run scored by evaluate.py;
 * fails on disagreement. Returns the eval JSON (metrics, fusion, per-query metrics).
 */
function measure(db, name, args) {
  const ours = JSON.parse(codesearch(["eval", QUERIES, "--db", db, ...args, "--json", "--per-query"]));
  const results = path.join(work, `results-${path.basename(db)}-${name}.jsonl`);
  writeFileSync(results, codesearch(["search", "--queries", QUERIES, "--db", db, ...args, "-n", "10"]));
  const summary = path.join(work, `evaluate-${path.basename(db)}-${name}.json`);
  execFileSync("/usr/bin/python3", [EVALUATE, QUERIES, results, "--group-by", "", "--json", summary], { stdio: ["ignore", "ignore", "inherit"] });
  const reference = JSON.parse(readFileSync(summary, "utf8")).overall;
  for (const metric of METRICS) {
    if (Math.abs(reference[metric] - ours.metrics[metric]) > 1e-6) {
      throw new Error(`${name}: codesearch eval says ${metric} = ${ours.metrics[metric]}, evaluate.py says ${reference[metric]}`);
    }
  }
  return ours;
}

/**
 * Paired bootstrap (Efron & Tibshirani 1993) of the mean per-query difference `a − b`: resamples
 * the queries with replacement; returns the observed difference and the 2.5th/97.5th percentiles.
 */
function pairedBootstrap(a, b) {
  const diffs = a.map((v, i) => v - b[i]);
  const random = seededRandom(BOOTSTRAP_SEED);
  const means = [];
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    let sum = 0;
    for (let i = 0; i < diffs.length; i++) sum += diffs[Math.floor(random() * diffs.length)];
    means.push(sum / diffs.length);
  }
  means.sort((x, y) => x - y);
  const observed = diffs.reduce((s, v) => s + v, 0) / diffs.length;
  return { observed, low: means[Math.floor(0.025 * BOOTSTRAP_RESAMPLES)], high: means[Math.ceil(0.975 * BOOTSTRAP_RESAMPLES) - 1] };
}

/** Whole-process `codesearch search` wall time in ms, median of LATENCY_RUNS, alternating the two argument lists. */
function searchLatency(db, queries, argLists) {
  const times = argLists.map(() => []);
  for (let run = 0; run < LATENCY_RUNS; run++) {
    argLists.forEach((args, i) => {
      const startedAt = performance.now();
      codesearch(["search", queries[run % queries.length], "--db", db, "--json", ...args]);
      times[i].push(performance.now() - startedAt);
    });
  }
  return times.map((t) => median(t));
}

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  return `nproc ${nproc}, ${cpu}, Node ${process.version}, ${os.type()} ${os.release()}`;
}

const sign = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;

/** The markdown rows of one model: every run's metrics, each with Δ vs lexical [95 % CI]. */
function modelTable(label, measured) {
  const lexical = measured[0].result;
  const perQuery = (result, metric) => result.per_query.map((q) => q.metrics[metric]);
  const rows = [`| ${label} | ${SHOWN.join(" | ")} | median ms/query |`, `|---|${SHOWN.map(() => "---").join("|")}|---:|`];
  for (const { name, result } of measured) {
    const cells = SHOWN.map((metric) => {
      const value = result.metrics[metric].toFixed(4);
      if (result === lexical) return value;
      const ci = pairedBootstrap(perQuery(result, metric), perQuery(lexical, metric));
      return `${value} (${sign(ci.observed)} [${sign(ci.low)}, ${sign(ci.high)}])`;
    });
    rows.push(`| ${name} | ${cells.join(" | ")} | ${result.latency_ms.median} |`);
  }
  return rows;
}

/**
 * The markdown rows comparing one model's runs with the same runs of `baseline` (a cosqa.json of
 * another build): each metric's value there, here, and the paired difference [95 % CI], queries
 * matched by id. Empty when the baseline lacks the model.
 */
function baselineTable(label, measured) {
  const before = baseline?.models?.[label];
  if (!before) return [];
  const rows = [`| ${label}: vs baseline ${baseline.commit ?? ""} | ${SHOWN.join(" | ")} |`, `|---|${SHOWN.map(() => "---").join("|")}|`];
  for (const { name, result } of measured) {
    const old = before[name];
    if (!old) continue;
    const oldById = new Map(old.map((q) => [q.id ?? q.query, q.metrics]));
    const paired = result.per_query.filter((q) => oldById.has(q.id ?? q.query));
    const cells = SHOWN.map((metric) => {
      const now = paired.map((q) => q.metrics[metric]);
      const then = paired.map((q) => oldById.get(q.id ?? q.query)[metric]);
      const ci = pairedBootstrap(now, then);
      const mean = (xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
      return `${mean(then).toFixed(4)} → ${mean(now).toFixed(4)} (${sign(ci.observed)} [${sign(ci.low)}, ${sign(ci.high)}])`;
    });
    rows.push(`| ${name} (${paired.length} queries) | ${cells.join(" | ")} |`);
  }
  return rows;
}

function models() {
  const list = [{ label: "test model (fixtures/model)", dir: path.join(ROOT, "fixtures", "model") }];
  const small = process.env.CODESEARCH_SMALL ? path.resolve(process.env.CODESEARCH_SMALL) : path.join(ROOT, "models", "codesearch-small");
  if (existsSync(path.join(small, "config.json"))) list.push({ label: "codesearch-small", dir: small });
  if (process.env.CODEBERT_MODEL) list.push({ label: "CodeBERT-shaped model", dir: path.resolve(process.env.CODEBERT_MODEL) });
  return list;
}

const commit = (() => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
})();
const saved = { commit, models: {} };

try {
  const out = [`machine: ${machine()}`, `queries: ${QUERIES} (${readFileSync(QUERIES, "utf8").trim().split("\n").length}), differences vs lexical with paired bootstrap 95 % CI`, ""];
  const latencyQueries = readFileSync(QUERIES, "utf8").trim().split("\n").slice(0, LATENCY_RUNS).map((l) => JSON.parse(l).query);
  for (const [i, model] of models().entries()) {
    const index = indexCorpus(`model-${i}`, model.dir);
    const status = JSON.parse(codesearch(["status", "--db", index.db, "--json"]));
    const measured = RUNS.map(([name, args]) => ({ name, result: measure(index.db, name.replace(/\W+/g, "-"), args) }));
    saved.models[model.label] = Object.fromEntries(measured.map(({ name, result }) => [name, result.per_query.map((q) => ({ id: q.id, query: q.query, metrics: q.metrics }))]));
    const [defaultMs, lexicalMs] = searchLatency(index.db, latencyQueries, [[], ["--mode", "lexical"]]);
    const c = status.fusion.calibration;
    // The real questions' MRR@10 at every weight calibration compares: how close its choice came.
    const sweep = (c?.scores ?? []).map((s) => {
      const result = JSON.parse(codesearch(["eval", QUERIES, "--db", index.db, "--vector-weight", String(s.vectorWeight), "--json"]));
      return `${s.vectorWeight}→${result.metrics["MRR@10"].toFixed(4)}`;
    });
    out.push(
      `### ${model.label}`,
      `index (cold, calibration included): ${index.seconds.toFixed(1)} s`,
      `fusion: vector weight ${status.fusion.weights.vector}; ${status.fusion.note}`,
      ...(c ? [`calibration: ${c.queries} queries, ${c.distractors} distractors, ${c.modelCalls} texts embedded, ${(c.durationMs / 1000).toFixed(1)} s; MRR@10 by weight (± standard error of the gap to the best) ${c.scores.map((s) => `${s.vectorWeight}→${s.mrrAt10.toFixed(3)}±${(s.standardErrorToBest ?? 0).toFixed(3)}`).join(" ")}`] : []),
      "",
      ...modelTable(model.label, measured),
      "",
      ...(baseline ? [...baselineTable(model.label, measured), ""] : []),
      ...(sweep.length > 0 ? [`dev MRR@10 by vector weight (--vector-weight): ${sweep.join(" ")}`, ""] : []),
      `\`search\` whole process (median of ${LATENCY_RUNS}): default mode ${defaultMs.toFixed(0)} ms, --mode lexical ${lexicalMs.toFixed(0)} ms (Δ ${(defaultMs - lexicalMs).toFixed(0)} ms)`,
      "",
    );
  }
  out.push("codesearch eval and evaluate.py agree on every metric of every run.");
  mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench-results", "cosqa.json"), `${JSON.stringify(saved)}\n`);
  console.log(out.join("\n"));
} finally {
  if (process.env.KEEP_BENCH_DIR) console.error(`eval-cosqa: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
