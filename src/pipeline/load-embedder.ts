import type { Embedder, EmbedderSource, RemoteTuning } from "../embed/index.js";
import { assertModelAvailable } from "../embed/model-source.js";

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
 * The default loader. Local model folders that declare `"embedding": "token-mean"` in their
 * `codesearch.json` and hold export_onnx.py's token-table graph (codesearch-small) are computed
 * from that table in JavaScript (`loadTokenTableEmbedder`: no model runtime is imported). Other
 * local model folders whose tokenizer is a byte-level BPE that
 * `loadOnnxEmbedder` reproduces exactly (CodeBERT-style exports) run on
 * onnxruntime-node directly, which starts ~1.3 s faster; other local folders (WordPiece, unknown
 * settings) and hub models use transformers.js with the int8 ONNX export; `openai` sources an
 * OpenAI-compatible endpoint, with the API key read from the environment variable the source
 * names. The three local runtimes give the same vectors, model id and token limit, so an index
 * and its embedding cache serve any of them.
 * @throws ModelLoadError (local and hub models; also when transformers.js is needed but not
 *   installed); EmbeddingServiceError (remote ones).
 */
export const loadEmbedderFromRequest: EmbedderLoader = async (request) => {
  // Imported here, not at the top: a command that never embeds (lexical search, status) skips them.
  const { loadOnnxEmbedder, loadOpenAIEmbedder, loadTokenTableEmbedder, loadTransformersEmbedder } = await import("../embed/index.js");
  if (request.source.kind === "openai") {
    return loadOpenAIEmbedder({
      baseUrl: request.source.baseUrl,
      model: request.source.model,
      apiKey: process.env[request.source.apiKeyEnv] || undefined,
      maxTokens: request.maxTokens,
      ...request.remote,
    });
  }
  if (request.source.kind === "local") {
    const table = await loadTokenTableEmbedder({ source: request.source, maxTokens: request.maxTokens });
    if (table.ok) return table.embedder;
    const light = await loadOnnxEmbedder({ source: request.source, maxTokens: request.maxTokens });
    if (light.ok) return light.embedder;
  }
  return loadTransformersEmbedder({
    source: request.source,
    cacheDir: request.cacheDir,
    offline: request.offline,
    maxTokens: request.maxTokens,
    ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  });
};

/** Where a run or a search session takes its model from: the fields `index` and `search` options share. */
export interface ModelLoadSettings {
  /** Per-user download directory for hub models. */
  modelCacheDir: string;
  offline: boolean;
  /** Hub base URL override (`HF_ENDPOINT`). */
  endpoint?: string;
  /** Batching, concurrency, timeout and retries for a remote source. */
  remote?: RemoteTuning;
  /** The loader; default {@link loadEmbedderFromRequest}. */
  loadEmbedder?: EmbedderLoader;
}

/**
 * Loads `source`'s model with `settings`' loader, asking for `maxTokens` tokens per text.
 * @throws what the loader throws (ModelLoadError, EmbeddingServiceError).
 */
export function loadEmbedderWith(settings: ModelLoadSettings, source: EmbedderSource, maxTokens: number): Promise<Embedder> {
  return (settings.loadEmbedder ?? loadEmbedderFromRequest)({
    source,
    cacheDir: settings.modelCacheDir,
    offline: settings.offline,
    maxTokens,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(settings.remote ? { remote: settings.remote } : {}),
  });
}

/**
 * Fails early, before a run reads any file, when `source`'s model cannot be loaded by the default
 * loader for a reason files alone show (see `assertModelAvailable`: a local folder lacks files, or
 * offline and a hub model is not downloaded). A no-op for remote services and for a custom
 * `settings.loadEmbedder`, which checks its own sources when it loads.
 * @throws ModelLoadError.
 */
export function assertModelLoadable(settings: ModelLoadSettings, source: EmbedderSource): void {
  if (settings.loadEmbedder !== undefined || source.kind === "openai") return;
  assertModelAvailable(source, { cacheDir: settings.modelCacheDir, offline: settings.offline });
}
