/**
 * The ranking stage between retrieval and the final cut: candidates from every side, scored by a
 * linear model over their features, then the configured stages. Pure functions; no I/O.
 */
import type { HitExplanation } from "../model/search.js";
import { type QueryTraits, type RankingCandidate, candidateFeatures } from "./candidate-features.js";
import { FEATURE_NAMES, type FeatureVector, type RankerConfig, type RankingStage, weighedFields } from "./ranker-config.js";

/** A candidate after the ranking stage: its score and, when asked for, why. */
export type ScoredCandidate<C extends RankingCandidate> = C & { score: number; explain?: HitExplanation };

/** Σ weight × feature over `FEATURE_NAMES` (a missing weight counts 0), with each term when `withTerms`. Pure. */
export function linearScore(features: FeatureVector, weights: RankerConfig["weights"]): { score: number; terms: Partial<FeatureVector> } {
  let score = 0;
  const terms: Partial<FeatureVector> = {};
  for (const name of FEATURE_NAMES) {
    const weight = weights[name] ?? 0;
    if (weight === 0 || features[name] === 0) continue;
    const term = weight * features[name];
    terms[name] = term;
    score += term;
  }
  return { score, terms };
}

/**
 * The `file-diversity` stage: walking the list best first, the n-th hit of one file (n ≥ 2) loses
 * `penalty × log2(n)`; the list is then sorted again (stable). Returns the adjustment per hit
 * (0 for a file's first) in the input order. Pure.
 */
export function fileRepeatAdjustments(paths: readonly string[], penalty: number): number[] {
  const seen = new Map<string, number>();
  return paths.map((path) => {
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    return n === 1 ? 0 : -penalty * Math.log2(n);
  });
}

/**
 * Orders one query's candidates: each scored by `config.weights` over its features (see
 * `candidateFeatures`), best first (ties by the better side rank, then id), then each enabled
 * stage of `config.stages`. A class stays a class, ranked on its own evidence; methods lift it
 * only through `memberHits`. With `explain`, each hit carries its features and each term's
 * contribution (the stage adjustments under `stages`).
 * @param vectorWeight the fusion's vector weight: scales the vector feature.
 * @param featuresAtWeight1 the candidates' features at vector weight 1, when the caller ranks the
 *   same candidates at several weights (calibration): only the vector features are scaled then.
 * @returns a new list, best first, every candidate kept; `score` is the final score.
 */
export function rankWithStages<C extends RankingCandidate>(
  candidates: readonly C[],
  traits: QueryTraits,
  config: RankerConfig,
  vectorWeight: number,
  explain = false,
  featuresAtWeight1?: readonly FeatureVector[],
): ScoredCandidate<C>[] {
  // Scores and order as plain numbers and indices, objects made once at the end: calibration runs
  // this for every query at every weight of its grid.
  const features = featuresAtWeight1 ?? candidateFeatures(candidates, traits, vectorWeight, weighedFields(config));
  const vectorScale = featuresAtWeight1 ? vectorWeight : 1;
  const n = candidates.length;
  const scores = new Float64Array(n);
  const bestRanks = new Float64Array(n);
  const weights = FEATURE_NAMES.map((name) => config.weights[name] ?? 0);
  const scaled = FEATURE_NAMES.map((name) => (name === "vector" || name === "vectorSimilarity" ? vectorScale : 1));
  for (let i = 0; i < n; i++) {
    const f = features[i]!;
    let score = 0;
    for (let k = 0; k < FEATURE_NAMES.length; k++) {
      const weight = weights[k]!;
      if (weight !== 0) score += weight * f[FEATURE_NAMES[k]!] * scaled[k]!;
    }
    scores[i] = score;
    const ranks = candidates[i]!.ranks;
    bestRanks[i] = Math.min(ranks.lexical ?? Infinity, ranks.vector ?? Infinity);
  }
  const idOf = (i: number) => candidates[i]!.chunk.id;
  const byScore = (a: number, b: number) => scores[b]! - scores[a]! || bestRanks[a]! - bestRanks[b]! || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);
  const order = Array.from({ length: n }, (_, i) => i).sort(byScore);
  const stageAdjustments: Partial<Record<RankingStage, Float64Array>> = {};
  for (const stage of config.stages) {
    switch (stage) {
      case "file-diversity": {
        const adjustments = fileRepeatAdjustments(
          order.map((i) => candidates[i]!.chunk.path),
          config.fileRepeatPenalty,
        );
        const applied = new Float64Array(n);
        order.forEach((i, place) => {
          applied[i] = adjustments[place]!;
          scores[i]! += adjustments[place]!;
        });
        stageAdjustments[stage] = applied;
        order.sort(byScore);
        break;
      }
      default: {
        const unknown: never = stage;
        throw new Error(`unknown ranking stage ${String(unknown)}`);
      }
    }
  }
  return order.map((i) => {
    const scored: ScoredCandidate<C> = { ...candidates[i]!, score: scores[i]! };
    if (explain) {
      const f = vectorScale === 1 ? features[i]! : { ...features[i]!, vector: features[i]!.vector * vectorScale, vectorSimilarity: features[i]!.vectorSimilarity * vectorScale };
      const stages: Record<string, number> = {};
      for (const [stage, applied] of Object.entries(stageAdjustments)) if (applied[i] !== 0) stages[stage] = applied[i]!;
      scored.explain = { features: f, contributions: linearScore(f, config.weights).terms, stages };
    }
    return scored;
  });
}
