#!/usr/bin/env node
// Fits the ranking stage's weights (src/rank/ranker-config.ts) on training questions the project
// generates itself, and reports each feature's contribution on the dev sets (docs/ranking.md).
//
//   scripts/devsets/prepare-corpus.sh all                     # once: dev and training corpora
//   node scripts/devsets/make-training-queries.mjs --libraries docutils,pygments,networkx   # once: devset-training/
//   npm run build && node scripts/ranker/fit-ranker.mjs --model codesearch-small --write
//   node scripts/ranker/fit-ranker.mjs --model fixtures/model          # report only
//   node scripts/ranker/fit-ranker.mjs --base tuned --cosqa-queries ../shared/eval/cosqa/queries_dev.jsonl \
//     --cosqa-index devset-indexes/codesearch-small/cosqa --write      # what ships (docs/ranking.md)
//
// Steps: (1) index each library (dev: devset-corpus/<library> → devset-indexes/<model>/<library>, as
// scripts/devsets/eval-devsets.mjs does; training: the blanked copy devset-training/<library>/corpus); (2) collect every question's candidate pool once
// (collect-pools.mjs; cached in bench-results/ranker/pools-<model>.json, --recollect to redo);
// (3) fit a pairwise logistic regression (RankNet's loss, Burges et al. 2005) of answer over
// non-answer candidates on the training questions, gradient descent, L2 1e-3, seeded negative
// sampling; (4) refine by coordinate ascent on the training questions' mean NDCG@10 (each weight
// and the file-repeat penalty, scaled ×0 … ×2, kept only when NDCG rises by > 0.001);
// (5) on the dev sets: the ranker at each vector weight of the calibration grid (the best one
// becomes `priorVectorWeight`), and the ablation: the fitted ranker
// with each feature (and stage) switched off, NDCG@10 and MRR@10 per category with 95 % bootstrap CIs.
// --write stores the ranker as models/<model>/ranker.json (a model folder only).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bootstrapMeanOfGroups, pairedBootstrap } from "../devsets/bootstrap.mjs";
import { seededRandom } from "../bench/stats.mjs";
import { collectPools } from "./collect-pools.mjs";
import { HAND_SET_RANKER } from "./hand-set.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const rank = await import(path.join(ROOT, "dist", "rank", "index.js"));
const { FEATURE_NAMES, VECTOR_WEIGHT_GRID, candidateFeatures, fileRepeatAdjustments, linearScore, queryTraits, rankWithStages, scoreQuery, DEFAULT_RANKER } = rank;

const { values: options } = parseArgs({
  options: {
    model: { type: "string", default: "codesearch-small" },
    train: { type: "string", default: path.join(ROOT, "devset-training") },
    dev: { type: "string", default: path.join(ROOT, "devsets", "python") },
    recollect: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    "max-train-per-library": { type: "string", default: "400" },
    // Which ranker the prior, the ablation and --write are about: the fitted one, DEFAULT_RANKER,
    // or `tuned`: the hand-set weights (hand-set.mjs) refined by coordinate ascent on the dev sets of
    // --tune-libraries only (the other dev libraries are the check split, reported apart).
    base: { type: "string", default: "fitted" },
    "tune-libraries": { type: "string", default: "attrs,babel,jinja2,markdown" },
    // The vector weight of default mode that the tuning and the second ablation table use when the
    // dev sets do not choose one (the prior is then measured, as before).
    "default-weight": { type: "string", default: "0.5" },
    // CoSQA dev (the second dev set): its queries file and an index of its corpus; reported, never tuned on.
    "cosqa-queries": { type: "string" },
    "cosqa-index": { type: "string" },
  },
});

function fail(message) {
  console.error(`fit-ranker: ${message}`);
  process.exit(2);
}

const model = options.model === "codesearch-small" ? { arg: "codesearch-small", label: "codesearch-small", dir: path.join(ROOT, "models", "codesearch-small") } : (() => {
  const dir = path.resolve(options.model);
  if (!existsSync(dir)) fail(`model ${options.model} not found`);
  return { arg: dir, label: path.relative(ROOT, dir).replace(/[^\w.-]+/g, "_"), dir };
})();

