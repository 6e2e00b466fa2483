#!/usr/bin/env node
// Two modes of one eval-devsets.mjs run, paired question by question (docs/devsets.md): the mean
// difference `b − a` of NDCG@10 and MRR@10, macro (library means, resampled within each library),
// per category and over all questions, each with a 95 % paired bootstrap interval (bootstrap.mjs).
//
//   node scripts/devsets/compare-modes.mjs bench-results/devsets/<model>.json [a=lexical] [b=default]
import { readFileSync } from "node:fs";
import { pairedBootstrap } from "./bootstrap.mjs";

const [file, a = "lexical", b = "default"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/devsets/compare-modes.mjs <eval-devsets results.json> [mode a] [mode b]");
  process.exit(2);
}
const run = JSON.parse(readFileSync(file, "utf8"));
const sign = (v) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
const cell = ({ value, low, high }) => `${sign(value)} [${sign(low)}, ${sign(high)}]`;
/** Per library, the [a, b] pairs of `metric` of the questions `keep` accepts. */
function pairs(metric, keep) {
  return Object.values(run.libraries).map((library) => {
    const before = library.runs[a].per_query;
    const after = new Map(library.runs[b].per_query.map((q) => [q.id, q]));
    return before.filter(keep).map((q) => [q.metrics[metric], after.get(q.id).metrics[metric]]);
  });
}
const categories = [...new Set(Object.values(run.libraries).flatMap((l) => l.runs[a].per_query.map((q) => q.category)))].sort();
console.log(`${run.model}, ${file}: ${b} − ${a}, paired\n`);
console.log("| questions | nDCG@10 Δ [95 % CI] | MRR@10 Δ [95 % CI] |\n|---|---|---|");
console.log(`| macro (mean of libraries) | ${cell(pairedBootstrap(pairs("nDCG@10", () => true)))} | ${cell(pairedBootstrap(pairs("MRR@10", () => true)))} |`);
for (const category of categories) {
  const keep = (q) => q.category === category;
  console.log(`| ${category} | ${cell(pairedBootstrap([pairs("nDCG@10", keep).flat()]))} | ${cell(pairedBootstrap([pairs("MRR@10", keep).flat()]))} |`);
}
console.log(`| all questions | ${cell(pairedBootstrap([pairs("nDCG@10", () => true).flat()]))} | ${cell(pairedBootstrap([pairs("MRR@10", () => true).flat()]))} |`);
