/**
 * pipeline/ is the only place stages meet: indexing (discover → extract → cache → embed → store) and searching.
 * It must not import Ink/React, print or exit; it emits events and returns values or throws CodesearchErrors.
 */
export * from "./index-repo.js";
export * from "./search-repo.js";
export * from "./load-embedder.js";
export * from "./embedder-source.js";
export * from "./index-status.js";
export * from "./rank-entities.js";
export * from "./verify-index.js";
export * from "./calibrate-fusion.js";
export * from "./structure-index.js";
export * from "./find-definitions.js";
export * from "./locate-entity.js";
export * from "./find-references.js";
export * from "./outline-entities.js";
export * from "./related-entities.js";
export type { ReferenceConfidence, ReferenceGraph, ResolvedSite } from "./reference-graph.js";
