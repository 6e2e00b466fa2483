#!/usr/bin/env node
// Issue 18's dev sets (devsets/python/*.jsonl): index each library's corpus, run `codesearch eval`
// per mode, print NDCG@10 and MRR@10 per library, per category and macro with 95 % bootstrap
// confidence intervals; or compare two such runs with a paired bootstrap of the difference.
//
//   scripts/devsets/prepare-corpus.sh                                   # once: the corpora
//   npm run build && node scripts/devsets/eval-devsets.mjs              # codesearch-small, default/lexical/vector
//   node scripts/devsets/eval-devsets.mjs --model fixtures/model --out bench-results/devsets/test-model.json
//   node scripts/devsets/eval-devsets.mjs --libraries jinja2,rich --modes default --eval-args "--vector-weight 1"
//   node scripts/devsets/eval-devsets.mjs --compare before.json after.json   # paired Δ with 95 % CI
//
// Indexes live in devset-indexes/<model>/<library> (git-ignored), so a re-run is incremental;
// --rebuild passes --rebuild to `codesearch index` (e.g. after a change to calibration or to what
// is indexed). Each run's per-query metrics go to --out (default bench-results/devsets/<model>.json),
// the input of --compare. Intervals: 10,000 resamples of the queries, seed 12 (bootstrap.mjs);
// "macro" is the mean of the library means (resampled within each library), a category row pools
// that category's questions of all libraries.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bootstrapMeanOfGroups, pairedBootstrap } from "./bootstrap.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEVSETS = path.join(ROOT, "devsets", "python");
/** The modes the harness knows, with the `codesearch eval` arguments that choose them. */
const MODE_ARGS = { default: [], lexical: ["--mode", "lexical"], vector: ["--mode", "vector"] };
/** The metrics the tables show, as `codesearch eval --json` names them. */
const METRICS = ["nDCG@10", "MRR@10"];
const CATEGORIES = ["architecture", "semantic", "symbol"];

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: "string", default: "codesearch-small" },
    libraries: { type: "string" },
    modes: { type: "string", default: "default,lexical,vector" },
    "eval-args": { type: "string", default: "" },
    out: { type: "string" },
    rebuild: { type: "boolean", default: false },
    compare: { type: "boolean", default: false },
  },
});

