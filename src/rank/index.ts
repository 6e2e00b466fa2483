/**
 * rank/ owns the pure parts of search: code-aware words for the full-text index, rank fusion,
 * the ranking stage (candidate features, ranker configuration, stages) and retrieval metrics.
 * It must not do I/O or touch LanceDB.
 */
export * from "./candidate-features.js";
export * from "./character-trigrams.js";
export * from "./code-abbreviations.js";
export * from "./code-words.js";
export * from "./field-scores.js";
export * from "./fuse-rankings.js";
export * from "./fusion-calibration.js";
export * from "./fusion-weights.js";
export * from "./lexical-text.js";
export * from "./query-words.js";
export * from "./rank-stages.js";
export * from "./ranker-config.js";
export * from "./retrieval-metrics.js";
export * from "./symbol-evidence.js";
