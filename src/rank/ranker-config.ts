/**
 * The ranking stage's configuration as data: which features count and how much, and which stages
 * run. Shipped beside a model (`<model>/ranker.json`, fitted by scripts/ranker/fit-ranker.mjs);
 * {@link DEFAULT_RANKER} for a model without one. An ablation is another configuration.
 */
import { z } from "zod";
import type { ScoredField } from "./field-scores.js";

/**
 * The features a candidate is scored by (rank/candidate-features.ts), in a fixed order:
 * - `lexical`, `vector`: the side's rank as `1 / log2(1 + rank)` (0 when the side did not return
 *   it); `vector` is multiplied by the fusion's vector weight, so weight 0 switches the side off;
 * - `exactName`: the query spells the entity's name or qualified name as code;
 * - `nameWords`: share of the query's words found in the entity's own name (a definition of the
 *   concept rather than code that uses it);
 * - `parentWords`: share found in the enclosing class's or function's name;
 * - `pathWords`: share found in its file path (folders and file name: the module) and not already
 *   in its own or its parent's name (the path supports the names, it does not count them twice),
 *   times `1 / log2(1 + n)` for its place n among its file's candidates by best side rank (the
 *   path is the file's evidence: it lifts the file's best candidate, not every weak match in it);
 * - `typeForSymbol`: a class (type) hit for a query that looks like a symbol;
 * - `memberHits`: for a type, `log2(1 + its members among the candidates)` (methods lift their class);
 * - `fileSupport`: `log2(1 + other candidates of its file)` (file coherence);
 * - `testCode`, `auxiliaryCode`: test code; examples, benchmarks, docs, generated or vendored code;
 * - `fieldName`, `fieldSignature`, `fieldDocstring`, `fieldBody`, `fieldPath`: BM25 of the query's
 *   words in that field, over the candidate pool, scaled to 0…1 (rank/field-scores.ts; signature,
 *   docstring and body need the candidates' text, read only when one of them weighs);
 * - `moduleWords`: share of the query's words in the module's name (file name, or the package
 *   folder of an `__init__` file) and not in the entity's own or parent's name, times the same
 *   place-in-file discount as `pathWords`: the module an architecture question is about;
 * - `nameToken`: the entity's name is a token of the query spelled as code (`the Rule class`);
 * - `kindMatch`: the entity is the kind the query asks for ("class", "function", "method");
 * - `dottedTail`: the entity is the last part of a dotted symbol of the query, its owner the
 *   parent or the module (`MapAdapter.match`, `attrs.define`);
 * - `vectorSimilarity`: the vector side's cosine similarity, scaled over the pool's vector hits to
 *   0 (the least similar) … 1 (the most), times the fusion's vector weight; 0 when absent.
 */
export const FEATURE_NAMES = [
  "lexical",
  "vector",
  "exactName",
  "nameWords",
  "parentWords",
  "pathWords",
  "typeForSymbol",
  "memberHits",
  "fileSupport",
  "testCode",
  "auxiliaryCode",
  "fieldName",
  "fieldSignature",
  "fieldDocstring",
  "fieldBody",
  "fieldPath",
  "moduleWords",
  "nameToken",
  "kindMatch",
  "dottedTail",
  "vectorSimilarity",
] as const;

/** Each per-field feature and the field it scores (rank/field-scores.ts). */
const FIELD_FEATURES: readonly (readonly [FeatureName, ScoredField])[] = [
  ["fieldName", "name"],
  ["fieldSignature", "signature"],
  ["fieldDocstring", "docstring"],
  ["fieldBody", "body"],
  ["fieldPath", "path"],
];

/** The fields whose per-field feature `config` weighs: the only ones worth scoring for it. */
export function weighedFields(config: RankerConfig): ScoredField[] {
  return FIELD_FEATURES.filter(([feature]) => (config.weights[feature] ?? 0) !== 0).map(([, field]) => field);
}

/** The features that read a candidate's text (its whole row), not only its light reference. */
export const TEXT_FEATURES: readonly FeatureName[] = ["fieldSignature", "fieldDocstring", "fieldBody"];

