/**
 * rank/ owns the pure parts of search: code-aware words for the full-text index, rank fusion,
 * arranging hits and retrieval metrics. It must not do I/O or touch LanceDB.
 */
export * from "./arrange-hits.js";
export * from "./character-trigrams.js";
export * from "./code-abbreviations.js";
export * from "./code-words.js";
export * from "./fuse-rankings.js";
export * from "./fusion-calibration.js";
export * from "./fusion-weights.js";
export * from "./lexical-text.js";
export * from "./query-words.js";
export * from "./retrieval-metrics.js";
