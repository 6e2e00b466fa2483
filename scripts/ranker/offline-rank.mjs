// Offline re-ranking of collected candidate pools (collect-pools.mjs): the order `rankWithStages`
// gives a pool under any ranker configuration and vector weight, from features computed once per
// pool and weight, so a fit can score thousands of configurations (docs/ranking.md). Pure apart
// from importing the built rank/ module (dist/, `npm run build` first).
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const rank = await import(path.join(ROOT, "dist", "rank", "index.js"));
const { FEATURE_NAMES, candidateFeatures, fileRepeatAdjustments, queryTraits, rankWithStages, scoreQuery } = rank;
export { FEATURE_NAMES };

/** A pool as a search at `vectorWeight` sees it: without the vector side at weight 0. */
export function candidatesAt(pool, vectorWeight) {
  if (vectorWeight > 0) return pool.candidates;
  return pool.candidates.filter((c) => c.ranks.lexical !== null || c.exactName).map((c) => ({ ...c, ranks: { ...c.ranks, vector: null } }));
}

/** A pool's candidates and their features at `vectorWeight`, computed once (features do not depend on the weights). */
function prepared(pool, vectorWeight) {
  pool.prepared ??= new Map();
  let entry = pool.prepared.get(vectorWeight);
  if (!entry) {
    const candidates = candidatesAt(pool, vectorWeight);
    const features = candidateFeatures(candidates, queryTraits(pool.query), vectorWeight);
    const width = FEATURE_NAMES.length;
    const matrix = new Float64Array(candidates.length * width);
    features.forEach((f, i) => FEATURE_NAMES.forEach((n, k) => (matrix[i * width + k] = f[n])));
    // Ties are broken by the better side rank, then by id (rankWithStages): one precomputed place.
    const bestRank = candidates.map((c) => Math.min(c.ranks.lexical ?? Infinity, c.ranks.vector ?? Infinity));
    const id = (i) => candidates[i].chunk.id;
    const tieOrder = candidates.map((_, i) => i).sort((a, b) => bestRank[a] - bestRank[b] || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
    const tiePlace = new Int32Array(candidates.length);
    tieOrder.forEach((i, place) => (tiePlace[i] = place));
    entry = { candidates, matrix, tiePlace, scores: new Float64Array(candidates.length), memo: new Map() };
    pool.prepared.set(vectorWeight, entry);
  }
  return entry;
}

/**
 * NDCG@10 and MRR@10 of one pool ranked by `config` at `vectorWeight`: the order of
 * `rankWithStages` (score, ties by best side rank then id; file-diversity, sorted again).
 * `check` compares the top 10 with `rankWithStages` itself and throws when they differ.
 */
export function scorePool(pool, config, vectorWeight, check = false) {
  const entry = prepared(pool, vectorWeight);
  const { candidates, matrix, tiePlace, scores } = entry;
  const width = FEATURE_NAMES.length;
  const weights = FEATURE_NAMES.map((n) => config.weights[n] ?? 0);
  const used = [];
  for (let k = 0; k < width; k++) if (weights[k] !== 0) used.push(k);
  for (let i = 0; i < candidates.length; i++) {
    let s = 0;
    for (const k of used) s += weights[k] * matrix[i * width + k];
    scores[i] = s;
  }
  const order = (a, b) => scores[b] - scores[a] || tiePlace[a] - tiePlace[b];
  let top;
  if (config.stages.includes("file-diversity") && config.fileRepeatPenalty > 0) {
    const idx = Array.from({ length: candidates.length }, (_, i) => i).sort(order);
    const adjustments = fileRepeatAdjustments(idx.map((i) => candidates[i].chunk.path), config.fileRepeatPenalty);
    idx.forEach((i, place) => (scores[i] += adjustments[place]));
    top = idx.sort(order).slice(0, 10);
  } else {
    // The best 10 by insertion: the fit scores thousands of configurations.
    top = [];
    for (let i = 0; i < candidates.length; i++) {
      if (top.length === 10 && order(i, top[9]) >= 0) continue;
      let at = Math.min(top.length, 9);
      if (top.length < 10) top.push(i);
      while (at > 0 && order(i, top[at - 1]) < 0) {
        top[at] = top[at - 1];
        at--;
      }
      top[at] = i;
    }
  }
  if (check) {
    const real = rankWithStages(candidates, queryTraits(pool.query), config, vectorWeight).slice(0, 10);
    if (real.some((c, i) => c.chunk.id !== candidates[top[i]]?.chunk.id)) throw new Error(`the offline scorer differs from rankWithStages on ${JSON.stringify(pool.query)}`);
  }
  // The metrics depend only on the top 10: remembered per top 10.
  const key = top.join(",");
  let result = entry.memo.get(key);
  if (!result) {
    const s = scoreQuery(pool.relevant, top.map((i) => ({ file: candidates[i].chunk.path, qualname: candidates[i].chunk.qualifiedName, startLine: candidates[i].chunk.startLine })));
    result = { ndcg: s.ndcgAt10, mrr: s.mrrAt10 };
    entry.memo.set(key, result);
  }
  return result;
}

/** Mean of `xs` (0 for none). */
export const meanOf = (xs) => xs.reduce((s, v) => s + v, 0) / Math.max(1, xs.length);
