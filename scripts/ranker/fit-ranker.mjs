#!/usr/bin/env node
// Fits a model's ranker (models/<model>/ranker.json; src/rank/ranker-config.ts) on the dev sets and
// CoSQA dev, with leave-one-library-out cross-validation to choose how far the weights may move
// from DEFAULT_RANKER (docs/ranking.md, "How the weights are fitted"). One command:
//
//   npm run build && scripts/devsets/prepare-corpus.sh dev
//   node scripts/ranker/fit-ranker.mjs --model codesearch-small --cosqa ../shared/eval/cosqa --write
//
// Steps: (1) index each dev library (devset-corpus/<library> → devset-indexes/<model>/<library>) and
// CoSQA dev's corpus, and collect every question's whole candidate pool once (collect-pools.mjs),
// cached in bench-results/ranker/ under the model's fingerprint (a retrained model re-indexes with
// --rebuild and re-collects by itself); (2) for each shrinkage λ of --lambdas, each fold (one dev
// library held out, with every sixth CoSQA query), fit the free weights (FREE_WEIGHTS) by
// coordinate ascent on the other folds' objective − λ × Σ (weight − DEFAULT_RANKER's)², and score
// the held-out fold; (3) choose the λ with the best cross-validated objective, fit on everything
// with it, and print in-sample against cross-validated figures per category with 95 % bootstrap
// intervals, and the ablation; (4) --write stores the ranker.
//
// Objective: the mean of dev macro NDCG@10 and CoSQA MRR@10, each the mean of lexical mode
// (vector weight 0) and default mode (--default-weight, which becomes priorVectorWeight); with
// --objective lexical, lexical mode only (the fit of DEFAULT_RANKER's weights, models without a
// ranker file).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { collectPools, modelFingerprint } from "./collect-pools.mjs";
import { FEATURE_NAMES, meanOf, scorePool } from "./offline-rank.mjs";
import { ablationTable, splitTable } from "./fit-report.mjs";
import { seededRandom } from "../bench/stats.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { DEFAULT_RANKER, parseRankerConfig } = await import(path.join(ROOT, "dist", "rank", "index.js"));

/**
 * The weights the fit moves; the others keep DEFAULT_RANKER's value. `lexical` is not free: it is
 * the scale (a ranking does not change when every weight is multiplied by one number).
 */
export const FREE_WEIGHTS = ["vector", "exactName", "nameWords", "pathWords", "memberHits", "fileSupport", "fieldBody", "moduleWords", "nameToken", "dottedTail", "vectorSimilarity"];

const { values: options } = parseArgs({
  options: {
    model: { type: "string", default: "codesearch-small" },
    dev: { type: "string", default: path.join(ROOT, "devsets", "python") },
    // A folder with CoSQA's corpus/ and queries_dev.jsonl (../shared/eval/cosqa); without it, dev sets only.
    cosqa: { type: "string" },
    recollect: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    objective: { type: "string", default: "both" },
    "default-weight": { type: "string", default: "0.5" },
    lambdas: { type: "string", default: "0,0.01,0.03,0.1,0.3" },
    rounds: { type: "string", default: "3" },
  },
});

function fail(message) {
  console.error(`fit-ranker: ${message}`);
  process.exit(2);
}
if (!["both", "lexical"].includes(options.objective)) fail("--objective is both or lexical");
if (options.write && options.objective === "lexical") fail("--objective lexical fits DEFAULT_RANKER's weights (src/rank/ranker-config.ts), copied by hand; it writes no ranker.json");

const model = options.model === "codesearch-small" ? { arg: "codesearch-small", label: "codesearch-small", dir: path.join(ROOT, "models", "codesearch-small") } : (() => {
  const dir = path.resolve(options.model);
  if (!existsSync(dir)) fail(`model ${options.model} not found`);
  return { arg: dir, label: path.relative(ROOT, dir).replace(/[^\w.-]+/g, "_"), dir };
})();

const fingerprint = modelFingerprint(model.dir);

const readJsonl = (file) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));

