/**
 * The ranking stage between retrieval and the final cut: candidates from every side, scored by a
 * linear model over their features, then the configured stages. Pure functions; no I/O.
 */
import type { HitExplanation } from "../model/search.js";
import { type QueryTraits, type RankingCandidate, candidateFeatures } from "./candidate-features.js";
import { FEATURE_NAMES, type FeatureVector, type RankerConfig } from "./ranker-config.js";

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
 *   same candidates at several weights (calibration): only the vector feature is scaled then.
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
  const features = featuresAtWeight1 ? featuresAtWeight1.map((f) => ({ ...f, vector: f.vector * vectorWeight })) : candidateFeatures(candidates, traits, vectorWeight);
  const bestRank = (c: RankingCandidate) => Math.min(c.ranks.lexical ?? Infinity, c.ranks.vector ?? Infinity);
  const byScore = (a: ScoredCandidate<C>, b: ScoredCandidate<C>) =>
    b.score - a.score || bestRank(a) - bestRank(b) || (a.chunk.id < b.chunk.id ? -1 : a.chunk.id > b.chunk.id ? 1 : 0);
  let scored: ScoredCandidate<C>[] = candidates.map((candidate, i) => {
    const { score, terms } = linearScore(features[i]!, config.weights);
    return { ...candidate, score, ...(explain ? { explain: { features: features[i]!, contributions: terms, stages: {} } } : {}) };
  });
  scored.sort(byScore);
  for (const stage of config.stages) {
    switch (stage) {
      case "file-diversity": {
        const adjustments = fileRepeatAdjustments(
          scored.map((c) => c.chunk.path),
          config.fileRepeatPenalty,
        );
        scored = scored.map((c, i) => {
          const adjustment = adjustments[i]!;
          if (adjustment === 0) return c;
          if (c.explain) c.explain.stages[stage] = adjustment;
          return { ...c, score: c.score + adjustment };
        });
        scored.sort(byScore);
        break;
      }
      default: {
        const unknown: never = stage;
        throw new Error(`unknown ranking stage ${String(unknown)}`);
      }
    }
  }
  return scored;
}
