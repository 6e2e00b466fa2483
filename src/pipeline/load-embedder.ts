import type { Embedder, EmbedderSource, RemoteTuning } from "../embed/index.js";

/** What the pipeline asks of a model loader. */
export interface EmbedderRequest {
  source: EmbedderSource;
  /** Per-user download directory for hub models. */
  cacheDir: string;
  offline: boolean;
  /** Hub base URL override (`HF_ENDPOINT`). */
  endpoint?: string;
  /** Token limit asked for; the loader may cap it at the model's own limit. */
  maxTokens: number;
  /** Batching, concurrency, timeout and retries for a remote source; defaults otherwise. */
  remote?: RemoteTuning;
}

/**
 * Loads an {@link Embedder}. The default is {@link loadEmbedderFromRequest}; tests pass fakes
 * through this seam.
 */
export type EmbedderLoader = (request: EmbedderRequest) => Promise<Embedder>;

/**
 * The default loader: transformers.js with the int8 ONNX export for hub and local models; an
 * OpenAI-compatible endpoint for `openai` sources, with the API key read from the environment
 * variable the source names.
 * @throws ModelLoadError (local models); EmbeddingServiceError (remote ones).
 */
export const loadEmbedderFromRequest: EmbedderLoader = async (request) => {
  // Imported here, not at the top: a command that never embeds (lexical search, status) skips them.
  const { loadOpenAIEmbedder, loadTransformersEmbedder } = await import("../embed/index.js");
  return request.source.kind === "openai"
    ? loadOpenAIEmbedder({
        baseUrl: request.source.baseUrl,
        model: request.source.model,
        apiKey: process.env[request.source.apiKeyEnv] || undefined,
        maxTokens: request.maxTokens,
        ...request.remote,
      })
    : loadTransformersEmbedder({
        source: request.source,
        cacheDir: request.cacheDir,
        offline: request.offline,
        maxTokens: request.maxTokens,
        ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
      });
};