/** Whether `config` weighs a feature that needs the candidates' text (see {@link TEXT_FEATURES}). */
export function rankerReadsText(config: RankerConfig): boolean {
  return TEXT_FEATURES.some((name) => (config.weights[name] ?? 0) !== 0);
}

/** One of {@link FEATURE_NAMES}. */
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A value per feature. */
export type FeatureVector = Record<FeatureName, number>;

/** The stages that may run after the candidates are scored, in this order when enabled. */
export const RANKING_STAGES = ["file-diversity"] as const;

/** One of {@link RANKING_STAGES}: `file-diversity` lowers the n-th hit of one file by `fileRepeatPenalty × log2(n)`. */
export type RankingStage = (typeof RANKING_STAGES)[number];

/** How the ranking stage orders candidates: score = Σ weight × feature, then the enabled stages. */
export interface RankerConfig {
  /** Weight per feature; a feature left out weighs 0. */
  weights: Partial<FeatureVector>;
  /** Stages run after scoring, from {@link RANKING_STAGES}. */
  stages: RankingStage[];
  /** `file-diversity`: score subtracted from a file's n-th hit, times `log2(n)` (n ≥ 2). */
  fileRepeatPenalty: number;
  /**
   * Vector weight used when an index cannot calibrate (too few docstrings), measured for the model
   * on the dev sets; 0 for a model without a ranker file (never trust a model unmeasured).
   */
  priorVectorWeight: number;
  /** Where the weights came from (the fit's command and data), for people; not read by code. */
  source?: string;
}

const configSchema = z.object({
  weights: z.object(Object.fromEntries(FEATURE_NAMES.map((name) => [name, z.number().finite().optional()]))).strict(),
  stages: z.array(z.enum(RANKING_STAGES)),
  fileRepeatPenalty: z.number().finite().min(0),
  priorVectorWeight: z.number().finite().min(0),
  source: z.string().optional(),
});

/**
 * The ranker of a model that ships none (a hub model, CodeBERT, `fixtures/model`), and the weights
 * every fitted ranker is shrunk toward (scripts/ranker/fit-ranker.mjs). Conservative: issue 18's
 * first hand-set weights (side ranks, name and path words, class members, test and auxiliary code)
 * plus the symbol evidence (`nameToken`, `dottedTail`), which fires only on words spelled as code,
 * then refitted in lexical mode by `fit-ranker.mjs --objective lexical` (the one-standard-error λ
 * kept it near these: `memberHits` 0.1 → 0.05, `fileSupport` 0.05 → 0, `moduleWords` 0 → 0.05;
 * cross-validated and in-sample agree, BENCHMARKS.md "Issue 18: cross-validated ranker"), with
 * test code demoted by 0.6 instead of 0.3 (the dev sets hold few tests, so no fit can set it; at
 * 0.3 a test named after the question outranks the class it tests). No text
 * feature, so a search reads only the hits it keeps. No vector prior: a model without a ranker
 * file is unmeasured, so calibration alone decides its vector side.
 */
export const DEFAULT_RANKER: RankerConfig = {
  weights: {
    lexical: 1,
    vector: 1,
    exactName: 1,
    nameWords: 0.3,
    parentWords: 0.1,
    pathWords: 0.15,
    memberHits: 0.05,
    fileSupport: 0,
    testCode: -0.6,
    auxiliaryCode: -0.3,
    moduleWords: 0.05,
    nameToken: 1,
    dottedTail: 1,
  },
  stages: ["file-diversity"],
  fileRepeatPenalty: 0,
  priorVectorWeight: 0,
};

/**
 * Reads a ranker configuration from parsed JSON (a `ranker.json`).
 * @throws Error (a zod error) naming the field that is wrong.
 */
export function parseRankerConfig(json: unknown): RankerConfig {
  const parsed = configSchema.parse(json);
  return { ...parsed, weights: parsed.weights as Partial<FeatureVector> };
}