/** Runs the built CLI; returns its stdout. */
function codesearch(args) {
  return execFileSync(process.execPath, [path.join(ROOT, "bin", "codesearch.js"), ...args], {
    env: { ...process.env, CI: "1", LANCEDB_LOG: "error" },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
}

function fail(message) {
  console.error(`eval-devsets: ${message}`);
  process.exit(2);
}

/** The model argument for `codesearch index` and a folder-safe label for it. */
function modelChoice(model) {
  if (model === "codesearch-small") return { arg: model, label: "codesearch-small" };
  const dir = path.resolve(model);
  if (!existsSync(dir)) fail(`model ${model} not found`);
  return { arg: dir, label: path.relative(ROOT, dir).replace(/[^\w.-]+/g, "_") || "model" };
}

function libraryNames() {
  const all = readdirSync(DEVSETS).filter((f) => f.endsWith(".jsonl")).map((f) => f.replace(/\.jsonl$/, "")).sort();
  if (!options.libraries) return all;
  const wanted = options.libraries.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of wanted) if (!all.includes(name)) fail(`no dev set ${name} (have ${all.join(", ")})`);
  return wanted;
}

/** Indexes (incrementally) one library's corpus; returns its index folder and the wall seconds. */
function indexLibrary(library, model) {
  const corpus = path.join(ROOT, "devset-corpus", library);
  if (!existsSync(corpus)) fail(`${corpus} not found: run scripts/devsets/prepare-corpus.sh first`);
  const db = path.join(ROOT, "devset-indexes", model.label, library);
  const startedAt = Date.now();
  codesearch(["index", corpus, "--model", model.arg, "--db", db, "--json", ...(options.rebuild ? ["--rebuild"] : [])]);
  return { db, seconds: (Date.now() - startedAt) / 1000 };
}

/** `codesearch eval --json --per-query` of one library's questions in one mode. */
function evaluate(library, db, mode) {
  const extra = options["eval-args"].split(/\s+/).filter(Boolean);
  const out = JSON.parse(codesearch(["eval", path.join(DEVSETS, `${library}.jsonl`), "--db", db, "--json", "--per-query", ...MODE_ARGS[mode], ...extra]));
  return {
    ...(out.fusion ? { fusion: out.fusion } : {}),
    latency_ms: out.latency_ms,
    per_query: out.per_query.map((q) => ({ id: q.id, category: q.category ?? null, metrics: Object.fromEntries(METRICS.map((m) => [m, q.metrics[m]])) })),
  };
}

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown CPU";
  return `nproc ${os.cpus().length}, ${cpu}, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
}

function commit() {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

const fmt = (v) => (Number.isNaN(v) ? "–" : v.toFixed(3));
const sign = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;

/**
 * The row groups of a table: each library, each category (pooled over libraries), macro (mean of
 * library means) and all questions pooled; each row is a list of groups of per-query items.
 */
function rowGroups(libraries, itemsOf) {
  const rows = libraries.map((lib) => [lib, [itemsOf(lib, () => true)]]);
  for (const category of CATEGORIES) rows.push([category, [libraries.flatMap((lib) => itemsOf(lib, (q) => q.category === category))]]);
  rows.push(["macro (mean of libraries)", libraries.map((lib) => itemsOf(lib, () => true))]);
  rows.push(["all questions", [libraries.flatMap((lib) => itemsOf(lib, () => true))]]);
  return rows;
}

/** Markdown tables of one run: per metric, rows per library / category / macro, columns per mode. */
function runTables(run) {
  const libraries = Object.keys(run.libraries);
  const lines = [];
  for (const metric of METRICS) {
    lines.push(`| ${metric} (${run.model}) | n | ${run.modes.join(" | ")} |`, `|---|---:|${run.modes.map(() => "---").join("|")}|`);
    for (const [label, groups] of rowGroups(libraries, (lib, keep) => run.libraries[lib].runs[run.modes[0]].per_query.filter(keep))) {
      const n = groups.reduce((s, g) => s + g.length, 0);
      const cells = run.modes.map((mode) => {
        const values = rowGroups(libraries, (lib, keep) => run.libraries[lib].runs[mode].per_query.filter(keep).map((q) => q.metrics[metric])).find(([l]) => l === label)[1];
        const ci = bootstrapMeanOfGroups(values);
        return `${fmt(ci.value)} [${fmt(ci.low)}, ${fmt(ci.high)}]`;
      });
      lines.push(`| ${label} | ${n} | ${cells.join(" | ")} |`);
    }
    lines.push("");
  }
  return lines;
}

/** Markdown tables comparing two runs, queries matched by library and id: before → after, Δ [95 % CI]. */
function compareTables(before, after) {
  const libraries = Object.keys(after.libraries).filter((lib) => before.libraries[lib]);
  const modes = after.modes.filter((m) => before.modes.includes(m));
  if (libraries.length === 0 || modes.length === 0) fail("the two runs share no library and mode");
  const lines = [`before: ${before.model} at ${before.commit} (${before.eval_args || "no extra eval args"}); after: ${after.model} at ${after.commit} (${after.eval_args || "no extra eval args"})`, ""];
  for (const metric of METRICS) {
    lines.push(`| ${metric} | n | ${modes.map((m) => `${m}: before → after (Δ [95 % CI])`).join(" | ")} |`, `|---|---:|${modes.map(() => "---").join("|")}|`);
    const pairsOf = (mode) => (lib, keep) => {
      const old = new Map(before.libraries[lib].runs[mode].per_query.map((q) => [q.id, q.metrics[metric]]));
      return after.libraries[lib].runs[mode].per_query.filter((q) => keep(q) && old.has(q.id)).map((q) => [old.get(q.id), q.metrics[metric]]);
    };
    for (const [label, groups] of rowGroups(libraries, pairsOf(modes[0]))) {
      const cells = modes.map((mode) => {
        const pairs = rowGroups(libraries, pairsOf(mode)).find(([l]) => l === label)[1];
        const was = bootstrapMeanOfGroups(pairs.map((g) => g.map(([b]) => b)), { resamples: 1 }).value;
        const now = bootstrapMeanOfGroups(pairs.map((g) => g.map(([, a]) => a)), { resamples: 1 }).value;
        const d = pairedBootstrap(pairs);
        return `${fmt(was)} → ${fmt(now)} (${sign(d.value)} [${sign(d.low)}, ${sign(d.high)}])`;
      });
      lines.push(`| ${label} | ${groups.reduce((s, g) => s + g.length, 0)} | ${cells.join(" | ")} |`);
    }
    lines.push("");
  }
  return lines;
}

if (options.compare) {
  if (positionals.length !== 2) fail("--compare needs two result files: before.json after.json");
  const [before, after] = positionals.map((f) => JSON.parse(readFileSync(path.resolve(f), "utf8")));
  console.log(compareTables(before, after).join("\n"));
} else {
  const model = modelChoice(options.model);
  const modes = options.modes.split(",").map((s) => s.trim()).filter(Boolean);
  for (const mode of modes) if (!MODE_ARGS[mode]) fail(`unknown mode ${mode} (have ${Object.keys(MODE_ARGS).join(", ")})`);
  const run = { commit: commit(), model: model.label, eval_args: options["eval-args"], modes, machine: machine(), date: new Date().toISOString(), libraries: {} };
  for (const library of libraryNames()) {
    const index = indexLibrary(library, model);
    const runs = Object.fromEntries(modes.map((mode) => [mode, evaluate(library, index.db, mode)]));
    run.libraries[library] = { index_seconds: index.seconds, runs };
    const fusion = runs.default?.fusion;
    console.error(`eval-devsets: ${library} indexed in ${index.seconds.toFixed(1)} s${fusion ? `, vector weight ${fusion.vector_weight} (${fusion.source})` : ""}`);
  }
  const out = path.resolve(options.out ?? path.join(ROOT, "bench-results", "devsets", `${model.label}.json`));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(run)}\n`);
  const weights = Object.entries(run.libraries).map(([lib, r]) => (r.runs.default?.fusion ? `${lib} ${r.runs.default.fusion.vector_weight}` : null)).filter(Boolean);
  console.log([`commit ${run.commit}, model ${run.model}${run.eval_args ? `, eval args ${run.eval_args}` : ""}`, `machine: ${run.machine}`, ...(weights.length ? [`default mode's vector weight per library: ${weights.join(", ")}`] : []), `per-query results: ${path.relative(ROOT, out)}`, "", ...runTables(run)].join("\n"));
}
