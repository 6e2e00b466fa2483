// Bootstrap confidence intervals over queries (Efron & Tibshirani 1993) for the dev-set harness.
// Pure: no I/O; seeded, so the same inputs give the same interval.
import { seededRandom } from "../bench/stats.mjs";

/** Resamples per interval (the number eval-cosqa.mjs uses). */
export const RESAMPLES = 10_000;
/** Seed of the resampling generator. */
export const SEED = 12;

const mean = (xs) => (xs.length === 0 ? Number.NaN : xs.reduce((s, v) => s + v, 0) / xs.length);

/**
 * The mean of the group means of `groups` (arrays of per-query values, e.g. one per library) and
 * its 95 % percentile interval: each resample draws every group's queries with replacement within
 * the group (a stratified bootstrap), so each group keeps its size and weight. One group gives the
 * plain mean and interval of its queries. Empty groups are ignored.
 * @returns `{ value, low, high }`, NaN for no queries.
 */
export function bootstrapMeanOfGroups(groups, { resamples = RESAMPLES, seed = SEED } = {}) {
  const kept = groups.filter((g) => g.length > 0);
  if (kept.length === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN };
  const random = seededRandom(seed);
  const draws = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let total = 0;
    for (const group of kept) {
      let sum = 0;
      for (let i = 0; i < group.length; i++) sum += group[Math.floor(random() * group.length)];
      total += sum / group.length;
    }
    draws[r] = total / kept.length;
  }
  draws.sort();
  return { value: mean(kept.map(mean)), low: draws[Math.floor(0.025 * resamples)], high: draws[Math.ceil(0.975 * resamples) - 1] };
}

/**
 * Paired bootstrap of the difference `after − before` of the mean of group means: `pairs` are
 * groups of `[before, after]` per-query values of the same queries. Returns the observed
 * difference and its 95 % interval; an interval that excludes 0 says the change is more than
 * the queries' noise.
 */
export function pairedBootstrap(pairs, options) {
  return bootstrapMeanOfGroups(
    pairs.map((group) => group.map(([before, after]) => after - before)),
    options,
  );
}
