// The tables fit-ranker.mjs prints: NDCG@10 per category and CoSQA MRR@10 with 95 % bootstrap
// intervals (scripts/devsets/bootstrap.mjs: 10,000 resamples, seed 12; macro = mean of the library
// means, resampled within each library), for fitted, cross-validated and reference rankers, and
// the ablation of a ranker feature by feature.
import { bootstrapMeanOfGroups, pairedBootstrap } from "../devsets/bootstrap.mjs";
import { scorePool } from "./offline-rank.mjs";

const CATEGORIES = ["architecture", "semantic", "symbol"];
const fmt = (v) => (Number.isNaN(v) ? "–" : v.toFixed(3));
const sign = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
const ci = (groups) => {
  const b = bootstrapMeanOfGroups(groups);
  return `${fmt(b.value)} [${fmt(b.low)}, ${fmt(b.high)}]`;
};

/**
 * Per-query scores of one ranker on the dev pools (by library) and CoSQA's: `config` is a ranker
 * configuration, or `outOfFold` ({ dev: library → config, cosqa: pool → config }) for
 * cross-validated figures.
 */
export function perQuery({ dev, cosqa }, config, outOfFold, vectorWeight) {
  const devScores = Object.fromEntries(Object.entries(dev).map(([l, pools]) => [l, pools.map((p) => ({ category: p.category, ...scorePool(p, config ?? outOfFold.dev[l], vectorWeight) }))]));
  const cosqaScores = cosqa.map((p) => scorePool(p, config ?? outOfFold.cosqa.get(p), vectorWeight).mrr);
  return { dev: devScores, cosqa: cosqaScores };
}

/** Macro and per-category groups of per-query `metric` values. */
function groupsOf(devScores, metric) {
  const libs = Object.keys(devScores);
  return [
    ["macro", libs.map((l) => devScores[l].map((q) => q[metric]))],
    ...CATEGORIES.map((c) => [c, [libs.flatMap((l) => devScores[l].filter((q) => q.category === c).map((q) => q[metric]))]]),
  ];
}

/** In-sample against cross-validated (and reference rankers), per mode: `compared` is [[name, config, outOfFold]]. */
export function splitTable({ dev, cosqa, modes, compared }) {
  const lines = [];
  for (const w of modes) {
    lines.push(`Vector weight ${w} (${w === 0 ? "lexical mode" : "default mode"}): dev NDCG@10, CoSQA dev MRR@10 [95 % CI]`, "");
    lines.push(`| ranker | dev macro | architecture | semantic | symbol | CoSQA dev MRR@10 |`, "|---|---|---|---|---|---|");
    for (const [name, config, outOfFold] of compared) {
      const s = perQuery({ dev, cosqa }, config, outOfFold, w);
      lines.push(`| ${name} | ${groupsOf(s.dev, "ndcg").map(([, g]) => ci(g)).join(" | ")} | ${s.cosqa.length ? ci([s.cosqa]) : "–"} |`);
    }
    lines.push("");
  }
  return lines;
}

/** The ranker with each weighed feature switched off, at `vectorWeight`: NDCG@10 per category, Δ macro (paired), CoSQA MRR@10. */
export function ablationTable({ dev, cosqa, ranker, vectorWeight, features }) {
  const lines = [`Ablation at vector weight ${vectorWeight}:`, "", "| ranker | dev macro | architecture | semantic | symbol | Δ macro [95 % CI] | CoSQA dev MRR@10 |", "|---|---|---|---|---|---|---|"];
  const base = perQuery({ dev, cosqa }, ranker, null, vectorWeight);
  const variants = [["fitted", ranker], ...features.filter((n) => (ranker.weights[n] ?? 0) !== 0).map((n) => [`− ${n}`, { ...ranker, weights: { ...ranker.weights, [n]: 0 } }])];
  for (const [name, config] of variants) {
    const s = perQuery({ dev, cosqa }, config, null, vectorWeight);
    const d = pairedBootstrap(Object.keys(s.dev).map((l) => s.dev[l].map((q, i) => [base.dev[l][i].ndcg, q.ndcg])));
    const cells = groupsOf(s.dev, "ndcg").map(([, g], i) => (i === 0 ? ci(g) : fmt(bootstrapMeanOfGroups(g).value)));
    const cosqaCell = s.cosqa.length ? fmt(bootstrapMeanOfGroups([s.cosqa]).value) : "–";
    lines.push(`| ${name} | ${cells.join(" | ")} | ${name === "fitted" ? "—" : `${sign(d.value)} [${sign(d.low)}, ${sign(d.high)}]`} | ${cosqaCell} |`);
  }
  return lines;
}
