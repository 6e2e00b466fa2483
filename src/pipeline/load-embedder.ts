import type { Embedder, ModelSource } from "../embed/index.js";
import { loadTransformersEmbedder } from "../embed/index.js";

/** What the pipeline asks of a model loader. */
export interface EmbedderRequest {
  source: ModelSource;
  /** Per-user download directory for hub models. */
  cacheDir: string;
  offline: boolean;
  /** Hub base URL override (`HF_ENDPOINT`). */
  endpoint?: string;
  /** Token limit asked for; the loader may cap it at the model's own limit. */
  maxTokens: number;
}

/**
 * Loads an {@link Embedder}. The default is {@link loadEmbedderFromRequest}; tests pass fakes
 * through this seam.
 */
export type EmbedderLoader = (request: EmbedderRequest) => Promise<Embedder>;

/** The default loader: transformers.js with the int8 ONNX export. @throws ModelLoadError */
export const loadEmbedderFromRequest: EmbedderLoader = (request) =>
  loadTransformersEmbedder({
    source: request.source,
    cacheDir: request.cacheDir,
    offline: request.offline,
    maxTokens: request.maxTokens,
    ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  });
