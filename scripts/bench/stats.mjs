// Order statistics and a seeded random generator for the benchmark scripts. Pure: no I/O.

/** Median of `values` (mean of the two middle values for an even count); NaN when empty. */
export function median(values) {
  return percentile(values, 50);
}

/**
 * The `p`-th percentile (0–100) of `values` with linear interpolation between closest ranks
 * (numpy's default); NaN when empty.
 */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
}

/** Rounds to `digits` decimals (for printing and JSON; raw values stay in the samples). */
export function round(value, digits = 1) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A seeded generator of floats in [0, 1) (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from `random` (Box–Muller). */
export function gaussian(random) {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `count` distinct items of `items` chosen with `random`, in their original order. */
export function sampleInOrder(items, count, random) {
  const indices = items.map((_, i) => i);
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices
    .slice(0, Math.min(count, items.length))
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}

/**
 * Recall@k of `found` against `exact`: the share of each query's `exact` ids (its true top k)
 * that `found` also returned, over all queries. Both are arrays of id lists, one per query.
 */
export function recallAtK(found, exact, k) {
  let hits = 0;
  found.forEach((ids, i) => {
    const truth = new Set(exact[i]);
    hits += ids.filter((id) => truth.has(id)).length;
  });
  return hits / (k * found.length);
}
