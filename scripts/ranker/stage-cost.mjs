#!/usr/bin/env node
// CPU cost of the ranking stage per question (docs/ranking.md), measured on the dev pools that
// fit-ranker.mjs collected (bench-results/ranker/pools-dev-<model>.json, each candidate with its
// text): `rankWithStages` at vector weight 0.5 with a ranker that reads no text (--before, default
// the ranker.json of main before the per-field features) and with the shipped one, the first pass
// over the pools (field words not yet remembered: a search meeting new rows) and a second pass
// (remembered: a long-lived session meeting rows again). CPU time, so a busy machine matters less.
//
//   node scripts/ranker/stage-cost.mjs [--model codesearch-small] [--before ranker.json] [--passes 5]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HAND_SET_RANKER } from "./hand-set.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const { values: options } = parseArgs({ options: { model: { type: "string", default: "codesearch-small" }, before: { type: "string" }, passes: { type: "string", default: "5" } } });
const { rankWithStages, queryTraits, parseRankerConfig } = await import(path.join(ROOT, "dist", "rank", "index.js"));
const cached = JSON.parse(readFileSync(path.join(ROOT, "bench-results", "ranker", `pools-dev-${options.model}.json`), "utf8"));
const pools = Object.values(cached.pools).flat();
const shipped = parseRankerConfig(JSON.parse(readFileSync(path.join(ROOT, "models", options.model, "ranker.json"), "utf8")));
const before = options.before ? parseRankerConfig(JSON.parse(readFileSync(options.before, "utf8"))) : HAND_SET_RANKER;

/** CPU ms per question of one pass over every pool with `config`; each pool's text copied first when `fresh` (no remembered words). */
function pass(config, fresh) {
  const inputs = pools.map((p) => ({
    traits: queryTraits(p.query),
    candidates: fresh ? p.candidates.map((c) => ({ ...c, text: c.text && { signature: `${c.text.signature} `, docstring: c.text.docstring && `${c.text.docstring} `, source: `${c.text.source} ` } })) : p.candidates,
  }));
  const start = process.cpuUsage();
  for (const { candidates, traits } of inputs) rankWithStages(candidates, traits, config, 0.5);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / pools.length;
}
const passes = Number(options.passes);
const rows = [];
for (let i = 0; i < passes; i++) rows.push({ before: pass(before, false), cold: pass(shipped, true), warm: pass(shipped, false) });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const candidates = pools.reduce((s, p) => s + p.candidates.length, 0) / pools.length;
console.log(`${pools.length} questions, ${candidates.toFixed(0)} candidates each on average; CPU ms per question, median of ${passes} passes:`);
console.log(`- ranker without text features (before): ${median(rows.map((r) => r.before)).toFixed(2)}`);
console.log(`- shipped ranker, text words not remembered: ${median(rows.map((r) => r.cold)).toFixed(2)}`);
console.log(`- shipped ranker, text words remembered: ${median(rows.map((r) => r.warm)).toFixed(2)}`);
