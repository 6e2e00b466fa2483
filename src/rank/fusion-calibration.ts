/**
 * The pure half of per-index fusion calibration: which documented entities make queries, what the
 * query says, and which vector weight the measured reciprocal ranks support.
 */
import { VECTOR_WEIGHT_GRID } from "./fusion-weights.js";

/**
 * Calibration queries needed before calibration is trusted. With fewer, the standard error of a
 * difference in MRR between two weights is about 0.05 or more (reciprocal ranks lie in [0, 1] with
 * a standard deviation near 0.4; 0.4 / √30 ≈ 0.07 unpaired), too coarse to choose between weights.
 */
export const MIN_CALIBRATION_QUERIES = 30;

/**
 * Calibration queries at most: bounds the model calls (one per query, one per answer) and the
 * time. 200 paired queries resolve MRR differences of about 0.02 (one standard error).
 */
export const MAX_CALIBRATION_QUERIES = 200;

/** Fewest words a docstring's summary needs to become a query (CodeSearchNet dropped docstrings shorter than 3 tokens). */
export const MIN_QUERY_WORDS = 3;

/** Longest query, in characters: a docstring's summary is cut at the last space before it. */
export const MAX_QUERY_CHARS = 300;

/**
 * The query a docstring makes: its first paragraph (CodeSearchNet's rule, Husain et al. 2019),
 * whitespace collapsed, cut to {@link MAX_QUERY_CHARS}; null when it has fewer than
 * {@link MIN_QUERY_WORDS} words or reads like a placeholder (`TODO`, `:param`-only). Pure.
 */
export function docstringQuery(docstring: string): string | null {
  const firstParagraph = docstring.trim().split(/\n\s*\n/)[0] ?? "";
  let query = firstParagraph.replace(/\s+/g, " ").trim();
  if (/^(:param|:return|@param|todo\b|fixme\b|deprecated\b)/i.test(query)) return null;
  if (query.length > MAX_QUERY_CHARS) {
    const cut = query.lastIndexOf(" ", MAX_QUERY_CHARS);
    query = query.slice(0, cut > 0 ? cut : MAX_QUERY_CHARS);
  }
  return (query.match(/[A-Za-z]{2,}/g) ?? []).length >= MIN_QUERY_WORDS ? query : null;
}

/** Mean reciprocal rank (@10) of one vector weight over the calibration queries. */
export interface WeightScore {
  vectorWeight: number;
  mrrAt10: number;
  /** Standard error of the paired per-query difference between the best weight and this one (0 for the best). */
  standardErrorToBest: number;
}

/** What {@link chooseVectorWeight} decided and why. */
export interface WeightChoice {
  vectorWeight: number;
  /** Every weight's MRR@10, in grid order. */
  scores: WeightScore[];
  /** The best weight and the margin (standard errors × the chosen weight's paired standard error) it was allowed. */
  bestVectorWeight: number;
  standardErrorMargin: number;
}

/**
 * Standard errors of evidence the vector side must show before it gets a weight: 1.5, one and a
 * half times the one-standard-error rule's (Breiman et al., *Classification and Regression Trees*,
 * 1984; Hastie et al., *Elements of Statistical Learning* §7.10). More than one, because the
 * calibration task leans toward the vector side: a model trained on docstring → code pairs meets
 * its own training task, and the answers lack the docstring that lexical search would match in
 * real use. Set after looking at three calibrations against real query sets (BENCHMARKS.md,
 * "Choosing the margin"): with 1 the trained model took weight 2 on the CoSQA corpus (dev MRR@10
 * 0.425, where 0.5–1 give 0.431–0.433) and 0.25 on Click + Requests (where developer questions
 * favour lexical search alone); with 1.5 it takes 1 and 0.1.
 */
export const EVIDENCE_STANDARD_ERRORS = 1.5;

/**
 * Chooses the vector weight from per-query reciprocal ranks (`reciprocalRanks[w][q]`, one row per
 * weight of `grid`, same queries in each row), by a standard-error rule: the smallest weight whose
 * MRR is within `standardErrors` (default {@link EVIDENCE_STANDARD_ERRORS}) standard errors of the
 * best weight's MRR, the error being that of the paired per-query difference to the best. Smaller
 * weights lean on lexical search, which never needs the model; so the vector side gets weight only
 * where it wins by more than the noise of the sample. A model whose vectors carry no meaning gets
 * 0 or near it. Pure.
 * @throws RangeError when the rows do not match the grid or hold no queries.
 */
