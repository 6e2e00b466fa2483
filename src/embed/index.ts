/**
 * embed/ owns turning prepared texts into vectors: the Embedder seam, model loading and download,
 * the persistent embedding cache and batching. It must not read source files, touch LanceDB or print.
 */
export * from "./embedder.js";
export * from "./model-source.js";
export * from "./transformers-embedder.js";
export * from "./onnx-embedder.js";
export * from "./token-table-embedder.js";
export * from "./byte-level-bpe.js";
export * from "./model-settings.js";
export * from "./embedding-cache.js";
export * from "./shared-embedding-cache.js";
export * from "./embed-chunks.js";
export * from "./embed-chunks-remote.js";
export * from "./embeddings-request.js";
export * from "./openai-embedder.js";
export * from "./provider-spec.js";
export * from "./token-budget.js";
export * from "./embedding-estimate.js";
