#!/usr/bin/env node
// Retrieval quality and query latency on the CoSQA dev queries (BENCHMARKS.md), and a check that
// `codesearch eval` agrees with the project's reference scorer, evaluate.py, on the same runs.
//
//   npm run bench:cosqa                      # lexical, vector, hybrid with the test model
//   CODEBERT_MODEL=<dir> npm run bench:cosqa # plus hybrid latency with a CodeBERT-shaped model
//
// Reads ../shared/eval (CODESEARCH_SHARED overrides ../shared); writes only to a temp folder,
// removed at the end (KEEP_BENCH_DIR=1 keeps it). Needs /usr/bin/python3 for evaluate.py.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SHARED = path.resolve(ROOT, process.env.CODESEARCH_SHARED ?? "../shared");
const CORPUS = path.join(SHARED, "eval", "cosqa", "corpus");
const QUERIES = path.join(SHARED, "eval", "cosqa", "queries_dev.jsonl");
const EVALUATE = path.join(SHARED, "eval", "evaluate.py");
const MODES = ["lexical", "vector", "hybrid"];
const METRICS = ["MRR@10", "Recall@1", "Recall@5", "Recall@10", "nDCG@10"];

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

/** `codesearch eval --json` for one mode, then the same run scored by evaluate.py; fails on disagreement. */
function measure(db, mode) {
  const ours = JSON.parse(codesearch(["eval", QUERIES, "--db", db, "--mode", mode, "--json"]));
  const results = path.join(work, `results-${path.basename(db)}-${mode}.jsonl`);
  writeFileSync(results, codesearch(["search", "--queries", QUERIES, "--db", db, "--mode", mode, "-n", "10"]));
  const summary = path.join(work, `evaluate-${path.basename(db)}-${mode}.json`);
  execFileSync("/usr/bin/python3", [EVALUATE, QUERIES, results, "--group-by", "", "--json", summary], { stdio: ["ignore", "ignore", "inherit"] });
  const reference = JSON.parse(readFileSync(summary, "utf8")).overall;
  for (const metric of METRICS) {
    if (Math.abs(reference[metric] - ours.metrics[metric]) > 1e-6) {
      throw new Error(`${mode}: codesearch eval says ${metric} = ${ours.metrics[metric]}, evaluate.py says ${reference[metric]}`);
    }
  }
  return ours;
}

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  const nproc = execFileSync("nproc", { encoding: "utf8" }).trim();
  return `nproc ${nproc}, ${cpu}, Node ${process.version}, ${os.type()} ${os.release()}`;
}

const row = (label, m) => `| ${label} | ${METRICS.map((k) => m.metrics[k].toFixed(4)).join(" | ")} | ${m.latency_ms.median} | ${m.latency_ms.p90} |`;

try {
  const testModel = indexCorpus("test-model", path.join(ROOT, "fixtures", "model"));
  const out = [
    `machine: ${machine()}`,
    `index (test model): ${testModel.seconds.toFixed(1)} s`,
    "",
    `| mode (test model) | ${METRICS.join(" | ")} | median ms | p90 ms |`,
    `|---|${METRICS.map(() => "---:").join("|")}|---:|---:|`,
  ];
  for (const mode of MODES) out.push(row(mode, measure(testModel.db, mode)));
  if (process.env.CODEBERT_MODEL) {
    const codebert = indexCorpus("codebert", path.resolve(process.env.CODEBERT_MODEL));
    out.push(row("hybrid (CodeBERT-shaped model)", measure(codebert.db, "hybrid")));
    out.push("", `index (CodeBERT-shaped model): ${codebert.seconds.toFixed(1)} s`);
  }
  out.push("", "codesearch eval and evaluate.py agree on every metric of every run.");
  console.log(out.join("\n"));
} finally {
  if (process.env.KEEP_BENCH_DIR) console.error(`eval-cosqa: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