export function chooseVectorWeight(
  reciprocalRanks: readonly (readonly number[])[],
  grid: readonly number[] = VECTOR_WEIGHT_GRID,
  standardErrors: number = EVIDENCE_STANDARD_ERRORS,
): WeightChoice {
  if (reciprocalRanks.length !== grid.length || grid.length === 0) throw new RangeError(`expected ${grid.length} rows of reciprocal ranks, got ${reciprocalRanks.length}`);
  const queries = reciprocalRanks[0]!.length;
  if (queries === 0 || reciprocalRanks.some((row) => row.length !== queries)) throw new RangeError("every weight needs the same, non-empty list of queries");
  const mean = (row: readonly number[]) => row.reduce((s, v) => s + v, 0) / row.length;
  const mrr = reciprocalRanks.map(mean);
  let best = 0;
  mrr.forEach((value, i) => {
    if (value > mrr[best]!) best = i;
  });
  const bestRow = reciprocalRanks[best]!;
  const gaps = reciprocalRanks.map((row) => {
    const differences = row.map((rr, q) => bestRow[q]! - rr);
    const d = mean(differences);
    const variance = queries > 1 ? differences.reduce((s, v) => s + (v - d) ** 2, 0) / (queries - 1) : 0;
    return { difference: d, standardError: Math.sqrt(variance / queries) };
  });
  const scores = grid.map((vectorWeight, i) => ({ vectorWeight, mrrAt10: mrr[i]!, standardErrorToBest: gaps[i]!.standardError }));
  const order = grid.map((_, i) => i).sort((a, b) => grid[a]! - grid[b]!);
  const chosen = order.find((i) => gaps[i]!.difference <= standardErrors * gaps[i]!.standardError) ?? best;
  return { vectorWeight: grid[chosen]!, scores, bestVectorWeight: grid[best]!, standardErrorMargin: standardErrors * gaps[chosen]!.standardError };
}

/**
 * Share of the table's rows that may change (per index run the larger of the rows written and
 * the rows deleted, summed since the last calibration) before the next run calibrates again: 0.2. Calibration samples at most
 * {@link MAX_CALIBRATION_QUERIES} documented entities; while fewer than a fifth of the rows have
 * changed, a new sample would share most of its entities with the old one and move each weight's
 * MRR by less than the standard-error margin the choice already allows for.
 */
export const RECALIBRATE_CHANGED_SHARE = 0.2;

/** What the manifest recorded about the last calibration, as {@link needsCalibration} reads it. */
export interface CalibrationState {
  /** Version of the calibration method that chose the weights. */
  method: number;
  /** Rows in the table when calibrated. */
  rowsAtCalibration: number;
  /** Rows written or deleted since then. */
  rowsChangedSince: number;
}

/**
 * Version of the calibration method; an index calibrated by another version calibrates again.
 * 2: the margin is {@link EVIDENCE_STANDARD_ERRORS} standard errors (1 before). 3: the weights are
 * scored through the ranking stage (rank/rank-stages.ts, issue 18). 4: a model with a measured
 * prior vector weight takes the prior wherever calibration gives the vector side any weight
 * (pipeline/choose-fusion.ts). 5: weight 0 when the vector side alone ranks below lexical search
 * alone (pipeline/choose-fusion.ts, `requireVectorEvidence`).
 */
export const CALIBRATION_METHOD = 5;

/**
 * Whether an index run should calibrate again: no calibration recorded (or by another method
 * version), or rows changed since the last one reach {@link RECALIBRATE_CHANGED_SHARE} of the rows
 * it saw (at least one row). Pure.
 */
export function needsCalibration(state: CalibrationState | null): boolean {
  if (state === null || state.method !== CALIBRATION_METHOD) return true;
  return state.rowsChangedSince >= Math.max(1, RECALIBRATE_CHANGED_SHARE * state.rowsAtCalibration);
}
