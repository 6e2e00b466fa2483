import { RRF_K } from "./fuse-rankings.js";

/**
 * Weights of hybrid mode's Reciprocal Rank Fusion: an entity scores
 * `vector / (k + vector rank) + lexical / (k + lexical rank) + name / (k + name rank)`.
 * A vector weight of 0 makes hybrid mode lexical search plus exact-name matches, and lets a
 * search skip the query embedding.
 */
export interface FusionWeights {
  /** Weight of the vector side's ranking (≥ 0). */
  vector: number;
  /** Weight of the lexical (BM25) side's ranking; 1. */
  lexical: number;
  /** Weight of the exact-name ranking (entities the query spells as code); 1. */
  name: number;
  /** RRF constant (≥ 0). */
  k: number;
}

/**
 * The vector weights calibration compares, lexical weight 1. 0 is lexical alone; 1 is plain RRF;
 * above 1 the vector side leads. Evenly spaced on a rough log scale between 0.1 and 3, the span in
 * which a sweep on CoSQA and on developer questions about Debian libraries moved MRR@10 (issue 12).
 */
export const VECTOR_WEIGHT_GRID: readonly number[] = [0, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3];

/** Fusion weights with the given vector weight; lexical and name weights 1, k = {@link RRF_K}. */
export function fusionWeights(vector: number): FusionWeights {
  if (!(vector >= 0) || !Number.isFinite(vector)) throw new RangeError(`the vector weight must be a finite number ≥ 0, got ${vector}`);
  return { vector, lexical: 1, name: 1, k: RRF_K };
}

/**
 * Vector weight used when an index could not be calibrated (too few documented entities, or an
 * index written before calibration existed): 0, lexical search plus exact names. It cannot rank
 * worse than lexical mode whatever the model; `--vector-weight` turns the vector side on by hand.
 */
export const UNCALIBRATED_VECTOR_WEIGHT = 0;