const readJsonl = (file) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
const setsIn = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((f) => ({ library: f.replace(/\.jsonl$/, ""), file: path.join(dir, f) })) : []);

/** Indexes a dev library's corpus, or a training library's copy with the answers' docstrings blanked (make-training-queries.mjs). */
function indexLibrary(kind, library) {
  const corpus = kind === "train" ? path.join(options.train, library, "corpus") : path.join(ROOT, "devset-corpus", library);
  if (!existsSync(corpus)) fail(`${corpus} not found: run scripts/devsets/prepare-corpus.sh all and scripts/devsets/make-training-queries.mjs`);
  const db = path.join(ROOT, "devset-indexes", model.label, kind === "train" ? `training-${library}` : library);
  execFileSync(process.execPath, [path.join(ROOT, "bin", "codesearch.js"), "index", corpus, "--model", model.arg, "--db", db, "--json"], {
    env: { ...process.env, CI: "1", LANCEDB_LOG: "error" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return db;
}

/** Pools of every set of `sets`, cached per model. */
async function poolsOf(kind, sets, limit) {
  const cache = path.join(ROOT, "bench-results", "ranker", `pools-${kind}-${model.label}.json`);
  if (!options.recollect && existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8"));
  const out = {};
  for (const { library, file } of sets) {
    const all = readJsonl(file);
    // Evenly spaced, so every category and source of the file keeps its share.
    const questions = all.length <= limit ? all : Array.from({ length: limit }, (_, i) => all[Math.floor((i * all.length) / limit)]);
    out[library] = await collectPools(indexLibrary(kind, library), questions);
    console.error(`fit-ranker: ${kind} ${library}: ${questions.length} questions`);
  }
  mkdirSync(path.dirname(cache), { recursive: true });
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

/** A pool as a search at `vectorWeight` would see it: without the vector side at weight 0. */
function candidatesAt(pool, vectorWeight) {
  if (vectorWeight > 0) return pool.candidates;
  return pool.candidates.filter((c) => c.ranks.lexical !== null || c.exactName).map((c) => ({ ...c, ranks: { ...c.ranks, vector: null } }));
}

/**
 * A pool's candidates and their features at `vectorWeight`, computed once (features do not depend
 * on the weights): the fit scores thousands of configurations.
 */
function prepared(pool, vectorWeight) {
  pool.prepared ??= new Map();
  let entry = pool.prepared.get(vectorWeight);
  if (!entry) {
    const candidates = candidatesAt(pool, vectorWeight);
    entry = { candidates, features: candidateFeatures(candidates, queryTraits(pool.query), vectorWeight) };
    pool.prepared.set(vectorWeight, entry);
  }
  return entry;
}

/**
 * NDCG@10 and MRR@10 of one pool ranked by `config` at `vectorWeight`: the order of
 * `rankWithStages` (score, ties by best side rank then id; file-diversity, sorted again), from the
 * prepared features. `check` compares it with `rankWithStages` itself.
 */
function scorePool(pool, config, vectorWeight, check = false) {
  const { candidates, features } = prepared(pool, vectorWeight);
  const bestRank = (c) => Math.min(c.ranks.lexical ?? Infinity, c.ranks.vector ?? Infinity);
  const order = (a, b) => b.score - a.score || bestRank(a.c) - bestRank(b.c) || (a.c.chunk.id < b.c.chunk.id ? -1 : a.c.chunk.id > b.c.chunk.id ? 1 : 0);
  let scored = candidates.map((c, i) => ({ c, score: linearScore(features[i], config.weights).score }));
  scored.sort(order);
  if (config.stages.includes("file-diversity")) {
    const adjustments = fileRepeatAdjustments(scored.map((x) => x.c.chunk.path), config.fileRepeatPenalty);
    scored = scored.map((x, i) => ({ ...x, score: x.score + adjustments[i] }));
    scored.sort(order);
  }
  const top = scored.slice(0, 10).map((x) => x.c);
  if (check) {
    const real = rankWithStages(candidates, queryTraits(pool.query), config, vectorWeight).slice(0, 10);
    if (real.some((c, i) => c.chunk.id !== top[i]?.chunk.id)) throw new Error(`the fast scorer differs from rankWithStages on ${JSON.stringify(pool.query)}`);
  }
  const s = scoreQuery(pool.relevant, top.map((c) => ({ file: c.chunk.path, qualname: c.chunk.qualifiedName, startLine: c.chunk.startLine })));
  return { ndcg: s.ndcgAt10, mrr: s.mrrAt10 };
}

const meanOf = (xs) => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
const allPools = (byLibrary) => Object.values(byLibrary).flat();

/** Pairwise logistic regression over the training pools' features at vector weight 1. */
function fitLogistic(pools) {
  const random = seededRandom(18);
  const pairs = [];
  for (const pool of pools) {
    const features = candidateFeatures(pool.candidates, queryTraits(pool.query), 1).map((f) => FEATURE_NAMES.map((n) => f[n]));
    const answers = pool.candidates.map((c) => scoreQuery(pool.relevant, [{ file: c.chunk.path, qualname: c.chunk.qualifiedName, startLine: c.chunk.startLine }]).recallAt10 > 0);
    const pos = features.filter((_, i) => answers[i]);
    const neg = features.filter((_, i) => !answers[i]);
    if (pos.length === 0 || neg.length === 0) continue;
    for (const p of pos.slice(0, 5)) {
      for (let k = 0; k < Math.min(20, neg.length); k++) pairs.push(p.map((v, j) => v - neg[Math.floor(random() * neg.length)][j]));
    }
  }
  const w = FEATURE_NAMES.map((n) => (n === "lexical" ? 1 : 0));
  const lambda = 1e-3;
  for (let iter = 0; iter < 400; iter++) {
    const grad = w.map((v) => lambda * v);
    for (const d of pairs) {
      const z = d.reduce((s, v, j) => s + v * w[j], 0);
      const g = -1 / (1 + Math.exp(z));
      for (let j = 0; j < w.length; j++) grad[j] += (g * d[j]) / pairs.length;
    }
    for (let j = 0; j < w.length; j++) w[j] -= 1.0 * grad[j];
  }
  return { weights: Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, w[j]])), pairs: pairs.length };
}

/**
 * Coordinate ascent on mean NDCG@10 of `pools` at vector weight 1, or on `objective(config)` when
 * given (higher is better).
 */
function refine(config, pools, objective, rounds = 3) {
  const score = objective ?? ((c) => meanOf(pools.map((p) => scorePool(p, c, 1).ndcg)));
  let best = score(config);
  console.error(`fit-ranker: start of coordinate ascent: training NDCG@10 ${best.toFixed(4)}`);
  const keys = [...FEATURE_NAMES.map((n) => ["weights", n]), ["fileRepeatPenalty"]];
  const get = (c, key) => (key.length === 2 ? (c.weights[key[1]] ?? 0) : c[key[0]]);
  const set = (c, key, v) => (key.length === 2 ? { ...c, weights: { ...c.weights, [key[1]]: v } } : { ...c, [key[0]]: v });
  for (let round = 0; round < rounds; round++) {
    let moved = false;
    for (const key of keys) {
      const now = get(config, key);
      const tries = [0, now * 0.5, now * 0.8, now * 1.25, now * 2, now + 0.1, now - 0.1, now + 0.3, now + 1].filter((v) => v !== now && (key[0] !== "fileRepeatPenalty" || v >= 0));
      for (const v of tries) {
        const candidate = set(config, key, Math.round(v * 1e4) / 1e4);
        const s = score(candidate);
        if (s > best + 0.001) {
          best = s;
          config = candidate;
          moved = true;
        }
      }
    }
    console.error(`fit-ranker: coordinate ascent round ${round + 1}: training NDCG@10 ${best.toFixed(4)}`);
    if (!moved) break;
  }
  return { config, trainingNdcg: best };
}

const CATEGORIES = ["architecture", "semantic", "symbol"];
const fmt = (v) => (Number.isNaN(v) ? "–" : v.toFixed(3));
const sign = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;

/** Per-library per-query scores of `config` at `vectorWeight` over the dev pools. */
function devScores(dev, config, vectorWeight) {
  return Object.fromEntries(Object.entries(dev).map(([lib, pools]) => [lib, pools.map((p) => ({ category: p.category, ...scorePool(p, config, vectorWeight) }))]));
}

function rows(scores, metric) {
  const libs = Object.keys(scores);
  const out = [["macro", libs.map((l) => scores[l].map((q) => q[metric]))]];
  for (const c of CATEGORIES) out.push([c, [libs.flatMap((l) => scores[l].filter((q) => q.category === c).map((q) => q[metric]))]]);
  return out;
}

function table(title, configs, vectorWeight, baseline) {
  const lines = [`${title}`, "", `| configuration | ${["macro", ...CATEGORIES].map((r) => `${r} NDCG@10 [95 % CI]`).join(" | ")} | Δ macro vs ${options.base} [95 % CI] |`, `|---|${["macro", ...CATEGORIES].map(() => "---").join("|")}|---|`];
  const base = devScores(dev, baseline, vectorWeight);
  for (const [name, config] of configs) {
    const s = devScores(dev, config, vectorWeight);
    const cells = rows(s, "ndcg").map(([, groups]) => {
      const ci = bootstrapMeanOfGroups(groups);
      return `${fmt(ci.value)} [${fmt(ci.low)}, ${fmt(ci.high)}]`;
    });
    const d = pairedBootstrap(Object.keys(s).map((l) => s[l].map((q, i) => [base[l][i].ndcg, q.ndcg])));
    lines.push(`| ${name} | ${cells.join(" | ")} | ${sign(d.value)} [${sign(d.low)}, ${sign(d.high)}] |`);
  }
  return lines;
}

const trainSets = setsIn(options.train);
const devSets = setsIn(options.dev);
if (devSets.length === 0) fail(`no dev sets in ${options.dev}`);
const dev = await poolsOf("dev", devSets, Infinity);
for (const pool of allPools(dev)) scorePool(pool, DEFAULT_RANKER, 1, true);
let fitted;
if (trainSets.length > 0) {
  const train = allPools(await poolsOf("train", trainSets, Number(options["max-train-per-library"])));
  const logistic = fitLogistic(train);
  console.error(`fit-ranker: logistic fit on ${train.length} questions, ${logistic.pairs} pairs: ${JSON.stringify(logistic.weights)}`);
  const scale = logistic.weights.lexical > 0 ? logistic.weights.lexical : 1;
  const start = { ...HAND_SET_RANKER, weights: Object.fromEntries(Object.entries(logistic.weights).map(([n, v]) => [n, Math.round((v / scale) * 1e4) / 1e4])) };
  const refined = refine(start, train);
  fitted = { ...refined.config, trainingQuestions: train.length, trainingNdcg: refined.trainingNdcg };
} else {
  console.error(`fit-ranker: no training questions in ${options.train}; reporting the default ranker only`);
  fitted = { ...HAND_SET_RANKER };
}
const { trainingQuestions, trainingNdcg, ...fittedRanker } = fitted;
if (!["fitted", "default", "tuned"].includes(options.base)) fail("--base is fitted, default or tuned");
const handSet = { ...HAND_SET_RANKER, weights: { ...HAND_SET_RANKER.weights }, stages: [...HAND_SET_RANKER.stages] };
const tuneLibraries = options["tune-libraries"].split(",").filter((l) => dev[l] !== undefined);
const checkLibraries = Object.keys(dev).filter((l) => !tuneLibraries.includes(l));
const defaultWeight = Number(options["default-weight"]);
/** Macro NDCG@10 (mean of the library means) of `config` at `vectorWeight` over the dev libraries `libraries`. */
const macroNdcg = (libraries, config, vectorWeight) => meanOf(libraries.map((l) => meanOf(dev[l].map((p) => scorePool(p, config, vectorWeight).ndcg))));
// CoSQA dev, the second dev set: its even-numbered queries may be tuned on, the odd ones are its check split.
let cosqa = null;
if (options["cosqa-queries"] && options["cosqa-index"]) {
  const cache = path.join(ROOT, "bench-results", "ranker", `pools-cosqa-${model.label}.json`);
  cosqa = !options.recollect && existsSync(cache) ? JSON.parse(readFileSync(cache, "utf8")) : await collectPools(path.resolve(options["cosqa-index"]), readJsonl(path.resolve(options["cosqa-queries"])));
  mkdirSync(path.dirname(cache), { recursive: true });
  writeFileSync(cache, JSON.stringify(cosqa));
}
const cosqaTune = cosqa?.filter((_, i) => i % 2 === 0) ?? [];
const cosqaCheck = cosqa?.filter((_, i) => i % 2 === 1) ?? [];
const meanMrr = (pools, config, vectorWeight) => meanOf(pools.map((p) => scorePool(p, config, vectorWeight).mrr));
let tunedRanker = null;
if (options.base === "tuned") {
  // Default mode's quality: the dev tune split's macro NDCG@10 and, with CoSQA, its tune half's
  // MRR@10 counted alike (the dev sets alone drive the vector side to 0, CoSQA's prose questions
  // need it); without CoSQA, lexical and default mode count alike.
  const objective = cosqa
    ? (c) => (macroNdcg(tuneLibraries, c, defaultWeight) + meanMrr(cosqaTune, c, defaultWeight)) / 2
    : (c) => (macroNdcg(tuneLibraries, c, 0) + macroNdcg(tuneLibraries, c, defaultWeight)) / 2;
  console.error(`fit-ranker: tuning on the dev sets of ${tuneLibraries.join(", ")}${cosqa ? ` and ${cosqaTune.length} CoSQA dev queries` : ""}; check split ${checkLibraries.join(", ")}`);
  tunedRanker = refine(handSet, [], objective, 4).config;
}
const ranker = options.base === "default" ? { ...DEFAULT_RANKER, weights: { ...DEFAULT_RANKER.weights }, stages: [...DEFAULT_RANKER.stages] } : options.base === "tuned" ? { ...tunedRanker } : fittedRanker;

// The prior vector weight: the weight of the calibration grid with the best mean NDCG@10 on the
// dev sets (developer questions; calibration's own margin rule guards an unmeasured model, this
// prior is a measurement of this model).
const byWeight = VECTOR_WEIGHT_GRID.map((w) => ({ w, scores: allPools(devScores(dev, ranker, w)).map((q) => q.ndcg) }));
const prior = byWeight.reduce((a, b) => (meanOf(b.scores) > meanOf(a.scores) ? b : a));
// A tuned ranker's weights were chosen at --default-weight, which stays its prior.
ranker.priorVectorWeight = model.label !== "codesearch-small" ? 0 : options.base === "tuned" ? defaultWeight : prior.w;
ranker.source = options.base === "tuned"
  ? `scripts/ranker/fit-ranker.mjs --model ${model.arg} --base tuned: the hand-set weights refined by coordinate ascent on default mode (vector weight ${defaultWeight}, the prior) over the dev sets of ${tuneLibraries.join(", ")}${cosqa ? ` and the even-numbered half of CoSQA dev` : ""}, checked on ${checkLibraries.join(", ") || "none"}${cosqa ? " and CoSQA dev's other half" : ""}; the weights fitted on ${trainingQuestions ?? 0} generated training questions lost to them there`
  : options.base === "default"
  ? `DEFAULT_RANKER's weights (src/rank/ranker-config.ts); prior vector weight from the dev sets (${devSets.map((s) => s.library).join(", ")})`
  : `scripts/ranker/fit-ranker.mjs --model ${model.arg}: ${trainingQuestions ?? 0} training questions (${trainSets.map((s) => s.library).join(", ") || "none"}), training NDCG@10 ${trainingNdcg?.toFixed(4) ?? "–"}; prior vector weight from the dev sets (${devSets.map((s) => s.library).join(", ")})`;

const report = [`model ${model.label}; dev sets ${devSets.map((s) => `${s.library} (${dev[s.library].length})`).join(", ")}`, "", `vector weight on the dev sets (${options.base} ranker):`, ""];
for (const x of byWeight) report.push(`- ${x.w}: NDCG@10 ${meanOf(x.scores).toFixed(4)}`);
report.push("", `prior vector weight: ${ranker.priorVectorWeight}`, "", "```json", JSON.stringify(ranker, null, 2), "```", "");
const ablations = [[options.base, ranker], ["BM25 rank + exact name only", { ...ranker, weights: { lexical: ranker.weights.lexical, vector: ranker.weights.vector, exactName: ranker.weights.exactName }, stages: [] }]];
for (const name of FEATURE_NAMES) if ((ranker.weights[name] ?? 0) !== 0) ablations.push([`− ${name}`, { ...ranker, weights: { ...ranker.weights, [name]: 0 } }]);
if (ranker.stages.includes("file-diversity")) ablations.push(["− file-diversity", { ...ranker, stages: ranker.stages.filter((s) => s !== "file-diversity") }]);
if (options.base !== "fitted") ablations.push(["fitted on the training questions", fittedRanker]);
if (options.base !== "default") ablations.push(["DEFAULT_RANKER", { ...DEFAULT_RANKER }]);
ablations.push(["hand-set (issue 18's first weights)", handSet]);
const shipped = path.join(model.dir, "ranker.json");
if (existsSync(shipped)) ablations.push(["ranker.json before this run", JSON.parse(readFileSync(shipped, "utf8"))]);
// The split: the tuned weights saw only the tune libraries' questions.
report.push(
  `Tune split (${tuneLibraries.join(", ")}${cosqa ? ", CoSQA dev even" : ""}) and check split (${checkLibraries.join(", ")}${cosqa ? ", CoSQA dev odd" : ""}): dev macro NDCG@10, CoSQA MRR@10:`,
  "",
  `| configuration | dev tune, weight 0 | dev check, weight 0 | dev tune, weight ${defaultWeight} | dev check, weight ${defaultWeight} | CoSQA tune, 0 | CoSQA check, 0 | CoSQA tune, ${defaultWeight} | CoSQA check, ${defaultWeight} |`,
  "|---|---|---|---|---|---|---|---|---|",
);
for (const [name, config] of ablations.filter(([n]) => !n.startsWith("−"))) {
  const devCells = [0, defaultWeight].flatMap((w) => [tuneLibraries, checkLibraries].map((libs) => (libs.length ? macroNdcg(libs, config, w).toFixed(4) : "–")));
  const cosqaCells = [0, defaultWeight].flatMap((w) => [cosqaTune, cosqaCheck].map((pools) => (pools.length ? meanMrr(pools, config, w).toFixed(4) : "–")));
  report.push(`| ${name} | ${[...devCells, ...cosqaCells].join(" | ")} |`);
}
report.push("");
report.push(...table(`Ablation, vector weight 0 (lexical mode)`, ablations, 0, ranker), "");
if (ranker.priorVectorWeight > 0) report.push(...table(`Ablation, vector weight ${ranker.priorVectorWeight} (the prior)`, ablations, ranker.priorVectorWeight, ranker), "");
if (cosqa) {
  report.push(`CoSQA dev (${cosqa.length} queries), MRR@10 [95 % CI], re-ranked offline:`, "", `| configuration | ${[...new Set([0, defaultWeight, 1])].map((w) => `weight ${w}`).join(" | ")} |`, `|---|${[...new Set([0, defaultWeight, 1])].map(() => "---").join("|")}|`);
  for (const [name, config] of ablations) {
    const cells = [...new Set([0, defaultWeight, 1])].map((w) => {
      const ci = bootstrapMeanOfGroups([cosqa.map((p) => scorePool(p, config, w).mrr)]);
      return `${fmt(ci.value)} [${fmt(ci.low)}, ${fmt(ci.high)}]`;
    });
    report.push(`| ${name} | ${cells.join(" | ")} |`);
  }
  report.push("");
}
console.log(report.join("\n"));
if (options.write) {
  const out = path.join(model.dir, "ranker.json");
  writeFileSync(out, `${JSON.stringify(ranker, null, 2)}\n`);
  console.error(`fit-ranker: wrote ${path.relative(ROOT, out)}`);
}