/** Indexes `corpus` into devset-indexes/<model>/<name>, from scratch when the model changed. */
function indexCorpus(corpus, name, rebuild) {
  if (!existsSync(corpus)) fail(`${corpus} not found: run scripts/devsets/prepare-corpus.sh dev`);
  const db = path.join(ROOT, "devset-indexes", model.label, name);
  execFileSync(process.execPath, [path.join(ROOT, "bin", "codesearch.js"), "index", corpus, "--model", model.arg, "--db", db, "--json", ...(rebuild ? ["--rebuild"] : [])], {
    env: { ...process.env, CI: "1", LANCEDB_LOG: "error" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return db;
}

/** The pools of `sets` ([{ name, corpus, questions }]), cached in bench-results/ranker/pools-<kind>-<model>.json with the model's fingerprint. */
async function poolsOf(kind, sets) {
  const cache = path.join(ROOT, "bench-results", "ranker", `pools-${kind}-${model.label}.json`);
  if (!options.recollect && existsSync(cache)) {
    const cached = JSON.parse(readFileSync(cache, "utf8"));
    if (cached.fingerprint === fingerprint) return cached.pools;
    console.error(`fit-ranker: ${path.relative(ROOT, cache)} is of another model version; indexing again`);
  }
  const pools = {};
  for (const { name, corpus, questions } of sets) {
    pools[name] = await collectPools(indexCorpus(corpus, name, true), questions);
    console.error(`fit-ranker: ${kind} ${name}: ${questions.length} questions`);
  }
  mkdirSync(path.dirname(cache), { recursive: true });
  writeFileSync(cache, JSON.stringify({ fingerprint, pools }));
  return pools;
}

const started = Date.now();
const devFiles = existsSync(options.dev) ? readdirSync(options.dev).filter((f) => f.endsWith(".jsonl")).sort() : [];
if (devFiles.length === 0) fail(`no dev sets in ${options.dev}`);
const dev = await poolsOf(
  "dev",
  devFiles.map((f) => ({ name: f.replace(/\.jsonl$/, ""), corpus: path.join(ROOT, "devset-corpus", f.replace(/\.jsonl$/, "")), questions: readJsonl(path.join(options.dev, f)) })),
);
const libraries = Object.keys(dev);
const cosqa = options.cosqa
  ? (await poolsOf("cosqa", [{ name: "cosqa", corpus: path.join(path.resolve(options.cosqa), "corpus"), questions: readJsonl(path.join(path.resolve(options.cosqa), "queries_dev.jsonl")) }])).cosqa
  : [];
// The offline scorer must order as rankWithStages does.
for (const pool of [...Object.values(dev).flat(), ...cosqa].filter((_, i) => i % 7 === 0)) scorePool(pool, DEFAULT_RANKER, 0.5, true);

const defaultWeight = Number(options["default-weight"]);
const weightsOfObjective = options.objective === "lexical" ? [0] : [0, defaultWeight];
/** Folds: fold k holds out dev library k and CoSQA queries i with i mod folds = k. */
const folds = libraries.map((library, k) => ({ library, cosqa: cosqa.filter((_, i) => i % libraries.length === k) }));

/** The objective over `libs` and CoSQA `queries` (higher is better): see the file's comment. */
function objective(config, libs, queries) {
  let total = 0;
  for (const w of weightsOfObjective) {
    const devMacro = meanOf(libs.map((l) => meanOf(dev[l].map((p) => scorePool(p, config, w).ndcg))));
    total += queries.length > 0 ? (devMacro + meanOf(queries.map((p) => scorePool(p, config, w).mrr))) / 2 : devMacro;
  }
  return total / weightsOfObjective.length;
}

/** The objective from per-question scores: per mode [{ dev: [per library [ndcg…]], cosqa: [mrr…] }]. */
function objectiveOf(perMode) {
  return meanOf(perMode.map(({ dev: d, cosqa: q }) => (q.length > 0 ? (meanOf(d.map(meanOf)) + meanOf(q)) / 2 : meanOf(d.map(meanOf)))));
}

/** Bootstrap standard error (1,000 resamples, seed 18; libraries resampled within) of objectiveOf(a) − objectiveOf(b) over the same questions. */
function pairedStandardError(a, b) {
  const random = seededRandom(18);
  const draws = [];
  for (let r = 0; r < 1000; r++) {
    const devPicks = a[0].dev.map((questions) => questions.map(() => Math.floor(random() * questions.length)));
    const cosqaPicks = a[0].cosqa.map(() => Math.floor(random() * a[0].cosqa.length));
    const resample = (perMode) => perMode.map(({ dev: d, cosqa: q }) => ({ dev: d.map((qs, l) => devPicks[l].map((i) => qs[i])), cosqa: cosqaPicks.map((i) => q[i]) }));
    draws.push(objectiveOf(resample(a)) - objectiveOf(resample(b)));
  }
  const mean = meanOf(draws);
  return Math.sqrt(meanOf(draws.map((d) => (d - mean) ** 2)));
}

const prior = DEFAULT_RANKER.weights;
const penalty = (config, lambda) => lambda * FREE_WEIGHTS.reduce((s, n) => s + ((config.weights[n] ?? 0) - (prior[n] ?? 0)) ** 2, 0);

/** Coordinate ascent of `objective − penalty` from DEFAULT_RANKER over FREE_WEIGHTS. */
function fit(libs, queries, lambda) {
  let config = { ...DEFAULT_RANKER, weights: { ...DEFAULT_RANKER.weights }, stages: [...DEFAULT_RANKER.stages] };
  const value = (c) => objective(c, libs, queries) - penalty(c, lambda);
  let best = value(config);
  for (let round = 0; round < Number(options.rounds); round++) {
    let moved = false;
    for (const name of FREE_WEIGHTS) {
      const now = config.weights[name] ?? 0;
      for (const step of [-1, -0.4, -0.15, -0.05, 0.05, 0.15, 0.4, 1, (prior[name] ?? 0) - now]) {
        if (step === 0) continue;
        const candidate = { ...config, weights: { ...config.weights, [name]: Math.round((now + step) * 100) / 100 } };
        const v = value(candidate);
        if (v > best + 1e-4) {
          best = v;
          config = candidate;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  return config;
}

// (2) cross-validation per λ: every question is scored once, by weights that never saw its library.
const lambdas = options.lambdas.split(",").map(Number);
const cv = [];
for (const lambda of lambdas) {
  const outOfFold = { dev: {}, cosqa: new Map(), configs: [] };
  for (const [k, fold] of folds.entries()) {
    const config = fit(libraries.filter((l) => l !== fold.library), cosqa.filter((_, i) => i % folds.length !== k), lambda);
    outOfFold.configs.push(config);
    outOfFold.dev[fold.library] = config;
    for (const p of fold.cosqa) outOfFold.cosqa.set(p, config);
  }
  // The cross-validated objective: each held-out question under its fold's weights; per question,
  // so the one-standard-error rule can resample it.
  const perQuestion = weightsOfObjective.map((w) => ({
    dev: libraries.map((l) => dev[l].map((p) => scorePool(p, outOfFold.dev[l], w).ndcg)),
    cosqa: cosqa.map((p) => scorePool(p, outOfFold.cosqa.get(p), w).mrr),
  }));
  const value = objectiveOf(perQuestion);
  cv.push({ lambda, value, perQuestion, outOfFold });
  console.error(`fit-ranker: λ ${lambda}: cross-validated objective ${value.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
// (3) the one-standard-error rule (Hastie, Tibshirani & Friedman 2009, 7.10): the largest λ (the
// nearest DEFAULT_RANKER) whose cross-validated objective is within one bootstrap standard error
// of the best λ's, the error of their paired difference over resampled questions.
const best = cv.reduce((a, b) => (b.value > a.value ? b : a));
for (const c of cv) c.se = c === best ? 0 : pairedStandardError(best.perQuestion, c.perQuestion);
const chosen = cv.filter((c) => c.value >= best.value - c.se).reduce((a, b) => (b.lambda > a.lambda ? b : a));
const fitted = fit(libraries, cosqa, chosen.lambda);
const ranker = {
  ...fitted,
  priorVectorWeight: options.objective === "lexical" ? 0 : defaultWeight,
  source: `scripts/ranker/fit-ranker.mjs --model ${model.arg}${options.cosqa ? " --cosqa <CoSQA>" : ""} --objective ${options.objective}: ${FREE_WEIGHTS.join(", ")} fitted by coordinate ascent on the dev sets (${libraries.join(", ")})${cosqa.length ? " and CoSQA dev" : ""}, shrunk toward DEFAULT_RANKER with λ ${chosen.lambda} chosen by leave-one-library-out cross-validation (model ${fingerprint})`,
};
const previousFile = path.join(model.dir, "ranker.json");
const previous = existsSync(previousFile) ? parseRankerConfig(JSON.parse(readFileSync(previousFile, "utf8"))) : null;

const report = [
  `model ${model.label} (${fingerprint}); dev sets ${libraries.map((l) => `${l} (${dev[l].length})`).join(", ")}; CoSQA dev ${cosqa.length} queries; objective ${options.objective}`,
  "",
  "Cross-validated objective by λ (mean of dev macro NDCG@10 and CoSQA MRR@10 over the objective's modes; difference to the best, its standard error):",
  "",
  ...cv.map((c) => `- λ ${c.lambda}: ${c.value.toFixed(4)}${c === best ? " (best)" : ` (${(c.value - best.value).toFixed(4)}, standard error ${c.se.toFixed(4)})`}${c === chosen ? " (chosen: the largest λ within one standard error of the best)" : ""}`),
  "",
  "```json",
  JSON.stringify(ranker, null, 2),
  "```",
  "",
  "Fold weights at the chosen λ (held-out library: weights):",
  "",
  ...folds.map((f, k) => `- ${f.library}: ${FREE_WEIGHTS.map((n) => `${n} ${chosen.outOfFold.configs[k].weights[n] ?? 0}`).join(", ")}`),
  "",
];
const modes = options.objective === "lexical" ? [0] : [0, defaultWeight];
const compared = [
  ["fitted, in-sample", ranker, null],
  ["fitted, cross-validated", null, chosen.outOfFold],
  ["DEFAULT_RANKER", DEFAULT_RANKER, null],
  ...(previous ? [["ranker.json before this run", previous, null]] : []),
];
report.push(...splitTable({ dev, cosqa, modes, compared }), "");
report.push(...ablationTable({ dev, cosqa, ranker, vectorWeight: modes.at(-1), features: FEATURE_NAMES }), "");
report.push(`fit-ranker took ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(report.join("\n"));
if (options.write) {
  writeFileSync(previousFile, `${JSON.stringify(ranker, null, 2)}\n`);
  console.error(`fit-ranker: wrote ${path.relative(ROOT, previousFile)}`);
}
